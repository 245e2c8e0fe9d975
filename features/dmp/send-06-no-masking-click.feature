@SEND-06
Feature: SEND-06 — No click for masking preferences on the usual path
  No click to set masking/visibility preferences on the usual path.

  Scenario: A document validated the usual way
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes a consultation report for Camille Legrand
    And the professional validates and prints it
    Then no click was spent on masking or visibility preferences
    And the document the DMP received is visible to the patient and to professionals
