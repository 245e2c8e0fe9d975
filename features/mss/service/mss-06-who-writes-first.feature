@MSS-06 @service
Feature: MSS-06 — Only a health actor starts a conversation, except with a pharmacy
  Only a health actor can start a conversation; a patient can only reply — except to a
  pharmacy's organisational mailbox, which a patient may write to first.

  Scenario: A patient tries to start a conversation with a professional
    When Camille Legrand writes first to a professional mailbox
    Then the professional mailbox does not receive the patient's message

  Scenario: A patient replies to a professional
    Given a professional mailbox has written to Camille Legrand
    When Camille Legrand replies to that message
    Then the professional mailbox receives the patient's reply

  Scenario: A patient writes first to a pharmacy's organisational mailbox
    When Camille Legrand writes first to a pharmacy's organisational mailbox
    Then the pharmacy's mailbox receives the patient's message
