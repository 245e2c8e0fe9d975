@SEND-02
Feature: SEND-02 — Not sending takes exactly one extra click
  Not sending takes exactly one extra click.

  Scenario: The professional keeps a document out of the DMP
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes a consultation report for Camille Legrand
    And the professional records that the patient opposes sending it
    And the professional validates and prints it
    Then not sending took exactly one click besides validating and printing
    And the DMP receives nothing for Camille Legrand
