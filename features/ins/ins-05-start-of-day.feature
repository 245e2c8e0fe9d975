@INS-05
Feature: INS-05 — Starting the day looks up the INS of the day's patients
  Trigger: start of day, a batch over all the day's patients, from a workstation holding a
  nominative CPS or CPE.

  Scenario Outline: The day is started on a workstation with a <card>
    Given Camille Legrand and Paul Santoni have a patient file and are expected today
    And Lucas Martin has a patient file
    When the <who> starts the day on a workstation with a <card>
    Then the LGC looks up the INS of Camille Legrand and Paul Santoni with INSi
    And the LGC does not call INSi for Lucas Martin

    Examples:
      | who          | card           |
      | professional | CPS            |
      | secretariat  | nominative CPE |
