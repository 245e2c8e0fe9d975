@SEND-01
Feature: SEND-01 — Validating and printing sends the document: no extra click
  The order to send to MES/DMP is given by the same click that validates and prints the
  document: no extra click (not even to choose a document type).

  Scenario Outline: Validating and printing <document>
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes <document> for Camille Legrand
    And the professional validates and prints it
    Then validating and printing took exactly one click
    And the DMP receives the document of Camille Legrand

    Examples:
      | document              |
      | a consultation report |
      | a prescription        |
      | a VSM                 |
