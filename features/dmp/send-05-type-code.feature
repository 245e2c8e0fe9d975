@SEND-05
Feature: SEND-05 — The document type code is set automatically
  The document type code (LOINC typeCode) is set automatically (for prescriptions; for templates,
  when the template is created).

  Scenario Outline: <document>
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes <document> for Camille Legrand
    Then the editor shows the type code <code>, set automatically
    When the professional validates and prints it
    Then the document the DMP received carries the type code <code>

    Examples:
      | document              | code    |
      | a prescription        | 57833-6 |
      | a consultation report | 11488-4 |
      | a VSM                 | SYNTH   |
      | a vaccination         | 87273-9 |
