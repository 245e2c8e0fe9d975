@INS-01
Feature: INS-01 — The LGC looks up the INS systematically and automatically
  The LGC calls INSi systematically and automatically (no user click) for every patient seen
  whose INS is not already qualifiée.
  Source: 004_c5de066f89c17871.txt, « Récupération de l'INS systématique, automatique et sans
  blocage de l'interface utilisateur ».

  Scenario: Seeing a patient is enough for the LGC to look up the INS
    Given Camille Legrand has a patient file
    When a professional opens the patient file of Camille Legrand
    Then the LGC looks up the INS of Camille Legrand with INSi, without any other action from the user

  Scenario: A recovered INS that was never qualified is looked up again when the patient is seen again
    Given Camille Legrand has a patient file
    And INSi has already returned the INS of Camille Legrand, which nobody qualified
    When a professional opens the patient file of Camille Legrand
    Then the LGC looks up the INS of Camille Legrand with INSi, without any other action from the user
