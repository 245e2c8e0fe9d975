@QUAL-06
Feature: QUAL-06 — The exception procedure cannot be delegated to the secretariat
  The exception procedure is done by the PS in person: it cannot be delegated to the secretariat.

  Background:
    Given Camille Legrand has a patient file
    And a professional has opened the patient file of Camille Legrand and INSi has answered

  Scenario: The secretariat, with a nominative CPE, tries the exception procedure
    When the secretariat with a nominative CPE qualifies the INS through the exception procedure
    Then the qualification is refused
    And the identity of Camille Legrand is not qualified
