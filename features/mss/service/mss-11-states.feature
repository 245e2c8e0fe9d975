@MSS-11 @service
Feature: MSS-11 — Patient states decide delivery
  Patient states: activé (message delivered, patient notified), créé non activé (delivered, must
  activate to read), opposé and clôturé (bounced as above).

  Scenario Outline: The Mon espace santé of the patient is <state>
    Given the Mon espace santé of Camille Legrand is <state>
    When a professional mailbox writes to Camille Legrand
    Then the message is <outcome>

    Examples:
      | state           | outcome   |
      | activé          | delivered |
      | créé non activé | delivered |
      | opposé          | bounced   |
      | clôturé         | bounced   |

  Scenario: An activated patient is notified of the new message
    Given the Mon espace santé of Camille Legrand is activé
    When a professional mailbox writes to Camille Legrand
    Then the message is delivered
    And Camille Legrand is notified of the new message

  Scenario: A patient whose Mon espace santé is created but not activated must activate it to read
    Given the Mon espace santé of Camille Legrand is créé non activé
    When a professional mailbox writes to Camille Legrand
    Then the message is delivered
    And Camille Legrand must activate Mon espace santé to read it
