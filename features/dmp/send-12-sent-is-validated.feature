@SEND-12
Feature: SEND-12 — The document sent is the document the professional validated
  The document sent (to MES/DMP, or in an MSSanté XDM package) is the document the professional
  validated: its CDA carries what was written and validated — each prescription line, the vaccine
  with its lot and date, the VSM's items, the patient of the file, and as author the professional
  at the workstation — not a template's content. Each typed item is looked for, NFC-normalised
  with white space collapsed, in its CI-SIS section: in the narrative and in an entry.

  Background:
    Given Camille Legrand has a patient file with a qualified INS

  Scenario: A prescription of two lines
    When the professional writes a prescription for Camille Legrand:
      | product                              | dosage                                     |
      | IBUPROFENE 400 mg, comprimé pelliculé | 1 comprimé matin et soir pendant 3 jours    |
      | OMEPRAZOLE 20 mg, gélule              | 1 gélule le matin à jeun pendant 3 jours    |
    And the professional validates and prints it
    Then the document the DMP received is the one the professional validated

  Scenario: A vaccination
    When the professional writes a vaccination for Camille Legrand:
      | vaccine                                 | lot      | date       |
      | Vaccin contre la diphtérie et le tétanos | DT2026X7 | 2026-11-30 |
    And the professional validates and prints it
    Then the document the DMP received is the one the professional validated

  Scenario: A VSM whose items were typed
    When the professional writes a VSM for Camille Legrand:
      | kind      | text                                  |
      | problem   | Asthme allergique                     |
      | problem   | Hypothyroïdie                         |
      | treatment | LEVOTHYROXINE 75 µg, 1 comprimé le matin |
      | allergy   | Acariens                              |
    And the professional validates and prints it
    Then the document the DMP received is the one the professional validated

  Scenario: A consultation report sent to a colleague through the secure messaging (IHE XDM)
    Given the professional has validated a consultation report for Camille Legrand
    When the professional sends the consultation report to a colleague through the secure messaging
    Then the CDA in the XDM package the operator received is the one the professional validated, for a qualified identity
