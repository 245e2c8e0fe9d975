@INS-04
Feature: INS-04 — Opening the patient file triggers the INSi call with the file's identity traits
  Trigger: opening the patient file, using the file's identity traits (nom de naissance, premier
  prénom, sexe, date de naissance) — never the used name.

  Scenario: Opening the file of a patient known under her used name
    Given Elise Bertrand has a patient file, with the used name "ROUSSEL"
    When a professional opens the patient file of Elise Bertrand
    Then the LGC looks up the INS with INSi using the identity traits of Elise Bertrand's file

  Scenario: Opening the file of a patient born in Corsica
    Given Paul Santoni has a patient file
    When a professional opens the patient file of Paul Santoni
    Then the LGC looks up the INS with INSi using the identity traits of Paul Santoni's file
