@QUAL-04
Feature: QUAL-04 — The identity documents offered
  The identity documents offered are exactly the six of the identity-vigilance rules, each
  label compared after NFC normalisation and white-space collapsing.

  Scenario: The list of identity documents on the identity panel
    Given Camille Legrand has a patient file
    And a professional has opened the patient file of Camille Legrand and INSi has answered
    Then the identity documents offered are exactly:
      | Passeport (français ou étranger)                             |
      | Carte Nationale d'Identité (française ou étrangère)          |
      | Extrait d'acte de naissance ou livret de famille             |
      | Titre ou carte de séjour                                     |
      | Document de demandeur d'asile avec photo                     |
      | Dispositif numérique d'identification/authentification forte |
