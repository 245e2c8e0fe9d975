@CDA-05
Feature: CDA-05 — A VSM can be produced when no médecin traitant is recorded
  A VSM (volet de synthèse médicale) can be produced even when no médecin traitant is recorded.

  Scenario: A patient without médecin traitant
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes a VSM for Camille Legrand, who has no médecin traitant
    And the professional validates and prints it
    Then the DMP receives the document of Camille Legrand
    And the document the DMP received is a VSM
