@SEND-04
Feature: SEND-04 — Sending runs in the background
  Sending runs in the background without blocking the user. Measured: with the DMP holding its
  answer, validation answers the user within 1000 ms; the DMP answers only when released.

  @timing
  Scenario: The DMP is slow to answer
    Given Camille Legrand has a patient file with a qualified INS
    And the DMP is slow: it answers only when released
    When the professional writes a consultation report for Camille Legrand
    And the professional validates and prints it
    Then the LGC answers the user within 1000 ms while the DMP has not answered
    When the DMP answers
    Then the LGC shows the document as sent
