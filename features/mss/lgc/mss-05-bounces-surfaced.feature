@MSS-05
Feature: MSS-05 — Every bounce is shown to the professional, linked to its message and patient
  The LGC surfaces every bounce to the PS, linked to the message and patient it concerns; no
  bounce is lost.

  Scenario Outline: The patient's Mon espace santé is <state>
    Given Camille Legrand has a patient file with a qualified INS
    And the Mon espace santé of Camille Legrand is <state>
    When the professional writes to Camille Legrand through the secure messaging
    Then the messaging operator sends a bounce for that message
    And the LGC shows the bounce in the messages of Camille Legrand, on that message

    Examples:
      | state     |
      | opposé    |
      | clôturé   |
