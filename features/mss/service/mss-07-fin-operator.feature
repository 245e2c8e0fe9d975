@MSS-07 @service
Feature: MSS-07 — [FIN] is not delivered and closes the exchange
  A message whose subject is exactly [FIN] is not delivered to the patient, and the patient can
  no longer reply to that PS's earlier messages; for a pharmacy, the patient may start a new
  conversation later.

  Scenario: A professional ends the exchange
    Given a professional mailbox has written to Camille Legrand
    When the professional mailbox sends "[FIN]" to Camille Legrand
    Then Camille Legrand does not receive the "[FIN]" message
    When Camille Legrand replies to the earlier message
    Then the professional mailbox does not receive the patient's reply

  Scenario: A pharmacy ends the exchange, the patient writes again later
    Given a pharmacy's organisational mailbox has written to Camille Legrand
    And the pharmacy's mailbox has sent "[FIN]" to Camille Legrand
    When Camille Legrand writes first to a pharmacy's organisational mailbox
    Then the pharmacy's mailbox receives the patient's message
