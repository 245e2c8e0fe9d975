/** The DMP feeding and consultation oracles (OPP-01…04, SEND-01…11). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asksNonOppositionWithReminder, consulted, notAskedAgain, notConsulted } from '../../../src/oracles/dmp-consultation';
import {
  confidentialityCarried,
  documentReceived,
  keptInFile,
  noClickBesidesValidate,
  noResubmission,
  notSendingInOneClick,
  nothingReceived,
  oneVaccinationPerNote,
  printedWithout2dCode,
  refusalShown,
  sendBoxChecked,
  settingRefused,
  shownNotSent,
  shownSent,
  typeCodeSetAutomatically,
  validatedInOneClick,
  visibleToAll,
  xdsTypeCodeIs,
} from '../../../src/oracles/dmp-feeding';

const entry = (o: Partial<{ typeCode: string; confidentialityCodes: string[] }> = {}) => ({
  entryId: 'Document01',
  typeCode: '11488-4',
  confidentialityCodes: ['N'],
  content: Buffer.alloc(0),
  ...o,
});
const sub = (seq: number, outcome = 'accepted') => ({ seq, outcome, receivedAt: '2026-12-02T10:00:00Z', documents: [entry()] });
const editor = (o: object = {}) => ({
  sendToDmp: { checked: true },
  typeCode: '11488-4',
  typeCodeSetBy: 'automatic',
  status: 'validated',
  dmp: { status: 'sent' },
  ...o,
});
const click = (purpose: string, label?: string) => ({ purpose, label });

test('OPP-01/SEND-03: the box checked', () => {
  assert.equal(sendBoxChecked(editor()).status, 'pass');
  assert.equal(sendBoxChecked(editor({ sendToDmp: { checked: false } })).status, 'fail');
});

test('received / nothing received, with the submissions as evidence', () => {
  assert.equal(documentReceived('p', 'INS', [sub(1)], 1500, []).status, 'pass');
  assert.equal(documentReceived('p', 'INS', [], 1500, [sub(2)]).status, 'fail');
  assert.equal(nothingReceived('p', [], 1500).status, 'pass');
  const late = nothingReceived('p', [sub(3)], 1500);
  assert.equal(late.status, 'fail');
  assert.deepEqual(late.evidence, ['DMP submission #3']);
});

test('OPP-02, SEND-04, SEND-10: what the editor shows', () => {
  assert.equal(shownNotSent(editor({ dmp: { status: 'not-sent' } })).status, 'pass');
  assert.equal(shownNotSent(editor()).status, 'fail');
  assert.equal(shownSent(editor(), 2000).status, 'pass');
  assert.equal(shownSent(editor({ dmp: { status: 'pending' } }), 2000).status, 'fail');
  assert.equal(refusalShown(editor({ dmp: { status: 'refused', message: 'Refus du DMP : DMP fermé' } }), 'DMP fermé', 2000).status, 'pass');
  assert.equal(refusalShown(editor({ dmp: { status: 'error' } }), 'DMP fermé', 2000).status, 'fail');
  assert.equal(keptInFile(editor()).status, 'pass');
  assert.equal(keptInFile(editor({ status: 'draft' })).status, 'fail');
});

test('SEND-01/02/06: clicks counted, whatever they are called', () => {
  assert.equal(validatedInOneClick([click('validate-and-print')]).status, 'pass');
  assert.equal(validatedInOneClick([click('validate-and-print'), click('choose-document-type')]).status, 'fail');
  assert.equal(notSendingInOneClick([click('do-not-send')]).status, 'pass');
  assert.equal(notSendingInOneClick([click('do-not-send'), click('confirm')]).status, 'fail');
  assert.equal(noClickBesidesValidate([click('validate-and-print')]).status, 'pass');
  assert.equal(
    noClickBesidesValidate([click('validate-and-print'), click('preferences', "Préférences d'affichage")]).status,
    'fail',
    'a dialog named otherwise is still a click',
  );
});

test('SEND-05/06/11: type and confidentiality codes', () => {
  assert.equal(typeCodeSetAutomatically(editor(), '11488-4').status, 'pass');
  assert.equal(typeCodeSetAutomatically(editor({ typeCodeSetBy: 'user' }), '11488-4').status, 'fail');
  assert.equal(xdsTypeCodeIs(entry(), '11488-4', 'DMP submission #1').status, 'pass');
  assert.equal(xdsTypeCodeIs(entry({ typeCode: '34133-9' }), '11488-4', 'DMP submission #1').status, 'fail');
  assert.equal(visibleToAll(entry()).status, 'pass');
  assert.equal(visibleToAll(entry({ confidentialityCodes: ['N', 'MASQUE_PS'] })).status, 'fail');
  assert.equal(confidentialityCarried(entry({ confidentialityCodes: ['N', 'INVISIBLE_PATIENT'] }), 'INVISIBLE_PATIENT').status, 'pass');
  assert.equal(confidentialityCarried(entry(), 'INVISIBLE_PATIENT').status, 'fail');
});

test('SEND-07/08/09', () => {
  assert.equal(settingRefused('dmpFeeding', { applied: [], refused: ['dmpFeeding'] }).status, 'pass');
  assert.equal(settingRefused('dmpFeeding', { applied: ['dmpFeeding'], refused: [] }).status, 'fail');
  assert.equal(printedWithout2dCode({ datamatrix: false }).status, 'pass');
  assert.equal(printedWithout2dCode({ datamatrix: true }).status, 'fail');
  assert.equal(printedWithout2dCode(undefined).status, 'fail');
  assert.equal(oneVaccinationPerNote([1, 1], []).status, 'pass');
  assert.equal(oneVaccinationPerNote([2], []).status, 'fail');
});

test('SEND-10: submissions stop after the refusal — any resubmission in the window fails', () => {
  assert.equal(noResubmission([], 5000).status, 'pass');
  const verdict = noResubmission([sub(4), sub(5)], 5000);
  assert.equal(verdict.status, 'fail');
  assert.match(verdict.seen, /2 resubmission/);
});

test('OPP-03: a reminder of its own — the question saying « informé » is not one', () => {
  const question = "Le patient, informé au préalable, s'oppose-t-il à la consultation de son DMP ?";
  assert.equal(
    asksNonOppositionWithReminder({
      asked: true,
      question: "Le patient s'oppose-t-il à la consultation ?",
      reminder: 'Le patient doit avoir été informé au préalable.',
      consulted: false,
    }).status,
    'pass',
  );
  assert.equal(asksNonOppositionWithReminder({ asked: true, question, consulted: false }).status, 'fail');
  assert.equal(asksNonOppositionWithReminder({ asked: true, question, reminder: question, consulted: false }).status, 'fail');
  assert.equal(asksNonOppositionWithReminder({ asked: false, consulted: true }).status, 'fail');
});

test('OPP-03/04: consulted or not, on the queries that reached the DMP', () => {
  assert.equal(notConsulted('p', [], 1500).status, 'pass');
  assert.equal(notConsulted('p', [{ seq: 1 }], 1500).status, 'fail');
  assert.equal(consulted('p', 'INS', [{ seq: 1 }], 1500).status, 'pass');
  assert.equal(consulted('p', 'INS', [], 1500).status, 'fail');
  assert.equal(notAskedAgain({ asked: false, consulted: true }).status, 'pass');
  assert.equal(notAskedAgain({ asked: true, consulted: false }).status, 'fail');
});
