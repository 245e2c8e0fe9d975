@SEND-09
Feature: SEND-09 — A note de vaccination holds one vaccination
  A « note de vaccination » holds one vaccination line: two vaccines in one visit give two documents.
  Source: 000_d35c01a7b61bcf49.txt, « Alimenter Mon espace santé : La note de vaccination ».

  Scenario: Two vaccines given at the same visit
    Given Camille Legrand has a patient file with a qualified INS
    When the professional records two vaccinations for Camille Legrand at this visit
    And the professional validates and prints the notes
    Then the DMP receives two notes de vaccination for Camille Legrand, each holding one vaccination
