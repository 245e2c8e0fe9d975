@CDA-08
Feature: CDA-08 — The XDS metadata uses the DMP's value sets and agrees with the CDA
  The XDS metadata sent with the document uses the DMP's value sets (classCode J57, formatCode J60,
  typeCode J66, and the CI-SIS/DMP sets for practice setting, healthcare facility type,
  confidentiality and author specialty), identifies the patient as a CX of the INS with its OID
  when qualified, and agrees with the CDA (type code, format code vs templateIds, patient).

  Scenario Outline: <document> sent to the DMP
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes <document> for Camille Legrand
    And the professional validates and prints it
    Then the metadata the DMP received with the document of Camille Legrand uses the DMP's value sets and agrees with the document

    Examples:
      | document              |
      | a consultation report |
      | a prescription        |
      | a VSM                 |
      | a vaccination         |
