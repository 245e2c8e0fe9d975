@SEND-10
Feature: SEND-10 — A DMP refusal is shown to the professional; nothing is lost or retried forever
  A DMP answer « DMP fermé / patient opposé » is received and shown to the PS; nothing is lost or
  silently retried forever.

  Scenario: The patient's DMP is closed
    Given Camille Legrand has a patient file with a qualified INS
    And the DMP of Camille Legrand is closed
    When the professional writes a consultation report for Camille Legrand
    And the professional validates and prints it
    Then the LGC shows the professional that the DMP refused the document, with the DMP's reason "DMP fermé"
    And the document is still in the patient file
    And the LGC does not keep resubmitting the refused document
