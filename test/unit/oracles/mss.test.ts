/** MSSanté oracles: the LGC's mail (MSS-01/05/07/08/10) and the operator's rules (MSS-02/03/04/06/07/09/11). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addressedToIns,
  attachedAsCdaInXdm,
  attachedAsPdfOrJpg,
  bounceShownOnMessage,
  nothingToPatientAddress,
  readReceiptRequested,
  shownAsRead,
  subjectIsExactly,
} from '../../../src/oracles/mss-messages';
import {
  autoreplyReceived,
  bounceCameBack,
  bounceSays,
  finNotDelivered,
  isDsn,
  patientMessageArrived,
  patientNotified,
  readingNeedsActivation,
} from '../../../src/oracles/mss-service';
import { writeZipForTest } from './zip-helper';

const mail = (
  to: string[],
  o: Partial<{
    subject: string;
    headers: Record<string, string>;
    attachments: { filename?: string; contentType: string; size: number; content: Buffer }[];
  }> = {},
) => ({
  seq: 7,
  envelope: { from: 'cabinet@medecin.mssante.fr', to },
  subject: o.subject,
  headers: o.headers ?? {},
  attachments: o.attachments ?? [],
});
const PDF = Buffer.from('%PDF-1.4\n…');
const DSN_TYPE = 'multipart/report; report-type=delivery-status; boundary="x"';
const SENTENCE =
  "Le message que vous avez envoyé à l'adresse \"285047511208727@patient.mssante.fr\" n'a pas pu être distribué, car cette adresse Mon espace santé n'existe pas.";

test('MSS-01: the qualified INS, 15 characters with a valid key; another address or a wrong key fails', () => {
  assert.equal(addressedToIns('285047511208727', mail(['285047511208727@patient.mssante.fr']), 1500, []).status, 'pass');
  assert.equal(addressedToIns('285047511208727', mail(['2850475112087@patient.mssante.fr']), 1500, []).status, 'fail');
  assert.equal(addressedToIns('285047511208727', undefined, 1500, []).status, 'fail');
  assert.equal(nothingToPatientAddress([], 1500).status, 'pass');
  assert.equal(nothingToPatientAddress([mail(['278026912304518@patient.mssante.fr'])], 1500).status, 'fail');
});

test('MSS-07 (LGC): the subject exactly « [FIN] »', () => {
  assert.equal(subjectIsExactly('[FIN]', mail(['x@patient.mssante.fr'], { subject: '[FIN]' }), 1500, []).status, 'pass');
  assert.equal(subjectIsExactly('[FIN]', mail(['x@patient.mssante.fr'], { subject: '[fin]' }), 1500, []).status, 'fail');
  assert.equal(subjectIsExactly('[FIN]', mail(['x@patient.mssante.fr'], { subject: '[FIN] merci' }), 1500, []).status, 'fail');
});

test('MSS-08: Disposition-Notification-To, then shown as read', () => {
  assert.equal(
    readReceiptRequested(
      mail([], { headers: { 'disposition-notification-to': '<cabinet@medecin.mssante.fr>' } }),
      'cabinet@medecin.mssante.fr',
    ).status,
    'pass',
  );
  assert.equal(readReceiptRequested(mail([]), 'cabinet@medecin.mssante.fr').status, 'fail');
  assert.equal(shownAsRead({ messages: [{ messageId: 'm1', status: 'read' }] }, 'm1', 2000).status, 'pass');
  assert.equal(shownAsRead({ messages: [{ messageId: 'm1', status: 'sent' }] }, 'm1', 2000).status, 'fail');
});

test('MSS-10: PDF or JPG to a patient by bytes and type; a CDA in an XDM package to a colleague', () => {
  assert.equal(
    attachedAsPdfOrJpg(mail([], { attachments: [{ contentType: 'application/pdf', size: PDF.length, content: PDF }] })).status,
    'pass',
  );
  assert.equal(
    attachedAsPdfOrJpg(mail([], { attachments: [{ contentType: 'application/pdf', size: 5, content: Buffer.from('<Clin') }] })).status,
    'fail',
    'a CDA labelled PDF',
  );
  assert.equal(attachedAsPdfOrJpg(mail([])).status, 'fail');
  const xdm = writeZipForTest({
    'IHE_XDM/SUBSET01/METADATA.XML': '<SubmitObjectsRequest/>',
    'IHE_XDM/SUBSET01/DOC0001.XML': '<ClinicalDocument/>',
  });
  assert.equal(
    attachedAsCdaInXdm(mail([], { attachments: [{ contentType: 'application/zip', size: xdm.length, content: xdm }] })).status,
    'pass',
  );
  const bare = writeZipForTest({ 'DOC0001.XML': '<ClinicalDocument/>' });
  assert.equal(
    attachedAsCdaInXdm(mail([], { attachments: [{ contentType: 'application/zip', size: bare.length, content: bare }] })).status,
    'fail',
  );
});

test('MSS-05: the bounce on its message, naming the address', () => {
  const thread = { messages: [{ messageId: 'm1', status: 'bounced', bounce: { text: SENTENCE } }] };
  assert.equal(bounceShownOnMessage(thread, 'm1', '285047511208727@patient.mssante.fr', 2000).status, 'pass');
  assert.equal(
    bounceShownOnMessage({ messages: [{ messageId: 'm1', status: 'sent' }] }, 'm1', '285047511208727@patient.mssante.fr', 2000).status,
    'fail',
  );
});

test('MSS-02/03/04: a DSN about the recipient with the sentence whole; a paraphrase or no DSN fails', () => {
  const dsn = { from: ['mailer-daemon@patient.mssante.fr'], contentType: DSN_TYPE, text: SENTENCE };
  assert.ok(isDsn(dsn));
  assert.ok(!isDsn({ ...dsn, contentType: 'text/plain' }));
  assert.equal(bounceSays([dsn], '285047511208727@patient.mssante.fr', SENTENCE, 'pro').status, 'pass');
  assert.equal(
    bounceSays([{ ...dsn, text: SENTENCE.replace("n'existe pas", 'est inconnue') }], '285047511208727@patient.mssante.fr', SENTENCE, 'pro')
      .status,
    'fail',
  );
  assert.equal(bounceSays([{ ...dsn, contentType: 'text/plain' }], '285047511208727@patient.mssante.fr', SENTENCE, 'pro').status, 'fail');
});

test('MSS-11: bounced or delivered; notified; must activate to read', () => {
  const dsn = { from: ['mailer-daemon@x'], contentType: DSN_TYPE, text: 'about 285047511208727@patient.mssante.fr' };
  assert.equal(bounceCameBack([dsn], '285047511208727@patient.mssante.fr', true, 'pro').status, 'pass');
  assert.equal(bounceCameBack([], '285047511208727@patient.mssante.fr', true, 'pro').status, 'fail');
  assert.equal(bounceCameBack([], '285047511208727@patient.mssante.fr', false, 'pro', 1500).status, 'pass');
  assert.equal(bounceCameBack([dsn], '285047511208727@patient.mssante.fr', false, 'pro', 1500).status, 'fail');
  assert.equal(patientNotified({ outcome: 'delivered', notified: true }, 'p', 'x').status, 'pass');
  assert.equal(patientNotified({ outcome: 'delivered', notified: false }, 'p', 'x').status, 'fail');
  assert.equal(readingNeedsActivation({ opened: false, reason: 'must be activated' }, 'p').status, 'pass');
  assert.equal(readingNeedsActivation({ opened: true }, 'p').status, 'fail');
});

test('MSS-06/07/09: who may write, [FIN] not delivered, the TEST autoresponder', () => {
  const fromPatient = { from: ['285047511208727@patient.mssante.fr'], contentType: 'text/plain', text: 'Merci' };
  assert.equal(patientMessageArrived([fromPatient], '285047511208727@patient.mssante.fr', 'pro', true).status, 'pass');
  assert.equal(patientMessageArrived([], '285047511208727@patient.mssante.fr', 'pro', true).status, 'fail');
  assert.equal(patientMessageArrived([], '285047511208727@patient.mssante.fr', 'pro', false, 1500).status, 'pass');
  assert.equal(patientMessageArrived([fromPatient], '285047511208727@patient.mssante.fr', 'pro', false, 1500).status, 'fail');
  assert.equal(finNotDelivered([{ subject: 'Suite' }], 'p').status, 'pass');
  assert.equal(finNotDelivered([{ subject: '[FIN]' }], 'p').status, 'fail');
  assert.equal(
    autoreplyReceived([{ from: ['reponse.automatique-test@patient.mssante.fr'], contentType: 'text/plain' }], 'pro').status,
    'pass',
  );
  assert.equal(autoreplyReceived([], 'pro').status, 'fail');
});
