@SEND-07
Feature: SEND-07 — The Ségur features cannot be deactivated by the user
  Ségur features (INS, DMP) cannot be deactivated by the user.

  Scenario: The user tries to switch DMP feeding off
    Given Camille Legrand has a patient file with a qualified INS
    And the LGC sends a consultation report of Camille Legrand to the DMP when it is validated
    When the professional tries to switch off the feeding of the DMP in the settings
    Then the LGC refuses to switch off the feeding of the DMP
    When the professional writes a consultation report for Camille Legrand
    And the professional validates and prints it
    Then the DMP receives the document of Camille Legrand

  Scenario: The user tries to switch the INSi call off
    Given Lucas Martin has a patient file
    When the professional tries to switch off the INSi call in the settings
    Then the LGC refuses to switch off the INSi call
    When Lucas Martin comes to the practice: the Carte Vitale is inserted, then the patient file opened
    Then the LGC looks up the INS of Lucas Martin with INSi, without any other action from the user
