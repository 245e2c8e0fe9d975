@MSS-02 @service
Feature: MSS-02 — An opposed patient's address: the sender gets the bounce « … n'existe pas. »
  Opposed patient (no MES): the sender receives a bounce saying « Le message que vous avez envoyé
  à l'adresse "<adresse>" n'a pas pu être distribué, car cette adresse Mon espace santé n'existe pas. »

  Scenario: Writing to a patient who opposed Mon espace santé
    Given the Mon espace santé of Camille Legrand is opposé
    When a professional mailbox writes to Camille Legrand
    Then the professional mailbox receives a delivery status notification saying exactly:
      """
      Le message que vous avez envoyé à l'adresse "<adresse>" n'a pas pu être distribué, car cette adresse Mon espace santé n'existe pas.
      """
