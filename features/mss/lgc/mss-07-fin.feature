@MSS-07
Feature: MSS-07 — The practice software ends an exchange with [FIN]
  A message whose subject is exactly [FIN] (case-sensitive, nothing else) ends the exchange. On
  the LGC's side: ending the exchange sends exactly that subject.

  Scenario: The professional ends the exchange with a patient
    Given Camille Legrand has a patient file with a qualified INS
    And the professional has written to Camille Legrand through the secure messaging
    When the professional ends the exchange with Camille Legrand
    Then the operator receives a message to Camille Legrand whose subject is exactly "[FIN]"
