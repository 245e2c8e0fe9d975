@INS-07
Feature: INS-07 — Every INSi outcome is recorded, the identity stays unqualified, nothing blocks
  INSi answer "no identity", "several identities", an error or no answer at all: the LGC records
  the outcome, keeps the identity unqualified, and does not block.

  Scenario Outline: INSi answers <answer>
    Given Camille Legrand has a patient file
    And INSi answers <answer>
    When a professional opens the patient file of Camille Legrand
    Then the patient file of Camille Legrand records that INSi answered "<outcome>"
    And the identity of Camille Legrand is not qualified

    Examples:
      | answer                          | outcome   |
      | that it finds no identity       | not-found |
      | that it finds several identities | several   |
      | with an error                   | error     |

  @timing
  Scenario: INSi never answers
    Given Camille Legrand has a patient file
    And INSi is slow: it answers only when released
    When a professional opens the patient file of Camille Legrand
    Then the LGC answers the user within 1000 ms while INSi has not answered
    And the identity of Camille Legrand is not qualified
    When INSi drops the connection without answering
    Then the patient file of Camille Legrand records that INSi answered "no-answer"
    And the identity of Camille Legrand is not qualified
