@INS-06
Feature: INS-06 — No INSi call for a patient whose INS is already qualified
  No needless traffic: a qualified INS is never looked up again.

  Scenario Outline: <trigger> for a patient whose INS is qualified
    Given Camille Legrand has a patient file and is expected today
    And the INS of Camille Legrand has already been qualified
    When <trigger>
    Then the LGC does not call INSi for Camille Legrand

    Examples:
      | trigger                                                                      |
      | a professional opens the patient file of Camille Legrand                      |
      | the Carte Vitale of Camille Legrand is inserted on the professional's workstation |
      | the secretariat starts the day on a workstation with a nominative CPE         |
