@QUAL-01
Feature: QUAL-01 — Qualification is proposed for every patient for whom INSi was called
  The LGC systematically proposes qualification for every patient for whom INSi was called.
  Source: 004_c5de066f89c17871.txt, « La qualification de l'INS en 1 seul CLIC ».

  Scenario Outline: INSi was called because <trigger>
    Given Camille Legrand has a patient file and is expected today
    When <trigger>
    And INSi has answered the LGC about Camille Legrand
    Then the LGC proposes to qualify the INS of Camille Legrand

    Examples:
      | trigger                                                                      |
      | a professional opens the patient file of Camille Legrand                      |
      | the Carte Vitale of Camille Legrand is inserted on the professional's workstation |
      | the secretariat starts the day on a workstation with a nominative CPE         |
