@QUAL-02
Feature: QUAL-02 — A concordant identity is qualified in one click, without changing screen
  When the INSi traits are concordant with the file's traits, qualification takes one click,
  without changing screen — either by naming the identity document used, or through the
  exception procedure.

  Background:
    Given Camille Legrand has a patient file
    And a professional has opened the patient file of Camille Legrand and INSi has answered

  Scenario: By naming the identity document used
    When the professional qualifies the INS naming the document "Carte Nationale d'Identité (française ou étrangère)"
    Then the INS of Camille Legrand is qualified
    And qualifying took one click, without changing screen

  Scenario: Through the exception procedure
    When the professional qualifies the INS through the exception procedure
    Then the INS of Camille Legrand is qualified
    And qualifying took one click, without changing screen
