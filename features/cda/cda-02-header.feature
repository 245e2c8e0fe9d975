@CDA-02
Feature: CDA-02 — Every document sent satisfies the CI-SIS header rules
  realmCode, typeId, templateIds, id, code, effectiveTime, confidentialityCode, languageCode,
  recordTarget, author, custodian, legalAuthenticator, documentationOf / componentOf.

  Scenario Outline: <document> sent to the DMP
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes <document> for Camille Legrand
    And the professional validates and prints it
    Then the document the DMP received satisfies the CI-SIS header rules

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
    Then the CDA in the XDM package the operator received satisfies the CI-SIS header rules
