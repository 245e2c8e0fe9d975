@CDA-01
Feature: CDA-01 — Every document sent is well-formed and valid against the CI-SIS CDA schema
  Every document the LGC sends (to the DMP, or as an MSS attachment) is well-formed XML and valid
  against the CDA R2 schema as extended by the CI-SIS.

  Scenario Outline: <document> sent to the DMP
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes <document> for Camille Legrand
    And the professional validates and prints it
    Then the document the DMP received is well-formed XML, valid against the CDA schema extended by the CI-SIS

    Examples:
      | document              |
      | a consultation report |
      | a prescription        |
      | a VSM                 |
      | a vaccination         |

  Scenario: A consultation report sent to a colleague through the secure messaging (IHE XDM)
    Given Camille Legrand has a patient file with a qualified INS
    And the professional has validated a consultation report for Camille Legrand
    When the professional sends the consultation report to a colleague through the secure messaging
    Then the CDA in the XDM package the operator received is well-formed XML, valid against the CDA schema extended by the CI-SIS
