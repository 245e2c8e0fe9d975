@CDA-05
Feature: CDA-05 — A VSM can be produced when no médecin traitant is recorded
  A VSM (volet de synthèse médicale) can be produced even when no médecin traitant is recorded.
  The VSM is observed where the LGC sends it on validation, the DMP: an LGC that does not send it
  there is judged by SEND-01, and this scenario cannot be set up for it (never a CDA-05 failure).

  Scenario: A patient without médecin traitant
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes a VSM for Camille Legrand, who has no médecin traitant
    And the professional validates and prints it
    Then the document the DMP received is a VSM
