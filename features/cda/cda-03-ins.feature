@CDA-03
Feature: CDA-03 — The patient is identified by the INS only if the identity is qualified
  The patient is identified by the INS (matricule + the INS OID) only if the identity is
  qualifiée; otherwise by the local identifier alone.

  Scenario: A qualified identity
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes a consultation report for Camille Legrand
    And the professional validates and prints it
    Then the document the DMP received identifies Camille Legrand by her INS, with its OID

  Scenario: An identity that is not qualified, whose INS INSi returned, in a report sent to a colleague (IHE XDM)
    Given Lucas Martin has a patient file
    And INSi has already returned the INS of Lucas Martin, which nobody qualified
    And the professional has validated a consultation report for Lucas Martin
    When the professional sends the consultation report to a colleague through the secure messaging
    Then the CDA in the XDM package the operator received identifies Lucas Martin by the local identifier alone
