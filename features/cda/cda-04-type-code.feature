@CDA-04
Feature: CDA-04 — The document's code is a type code the DMP accepts, agreeing with the XDS metadata
  The document's code (LOINC) is one of the type codes the DMP accepts, and agrees with the XDS
  metadata sent with it.

  Scenario Outline: <document> sent to the DMP
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes <document> for Camille Legrand
    And the professional validates and prints it
    Then the code of the document the DMP received is a type code the DMP accepts, the same as its XDS typeCode

    Examples:
      | document              |
      | a consultation report |
      | a prescription        |
      | a VSM                 |
      | a vaccination         |
