@CDA-07 @rule-pack
Feature: CDA-07 — Every document sent passes the ANS schematron of its type
  The document passes the ANS schematrons for its type, where they are available (ANS
  TestContenuCDA rule pack; the schematron is chosen from the document's templateIds). Not selected
  when Vigie has no rule pack. Non-structured (N1) documents are judged by the header schematron,
  which cannot run upstream (a value-set file is missing from the pack): they are not listed here.

  Scenario Outline: <document> sent to the DMP
    Given Camille Legrand has a patient file with a qualified INS
    When the professional writes <document> for Camille Legrand
    And the professional validates and prints it
    Then the document the DMP received passes the ANS schematron of its type

    Examples:
      | document       |
      | a prescription |
      | a VSM          |
      | a vaccination  |
