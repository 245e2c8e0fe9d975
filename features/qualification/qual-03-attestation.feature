@QUAL-03
Feature: QUAL-03 — The exception procedure shows the attestation sentence at confirmation
  The exception procedure shows, at the moment of confirmation, exactly the sentence below
  (compared after NFC normalisation and white-space collapsing; nothing looser).

  Scenario: The professional attests the identity of a patient they know
    Given Camille Legrand has a patient file
    And a professional has opened the patient file of Camille Legrand and INSi has answered
    Then the exception procedure offered on the identity panel reads exactly:
      """
      J'atteste déjà connaître l'identité de cette personne et sa correspondance aux traits d'identité INSi. Cela me permet de partager ses données en toute sécurité
      """
    When the professional qualifies the INS through the exception procedure
    Then at the moment of confirmation the LGC showed exactly:
      """
      J'atteste déjà connaître l'identité de cette personne et sa correspondance aux traits d'identité INSi. Cela me permet de partager ses données en toute sécurité
      """
