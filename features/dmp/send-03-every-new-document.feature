@SEND-03
Feature: SEND-03 — Every new document starts as "send"
  No implementation may lead to not sending on validation, e.g. a radio button initialised to the
  previous document's state: every new document starts as "send".

  Scenario: The document after one the patient kept out of the DMP
    Given Camille Legrand has a patient file with a qualified INS
    And the professional has validated a consultation report for Camille Legrand that the patient opposed sending
    When the professional writes a prescription for Camille Legrand
    Then the box « information et non opposition du patient » is already checked
    When the professional validates and prints it
    Then the DMP receives the document of Camille Legrand

  Scenario: The next document of the same type as one the patient kept out of the DMP
    Given Camille Legrand has a patient file with a qualified INS
    And the professional has validated a consultation report for Camille Legrand that the patient opposed sending
    When the professional writes another consultation report for Camille Legrand
    Then the box « information et non opposition du patient » is already checked
    When the professional validates and prints it
    Then the DMP receives the document of Camille Legrand
