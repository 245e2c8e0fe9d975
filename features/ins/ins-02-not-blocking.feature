@INS-02
Feature: INS-02 — The INSi call never blocks the user
  The call is made without blocking the user interface: while INSi is slow or silent, the LGC
  keeps answering the user. Measured: with INSi holding its answer, the LGC answers the user
  within 1000 ms; INSi answers only when the scenario releases it.

  @timing
  Scenario Outline: The LGC answers at once when <trigger>, while INSi is silent
    Given Camille Legrand has a patient file
    And INSi is slow: it answers only when released
    When <trigger>
    Then the LGC answers the user within 1000 ms while INSi has not answered
    And the patient file of Camille Legrand can be read within 1000 ms while INSi has not answered
    When INSi answers
    Then the patient file of Camille Legrand shows the INS recovered from INSi

    Examples:
      | trigger                                                                      |
      | the Carte Vitale of Camille Legrand is inserted on the professional's workstation |
      | a professional opens the patient file of Camille Legrand                      |
