@MSS-08
Feature: MSS-08 — A read receipt can be requested, and the sender is told when the patient reads
  A read receipt can be requested; the sender is told when the patient opens the message.

  Scenario: The patient opens the message
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes to Camille Legrand through the secure messaging, asking for a read receipt
    Then the message asks for a read receipt
    When Camille Legrand opens the message in Mon espace santé
    Then the LGC shows the message to Camille Legrand as read
