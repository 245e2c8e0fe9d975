@QUAL-09
Feature: QUAL-09 — A nominative CPE may qualify by identity document, an anonymous CPE never
  A secretariat holding a nominative CPE may qualify by identity document; an anonymous CPE can
  never qualify.

  Background:
    Given Camille Legrand has a patient file
    And a professional has opened the patient file of Camille Legrand and INSi has answered

  Scenario: The secretariat holds a nominative CPE
    When the secretariat with a nominative CPE qualifies the INS naming the document "Titre ou carte de séjour"
    Then the INS of Camille Legrand is qualified

  Scenario Outline: A workstation with an anonymous CPE, <method>
    When the secretariat with an anonymous CPE qualifies the INS <method>
    Then the qualification is refused
    And the identity of Camille Legrand is not qualified

    Examples:
      | method                                                            |
      | naming the document "Carte Nationale d'Identité (française ou étrangère)" |
      | through the exception procedure                                   |
