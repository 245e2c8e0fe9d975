@CDA-06
Feature: CDA-06 — Free text that is not coded is kept, through nullFlavor in structured entries
  Free text that is not coded is kept, through nullFlavor in structured (N3) entries.

  Scenario: A VSM whose problems, allergies and treatments were typed, not coded
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes a VSM for Camille Legrand
    And the professional validates and prints it
    Then the document the DMP received keeps every text the professional typed, in entries coded with a nullFlavor
