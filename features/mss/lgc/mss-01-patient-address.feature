@MSS-01
Feature: MSS-01 — The patient's address is built from the qualified INS
  The patient's address is <matricule INS>@patient.mssante.fr: 15 characters, the 13-character
  NIR/NIA then its 2-digit key (key = 97 − (number mod 97), Corsica's 2A/2B read as 19/18).

  Scenario Outline: Writing to <patient>
    Given <patient> has a patient file with a qualified INS
    When the professional writes to <patient> through the secure messaging
    Then the message is addressed to the INS of <patient> at patient.mssante.fr, 15 characters with a valid key

    Examples:
      | patient         |
      | Camille Legrand |
      | Paul Santoni    |

  Scenario: A patient without an INS has no address
    Given Lucas Martin has a patient file
    When the professional tries to write to Lucas Martin through the secure messaging
    Then nothing is sent to a patient.mssante.fr address

  Scenario: A patient whose INS INSi returned but nobody qualified has no address yet
    Given Lucas Martin has a patient file
    And INSi has already returned the INS of Lucas Martin, which nobody qualified
    When the professional tries to write to Lucas Martin through the secure messaging
    Then nothing is sent to a patient.mssante.fr address
