@OPP-01
Feature: OPP-01 — Feeding Mon espace santé is opt-out: the non-opposition box is pre-checked
  For feeding MES/DMP, the box « information et non opposition du patient » is pre-checked: by
  default the patient does not oppose, and documents are sent.
  Source: 004_c5de066f89c17871.txt, « Une alimentation du DMP / Mon espace santé simple et systématique ».

  Background:
    Given Camille Legrand has a patient file with a qualified INS

  Scenario Outline: A new <document> is to be sent unless the patient opposes
    When the professional writes <document> for Camille Legrand
    Then the box « information et non opposition du patient » is already checked
    When the professional validates and prints it
    Then the DMP receives the document of Camille Legrand

    Examples:
      | document               |
      | a consultation report  |
      | a prescription         |
