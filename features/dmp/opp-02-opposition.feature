@OPP-02
Feature: OPP-02 — A patient who opposes for a legitimate reason: nothing is sent
  The patient may oppose for a legitimate reason: unchecking is possible, and then nothing is
  sent for that document.

  Scenario: The patient opposes sending a consultation report
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes a consultation report for Camille Legrand
    And the professional records that the patient opposes sending it
    And the professional validates and prints it
    Then the DMP receives nothing for Camille Legrand
    And the LGC shows the document as not sent
