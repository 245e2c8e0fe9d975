@QUAL-05
Feature: QUAL-05 — The exception procedure qualifies only on perfect concordance
  The exception procedure qualifies only on perfect concordance of nom de naissance, premier
  prénom de naissance, date de naissance and sexe between the file and INSi. (That it does qualify
  on perfect concordance is QUAL-02's one-click scenario.)

  Scenario Outline: <patient>'s file and INSi differ on the <trait>
    Given <patient> has a patient file
    And <insi>
    And a professional has opened the patient file of <patient> and INSi has answered
    When the professional qualifies the INS through the exception procedure
    Then the qualification is refused
    And the identity of <patient> is not qualified

    Examples:
      | patient              | trait      | insi                                                      |
      | Maelle Guivarch      | birth name | INSi knows Maelle Guivarch as she is registered nationally |
      | Jean-Philippe Moreau | first name | INSi knows Jean-Philippe Moreau as he is registered nationally |
      | Claude Duval         | sex        | INSi knows Claude Duval as registered nationally          |
      | Camille Legrand      | birth date | INSi knows Camille Legrand as born on 1985-04-21          |

