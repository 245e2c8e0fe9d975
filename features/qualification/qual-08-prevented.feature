@QUAL-08
Feature: QUAL-08 — No INSi answer, or a discordance, prevents qualification
  No INSi answer, or a discordance between the file and INSi, prevents qualification.

  Scenario: The traits are discordant
    Given Maelle Guivarch has a patient file
    And a professional has opened the patient file of Maelle Guivarch and INSi has answered
    When the professional qualifies the INS naming the document "Passeport (français ou étranger)"
    Then the qualification is refused
    And the identity of Maelle Guivarch is not qualified

  Scenario: INSi does not answer
    Given Camille Legrand has a patient file
    And INSi is slow: it answers only when released
    When a professional opens the patient file of Camille Legrand
    And the professional qualifies the INS naming the document "Passeport (français ou étranger)"
    Then the qualification is refused
    And the identity of Camille Legrand is not qualified

  Scenario: INSi finds no identity
    Given Camille Legrand has a patient file
    And INSi answers that it finds no identity
    And a professional has opened the patient file of Camille Legrand and INSi has answered
    When the professional qualifies the INS naming the document "Passeport (français ou étranger)"
    Then the qualification is refused
    And the identity of Camille Legrand is not qualified
