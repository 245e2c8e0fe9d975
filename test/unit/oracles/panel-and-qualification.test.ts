/** The identity panel and qualification oracles (INS-02/07, QUAL-01…09). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identityNotQualified, insRecoveredShown, insiOutcomeRecorded, qualificationOffered } from '../../../src/oracles/identity-panel';
import {
  attestationOffered,
  attestationShownAtConfirmation,
  differencesHighlighted,
  documentsOffered,
  insQualified,
  qualificationRefused,
  qualifiedInOneClick,
} from '../../../src/oracles/qualification';

const panel = (ins: { status: string; matricule?: string }, outcome = 'found', offered = true) => ({
  ins,
  insi: { lastCall: { outcome } },
  qualification: { offered },
});
const SENTENCE =
  "J'atteste déjà connaître l'identité de cette personne et sa correspondance aux traits d'identité INSi. Cela me permet de partager ses données en toute sécurité";

test('INS-02: the recovered INS shown; another INS or none fails', () => {
  assert.equal(insRecoveredShown('p', '2850475112087', panel({ status: 'recovered', matricule: '2850475112087' }), 2000).status, 'pass');
  assert.equal(insRecoveredShown('p', '2850475112087', panel({ status: 'none' }), 2000).status, 'fail');
  assert.equal(insRecoveredShown('p', '2850475112087', undefined, 2000).status, 'fail');
});

test('INS-07: the outcome recorded; the identity not qualified', () => {
  assert.equal(insiOutcomeRecorded('not-found', panel({ status: 'none' }, 'not-found'), 2000).status, 'pass');
  assert.equal(insiOutcomeRecorded('not-found', panel({ status: 'none' }, 'pending'), 2000).status, 'fail');
  assert.equal(identityNotQualified('p', panel({ status: 'recovered' })).status, 'pass');
  assert.equal(identityNotQualified('p', panel({ status: 'qualified' })).status, 'fail');
});

test('QUAL-01: the qualification offered', () => {
  assert.equal(qualificationOffered('p', panel({ status: 'recovered' })).status, 'pass');
  assert.equal(qualificationOffered('p', panel({ status: 'recovered' }, 'found', false)).status, 'fail');
});

test('QUAL-02: qualified, in one click without a change of screen', () => {
  const ok = { qualified: true as const, clicks: 1, screenChanges: 0, shown: [] };
  assert.equal(insQualified('p', '2850475112087', ok, { status: 'qualified', matricule: '2850475112087' }).status, 'pass');
  assert.equal(insQualified('p', '2850475112087', ok, { status: 'recovered', matricule: '2850475112087' }).status, 'fail');
  assert.equal(qualifiedInOneClick(ok).status, 'pass');
  assert.equal(qualifiedInOneClick({ ...ok, clicks: 3 }).status, 'fail');
  assert.equal(qualifiedInOneClick({ ...ok, screenChanges: 1 }).status, 'fail');
});

test('QUAL-05/06/08/09: refused passes, qualified fails', () => {
  assert.equal(
    qualificationRefused({ qualified: false, reason: 'discordant-traits', message: 'Traits discordants', status: 422 }).status,
    'pass',
  );
  assert.equal(qualificationRefused({ qualified: true, clicks: 1, screenChanges: 0, shown: [] }).status, 'fail');
});

test('QUAL-03: the sentence whole, offered and shown at confirmation; a paraphrase fails', () => {
  assert.equal(attestationOffered(SENTENCE, true, `Confirmer : ${SENTENCE}`).status, 'pass');
  assert.equal(attestationOffered(SENTENCE, true, SENTENCE.replace('déjà ', '')).status, 'fail');
  assert.equal(
    attestationShownAtConfirmation(SENTENCE, { qualified: true, clicks: 1, screenChanges: 0, shown: [SENTENCE] }).status,
    'pass',
  );
  assert.equal(
    attestationShownAtConfirmation(SENTENCE, { qualified: true, clicks: 1, screenChanges: 0, shown: ['Je confirme.'] }).status,
    'fail',
  );
});

test('QUAL-04: exactly the documents; one missing or one more fails', () => {
  const six = [
    'Passeport (français ou étranger)',
    "Carte Nationale d'Identité (française ou étrangère)",
    "Extrait d'acte de naissance ou livret de famille",
    'Titre ou carte de séjour',
    "Document de demandeur d'asile avec photo",
    "Dispositif numérique d'identification/authentification forte",
  ];
  assert.equal(documentsOffered(six, [...six].reverse()).status, 'pass');
  assert.equal(documentsOffered(six, six.slice(0, 5)).status, 'fail');
  assert.equal(documentsOffered(six, [...six, 'Permis de conduire']).status, 'fail');
});

test('QUAL-07: every difference highlighted by the INS rules, and nothing else', () => {
  const file = { birthName: "GUIVARC'H", firstName: 'Jean-Philippe', birthDate: '1969-10-10', sex: 'M' };
  const insi = { birthName: 'GUIVARCH', firstName: 'JEAN PHILIPPE', birthDate: '1969-10-10', sex: 'M' };
  const rows = (t: Record<string, boolean>) =>
    Object.keys(file).map((k) => ({
      trait: k,
      file: file[k as keyof typeof file],
      insi: insi[k as keyof typeof insi],
      differs: t[k] ?? false,
    }));
  assert.equal(differencesHighlighted(file, insi, rows({ birthName: true, firstName: true })).status, 'pass');
  assert.equal(differencesHighlighted(file, insi, rows({ birthName: true })).status, 'fail', 'the first difference only');
  assert.equal(
    differencesHighlighted(file, insi, rows({ birthName: true, firstName: true, sex: true })).status,
    'fail',
    'an equal trait highlighted',
  );
  assert.equal(
    differencesHighlighted(
      file,
      insi,
      rows({ birthName: true, firstName: true }).filter((r) => r.trait !== 'sex'),
    ).status,
    'fail',
    'a trait not shown',
  );
});
