@MSS-10
Feature: MSS-10 — PDF or JPG to patients; CDA in an IHE XDM package between professionals
  Attachments to patients are PDF or JPG; clinical documents between professionals travel as CDA
  (in an IHE XDM package).

  Background:
    Given Camille Legrand has a patient file with a qualified INS
    And the professional has validated a consultation report for Camille Legrand

  Scenario: Sending the report to the patient
    When the professional sends the consultation report to Camille Legrand through the secure messaging
    Then the operator receives it with the report attached as PDF or JPG only

  Scenario: Sending the report to a colleague
    When the professional sends the consultation report to a colleague through the secure messaging
    Then the operator receives it with the report attached as a CDA document in an IHE XDM package
