/**
 * The words of the attended console: how Vigie names workstations, documents and what it asks
 * about the LGC's screen, in French, for the person at the keyboard. Each question is one field
 * of the driver's views (IdentityView, DocumentView…), named by the same path the steps use
 * (e.g. 'ins.status'), so a step asks only about what it judges.
 */
import type { DocumentType, Masking, Traits, Workstation } from '../driver';
import type { TaskField } from './session';

const SEX: Record<string, string> = { M: 'masculin', F: 'féminin', I: 'indéterminé' };
export const frenchDate = (iso: string) => iso.split('-').reverse().join('/');

export function workstationWords(ws: Workstation): string {
  const place = ws.role === 'PS' ? 'le poste du médecin' : 'le poste du secrétariat';
  const card =
    ws.card === 'CPS'
      ? `carte CPS de ${ws.user ?? 'du médecin'}`
      : ws.card === 'CPE-nominative'
        ? `carte CPE nominative de ${ws.user ?? 'la secrétaire'}`
        : 'carte CPE anonyme';
  return `${place} (${card} dans le lecteur)`;
}

export function traitRows(traits: Traits): [string, string][] {
  const rows: [string, string | undefined][] = [
    ['Nom de naissance', traits.birthName],
    ['Nom utilisé', traits.usedName],
    ['Premier prénom', traits.firstName],
    ['Prénoms', traits.firstNames],
    ['Sexe', SEX[traits.sex] ?? traits.sex],
    ['Date de naissance', frenchDate(traits.birthDate)],
    ['Lieu de naissance (code INSEE)', traits.birthPlace],
  ];
  return rows.filter((r): r is [string, string] => !!r[1]);
}

export const DOCUMENT_WORDS: Record<DocumentType, string> = {
  prescription: 'une ordonnance',
  'vaccination-note': 'une note de vaccination',
  vsm: 'une synthèse médicale (VSM)',
  'consultation-report': 'un compte rendu de consultation',
};

export const MASKING_WORDS: Record<Masking, string> = {
  professionals: 'aux professionnels de santé',
  patient: 'au patient',
  'legal-representatives': 'aux représentants légaux',
};

const yesno = (name: string, label: string): TaskField => ({ name, label, kind: 'yesno' });
const choice = (name: string, label: string, choices: [string, string][], multiple = false): TaskField => ({
  name,
  label,
  kind: 'choice',
  choices: choices.map(([value, text]) => ({ value, label: text })),
  ...(multiple ? { multiple: true, optional: true } : {}),
});
const text = (name: string, label: string, optional = false, multiline = false): TaskField => ({
  name,
  label,
  kind: 'text',
  ...(optional ? { optional } : {}),
  ...(multiline ? { multiline } : {}),
});
const number = (name: string, label: string): TaskField => ({ name, label, kind: 'number' });

export const TRAIT_WORDS: Record<'birthName' | 'firstName' | 'birthDate' | 'sex', string> = {
  birthName: 'nom de naissance',
  firstName: 'premier prénom',
  birthDate: 'date de naissance',
  sex: 'sexe',
};

/** The questions about the identity panel, by the IdentityView field they fill. */
export const IDENTITY_QUESTIONS: Record<string, TaskField[]> = {
  'ins.status': [
    choice('ins.status', "Quel est l'état de l'identité affiché ?", [
      ['none', 'Identité provisoire (pas d’INS)'],
      ['recovered', 'INS récupérée, non qualifiée'],
      ['qualified', 'INS qualifiée'],
    ]),
  ],
  'ins.matricule': [text('ins.matricule', 'Matricule INS affiché, avec sa clé (15 caractères ; vide si aucun)', true)],
  'ins.qualifiedBy': [text('ins.qualifiedBy', 'Qui a qualifié l’INS, selon le logiciel ? (nom affiché ; vide si rien)', true)],
  'insi.lastCall': [
    choice('insi.lastCall.outcome', 'Que dit le logiciel du dernier appel au téléservice INSi ?', [
      ['pending', 'Appel en cours'],
      ['found', 'Identité trouvée'],
      ['not-found', 'Aucune identité trouvée'],
      ['several', 'Plusieurs identités trouvées'],
      ['error', 'Erreur du téléservice'],
      ['no-answer', 'Pas de réponse du téléservice'],
    ]),
    text('insi.lastCall.message', 'Message affiché au sujet de cet appel (s’il y en a un)', true),
  ],
  'qualification.offered': [
    yesno('qualification.offered', 'Le logiciel propose-t-il de qualifier l’identité (une action « Qualifier » visible) ?'),
  ],
  'qualification.documents': [
    text(
      'qualification.documents',
      'Recopiez les justificatifs d’identité proposés pour la qualification, un par ligne (dans l’ordre affiché)',
      true,
      true,
    ),
  ],
  'qualification.exceptionProcedure': [
    yesno('qualification.exceptionProcedure.offered', 'Le logiciel propose-t-il une procédure d’exception (qualifier sans justificatif) ?'),
    text(
      'qualification.exceptionProcedure.attestation',
      'Recopiez exactement le texte de l’attestation affichée pour cette procédure (vide si aucun)',
      true,
      true,
    ),
  ],
  'qualification.comparison': [
    ...(['birthName', 'firstName', 'birthDate', 'sex'] as const).flatMap((t) => [
      text(`comparison.${t}.file`, `Comparaison — ${TRAIT_WORDS[t]}, valeur du dossier (telle qu’affichée ; date en AAAA-MM-JJ)`, true),
      text(`comparison.${t}.insi`, `Comparaison — ${TRAIT_WORDS[t]}, valeur renvoyée par INSi`, true),
    ]),
    choice(
      'comparison.differs',
      'Quels traits le logiciel signale-t-il comme différents ?',
      (['birthName', 'firstName', 'birthDate', 'sex'] as const).map((t) => [t, TRAIT_WORDS[t]]),
      true,
    ),
  ],
};

/** The questions about a document, by the DocumentView field they fill. */
export const DOCUMENT_QUESTIONS: Record<string, TaskField[]> = {
  'sendToDmp.checked': [yesno('sendToDmp.checked', 'La case d’envoi au DMP est-elle cochée ?')],
  'dmp.status': [
    choice('dmp.status', 'Que dit le logiciel de l’envoi de ce document au DMP ?', [
      ['not-sent', 'Non envoyé (et ne le sera pas)'],
      ['pending', 'Envoi en cours'],
      ['sent', 'Envoyé'],
      ['refused', 'Refusé par le DMP'],
      ['error', 'Erreur d’envoi'],
    ]),
  ],
  'dmp.message': [text('dmp.message', 'Recopiez le message affiché au sujet de l’envoi (vide si aucun)', true)],
  typeCode: [text('typeCode', 'Type de document retenu par le logiciel (code LOINC s’il est affiché, sinon le libellé)', true)],
  typeCodeSetBy: [
    choice('typeCodeSetBy', 'Ce type a-t-il été choisi par le logiciel ou par vous ?', [
      ['automatic', 'Par le logiciel, sans rien demander'],
      ['user', 'J’ai dû le choisir'],
    ]),
  ],
  status: [
    choice('status', 'Le document est-il validé ?', [
      ['draft', 'Non, brouillon'],
      ['validated', 'Oui, validé'],
    ]),
  ],
  'printed.datamatrix': [yesno('printed.datamatrix', 'L’ordonnance imprimée porte-t-elle un code Datamatrix ?')],
};

export const clicksQuestion = (what: string): TaskField =>
  number('clicks', `Combien de clics (ou touches de validation) vous a-t-il fallu pour ${what}, depuis l’écran où vous étiez ?`);
export const screensQuestion = number(
  'screenChanges',
  "Combien de fois l'écran a-t-il changé (nouvelle page ou fenêtre) pendant ce geste ?",
);
export { yesno, choice, text, number };
