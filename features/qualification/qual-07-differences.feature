@QUAL-07
Feature: QUAL-07 — Differences between the file and INSi are shown side by side and highlighted
  When traits are not exactly concordant, the LGC shows the file's traits and the INSi traits
  side by side and highlights every difference.

  Scenario: Two traits differ
    Given Jean-Philippe Guivarch has a patient file
    When a professional opens the patient file of Jean-Philippe Guivarch
    And INSi has answered the LGC about Jean-Philippe Guivarch
    Then the identity panel shows side by side, highlighting every difference:
      | trait      | file          | INSi          | highlighted |
      | birth name | GUIVARC'H     | GUIVARCH      | yes         |
      | first name | Jean-Philippe | JEAN PHILIPPE | yes         |
      | birth date | 1969-10-10    | 1969-10-10    | no          |
      | sex        | M             | M             | no          |

  Scenario: Only the sex differs
    Given Claude Duval has a patient file
    When a professional opens the patient file of Claude Duval
    And INSi has answered the LGC about Claude Duval
    Then the identity panel shows side by side, highlighting every difference:
      | trait      | file       | INSi       | highlighted |
      | birth name | DUVAL      | DUVAL      | no          |
      | first name | CLAUDE     | CLAUDE     | no          |
      | birth date | 1960-06-15 | 1960-06-15 | no          |
      | sex        | F          | M          | yes         |
