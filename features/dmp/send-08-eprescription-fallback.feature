@SEND-08
Feature: SEND-08 — A prescription is sent even when the ordonnance numérique service fails
  A prescription is created and sent to MES even when the ordonnance numérique teleservice module
  is inactive, answers KO, or does not answer; in those cases it is produced without the
  ordonnance numérique 2D code.

  Scenario Outline: The ordonnance numérique service <state>
    Given Camille Legrand has a patient file with a qualified INS
    And the LGC sends a prescription of Camille Legrand to the DMP when it is validated
    And the ordonnance numérique service <state>
    When the professional writes a prescription for Camille Legrand
    And the professional validates and prints it
    Then the prescription is printed without the ordonnance numérique 2D code
    And the DMP receives the document of Camille Legrand

    Examples:
      | state                  |
      | answers KO             |
      | does not answer        |
      | module is not activated |
