@SEND-11
Feature: SEND-11 — Masking chosen at feeding time
  A document may be masked to the patient (before a « consultation d'annonce ») or to legal
  representatives (minor), set at feeding time.

  Scenario Outline: A document masked to <whom>
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes a consultation report for Camille Legrand
    And the professional masks it from <whom>
    And the professional validates and prints it
    Then the document the DMP received carries the confidentiality code <code>

    Examples:
      | whom                  | code                           |
      | the patient           | INVISIBLE_PATIENT              |
      | legal representatives | INVISIBLE_REPRESENTANTS_LEGAUX |
