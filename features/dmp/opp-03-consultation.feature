@OPP-03
Feature: OPP-03 — Consulting the DMP: non-opposition asked explicitly, once, and recorded
  For consulting MES/DMP, the LGC asks for non-opposition explicitly at the first consultation,
  reminding the PS that the patient must be informed beforehand, and records the answer so later
  consultations do not ask again.

  Background:
    Given Camille Legrand has a patient file with a qualified INS

  Scenario: The first consultation asks, and reminds that the patient must be informed
    When the professional opens the DMP of Camille Legrand for the first time
    Then the LGC asks whether the patient, informed beforehand, opposes the consultation
    And the LGC does not consult the DMP of Camille Legrand
    When the professional answers that the patient does not oppose
    Then the LGC consults the DMP of Camille Legrand

  Scenario: The answer is recorded: later consultations do not ask again
    Given the professional has recorded that Camille Legrand does not oppose the consultation of her DMP
    When the professional opens the DMP of Camille Legrand again
    Then the LGC consults the DMP of Camille Legrand without asking again
