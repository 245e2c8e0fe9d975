@OPP-04
Feature: OPP-04 — A patient who opposed: no consultation without a new explicit answer
  A patient who opposed: the LGC never consults that DMP without a new explicit answer.

  Scenario: The professional opens the DMP of a patient who opposed
    Given Camille Legrand has a patient file with a qualified INS
    And the professional has recorded that Camille Legrand opposes the consultation of her DMP
    When the professional opens the DMP of Camille Legrand again
    Then the LGC does not consult the DMP of Camille Legrand
