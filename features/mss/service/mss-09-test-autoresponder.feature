@MSS-09 @service
Feature: MSS-09 — The TEST autoresponder answers
  A message whose subject and body contain TEST, sent to
  reponse.automatique-test@patient.mssante.fr, gets back a predefined acknowledgement to the
  sending mailbox.

  Scenario: A professional tests the patient messaging
    When a professional mailbox sends "TEST" in subject and body to reponse.automatique-test@patient.mssante.fr
    Then the professional mailbox receives the automatic acknowledgement
