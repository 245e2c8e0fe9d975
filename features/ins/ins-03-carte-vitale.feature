@INS-03
Feature: INS-03 — Inserting the patient's Carte Vitale triggers the INSi call with the card's data
  Trigger: insertion of the patient's Carte Vitale (on the PS or the secretariat workstation),
  using the card's data.

  Scenario Outline: The Carte Vitale is inserted on the <workstation> workstation
    Given Paul Santoni has a patient file
    When the Carte Vitale of Paul Santoni is inserted on the <workstation> workstation
    Then the LGC looks up the INS with INSi using the data of Paul Santoni's Carte Vitale

    Examples:
      | workstation    |
      | professional's |
      | secretariat's  |

  Scenario: The card of a patient the practice does not know yet
    When the Carte Vitale of Lucas Martin is inserted on the secretariat's workstation
    Then the LGC looks up the INS with INSi using the data of Lucas Martin's Carte Vitale
