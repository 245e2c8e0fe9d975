@MSS-03 @service
Feature: MSS-03 — A closed Mon espace santé: the bounce « … est clôturée. »
  Closed MES: « Le message que vous avez envoyé à l'adresse "<adresse>" n'a pas pu être
  distribué, car la messagerie Mon espace santé de votre destinataire est clôturée. »

  Scenario: Writing to a patient whose Mon espace santé is closed
    Given the Mon espace santé of Camille Legrand is clôturé
    When a professional mailbox writes to Camille Legrand
    Then the professional mailbox receives a delivery status notification saying exactly:
      """
      Le message que vous avez envoyé à l'adresse "<adresse>" n'a pas pu être distribué, car la messagerie Mon espace santé de votre destinataire est clôturée.
      """
