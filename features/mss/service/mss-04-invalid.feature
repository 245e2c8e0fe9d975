@MSS-04 @service
Feature: MSS-04 — A wrong INS address: the bounce « … est invalide. »
  Wrong INS (length or key): « Le message que vous avez envoyé à l'adresse "<adresse>" n'a pas pu
  être distribué, car cette adresse Mon espace santé est invalide. »

  Scenario Outline: Writing to <address>
    When a professional mailbox writes to the address "<address>"
    Then the professional mailbox receives a delivery status notification saying exactly:
      """
      Le message que vous avez envoyé à l'adresse "<adresse>" n'a pas pu être distribué, car cette adresse Mon espace santé est invalide.
      """

    Examples:
      | address                            |
      | 289456789012345@patient.mssante.fr |
      | 28504751120872@patient.mssante.fr  |
