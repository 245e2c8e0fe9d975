/**
 * The MSSanté operator's rules on their own (src/doubles/mss/rules.ts): no socket, no tenant — one
 * recipient of one message in, one decision out. A test per rule (MSS-02/03/04/06/07/09/11) and per
 * seeded service defect; the sentences are compared with REQUIREMENTS.md §6 character for character.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MSS_DEFECTS,
  classifyAddress,
  decideRecipient,
  type MssDefect,
  type PatientState,
  type RecipientCase,
} from '../../src/doubles/mss';
import { recipientRefusal, senderRefusal, type SentToPatient } from '../../src/doubles/mss/rules';

// Copied character for character from REQUIREMENTS.md §6 (MSS-02/03/04), the « … » filled in.
const MSS02 = (a: string) =>
  `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car cette adresse Mon espace santé n'existe pas.`;
const MSS03 = (a: string) =>
  `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car la messagerie Mon espace santé de votre destinataire est clôturée.`;
const MSS04 = (a: string) =>
  `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car cette adresse Mon espace santé est invalide.`;

const DOCTOR = 'dr-martin.t1@medecin.mssante.fr';
const OTHER_DOCTOR = 'dr-durand.t1@medecin.mssante.fr';
const PHARMACY = 'pharmacie.t1@pharmacie.mssante.fr';
const PATIENT = '277010115400329@patient.mssante.fr';
const WRONG_KEY = '289456789012345@patient.mssante.fr';
const SHORT = '27701011540032@patient.mssante.fr';
const AUTORESPONDER = 'reponse.automatique-test@patient.mssante.fr';

/** A conversation: messages delivered to patients by Message-ID, and [FIN]s by (professional, patient). */
function conversation(sent: Record<string, SentToPatient> = {}, fins: Record<string, number> = {}) {
  return {
    sentToPatient: (id: string) => sent[id],
    finSeq: (professional: string, patient: string) => fins[`${professional} ${patient}`],
  };
}

function decide(
  options: {
    from?: string | null;
    to?: string;
    state?: PatientState;
    subject?: string;
    text?: string;
    refs?: string[];
    conversation?: ReturnType<typeof conversation>;
    toPharmacy?: boolean;
    defects?: MssDefect[];
  } = {},
) {
  const subject = options.subject ?? 'Vos résultats';
  const recipientCase: RecipientCase = {
    sender: options.from === null ? null : classifyAddress(options.from ?? DOCTOR),
    recipient: classifyAddress(options.to ?? PATIENT),
    patientState: options.state ?? 'activé',
    message: { subject, exactSubject: subject, text: options.text ?? 'Bonjour.', refs: options.refs ?? [] },
    conversation: options.conversation ?? conversation(),
    toPharmacy: options.toPharmacy ?? false,
    defects: new Set(options.defects ?? []),
  };
  return decideRecipient(recipientCase);
}

/** The patient replies to message <m1@x> that DOCTOR sent them as #5. */
const reply = (extra: Parameters<typeof decide>[0] = {}) =>
  decide({
    from: PATIENT,
    to: DOCTOR,
    refs: ['m1@x'],
    conversation: conversation({ 'm1@x': { seq: 5, professional: DOCTOR, patient: PATIENT } }),
    ...extra,
  });

describe('MSSanté rules, per rule', () => {
  test('MSS-11 activé: delivered, notified; the patient may answer it', () => {
    assert.deepEqual(decide(), {
      delivery: { to: PATIENT, outcome: 'delivered', reason: 'patient notified', notified: true, mustActivate: false },
      remember: 'sent-to-patient',
    });
  });

  test('MSS-11 créé non activé: delivered and notified, to be read once Mon espace santé is activated', () => {
    const decision = decide({ state: 'créé non activé' });
    assert.equal(decision.delivery.outcome, 'delivered');
    assert.equal(decision.delivery.notified, true);
    assert.equal(decision.delivery.mustActivate, true);
    assert.equal(decision.dsn, undefined);
  });

  test('MSS-02 opposé: bounced 5.1.1 with the exact sentence', () => {
    const decision = decide({ state: 'opposé' });
    assert.equal(decision.delivery.outcome, 'bounced');
    assert.deepEqual(decision.dsn, {
      address: PATIENT,
      status: '5.1.1',
      sentence: MSS02(PATIENT),
      diagnostic: 'Mon espace sante address does not exist',
    });
    assert.equal(decision.remember, undefined);
  });

  test('MSS-03 clôturé: bounced 5.2.1 with the exact sentence', () => {
    const decision = decide({ state: 'clôturé' });
    assert.equal(decision.delivery.outcome, 'bounced');
    assert.equal(decision.dsn?.status, '5.2.1');
    assert.equal(decision.dsn?.sentence, MSS03(PATIENT));
  });

  test('MSS-04 wrong key, wrong length: bounced 5.1.3 with the exact sentence, whatever the state', () => {
    for (const [to, why] of [
      [WRONG_KEY, 'key'],
      [SHORT, 'length'],
    ] as const) {
      const decision = decide({ to, state: 'opposé' });
      assert.equal(decision.delivery.outcome, 'bounced', to);
      assert.equal(decision.delivery.reason, `MSS-04: INS ${why}`);
      assert.equal(decision.dsn?.status, '5.1.3');
      assert.equal(decision.dsn?.sentence, MSS04(to));
    }
  });

  test('MSS-06 only a health actor writes to a patient: a patient is refused with a DSN, the null sender without', () => {
    const fromPatient = decide({ from: '179043135566296@patient.mssante.fr' });
    assert.equal(fromPatient.delivery.outcome, 'refused');
    assert.equal(fromPatient.dsn?.status, '5.7.1');
    assert.match(fromPatient.dsn!.sentence, /seul un acteur de santé peut écrire à un usager/);
    const nullSender = decide({ from: null });
    assert.equal(nullSender.delivery.outcome, 'refused');
    assert.equal(nullSender.dsn, undefined);
  });

  test("MSS-06 a patient may not write first to a professional, but may to a pharmacy's organisational mailbox", () => {
    const first = decide({ from: PATIENT, to: DOCTOR });
    assert.equal(first.delivery.outcome, 'refused');
    assert.match(first.dsn!.sentence, /seul un professionnel de santé peut débuter un échange/);
    const pharmacy = decide({ from: PATIENT, to: PHARMACY, toPharmacy: true });
    assert.equal(pharmacy.delivery.outcome, 'delivered');
    assert.equal(pharmacy.dsn, undefined);
  });

  test("MSS-06 a patient replies to what that professional sent them; not to another one's message", () => {
    assert.deepEqual(reply().delivery, { to: DOCTOR, outcome: 'delivered', reason: 'reply to message #5' });
    assert.equal(reply({ to: OTHER_DOCTOR }).delivery.outcome, 'refused');
  });

  test('MSS-06 a patient whose Mon espace santé is not activé cannot write (no DSN to them)', () => {
    const decision = reply({ state: 'créé non activé' });
    assert.equal(decision.delivery.outcome, 'refused');
    assert.equal(decision.dsn, undefined);
  });

  test('MSS-07 [FIN] exactly: not delivered, the exchange ends; "[FIN] " and "[Fin]" are ordinary messages', () => {
    assert.deepEqual(decide({ subject: '[FIN]' }), {
      delivery: { to: PATIENT, outcome: 'not-delivered-fin', reason: 'MSS-07: [FIN] ends the exchange, not shown to the patient' },
      remember: 'fin',
    });
    for (const subject of ['[FIN] ', '[Fin]']) assert.equal(decide({ subject }).delivery.outcome, 'delivered', JSON.stringify(subject));
  });

  test('MSS-07 after [FIN]: a reply to an earlier message is refused; to a later one, delivered', () => {
    const afterFin = reply({
      conversation: conversation({ 'm1@x': { seq: 5, professional: DOCTOR, patient: PATIENT } }, { [`${DOCTOR} ${PATIENT}`]: 7 }),
    });
    assert.equal(afterFin.delivery.outcome, 'refused');
    assert.equal(afterFin.dsn?.status, '5.7.1');
    assert.match(afterFin.dsn!.sentence, /le professionnel a mis fin aux échanges/);
    const later = reply({
      conversation: conversation({ 'm1@x': { seq: 9, professional: DOCTOR, patient: PATIENT } }, { [`${DOCTOR} ${PATIENT}`]: 7 }),
    });
    assert.equal(later.delivery.outcome, 'delivered');
  });

  test('MSS-07 after [FIN] with a pharmacy: a new conversation may start', () => {
    const fins = { [`${PHARMACY} ${PATIENT}`]: 7 };
    const decision = decide({ from: PATIENT, to: PHARMACY, toPharmacy: true, conversation: conversation({}, fins) });
    assert.equal(decision.delivery.outcome, 'delivered');
    assert.match(decision.delivery.reason!, /new conversation after \[FIN\]/);
  });

  test('MSS-09 TEST in the subject and the body: acknowledged; otherwise, or from the null sender, not', () => {
    assert.deepEqual(decide({ to: AUTORESPONDER, subject: 'TEST', text: 'TEST' }), {
      delivery: { to: AUTORESPONDER, outcome: 'autoreplied', reason: 'MSS-09: TEST in subject and body' },
      autoreply: true,
    });
    for (const o of [
      { subject: 'TEST', text: 'essai' },
      { subject: 'essai', text: 'TEST' },
      { from: null, subject: 'TEST', text: 'TEST' },
    ]) {
      const decision = decide({ to: AUTORESPONDER, ...o });
      assert.equal(decision.delivery.outcome, 'delivered', JSON.stringify(o));
      assert.equal(decision.autoreply, undefined);
    }
  });

  test('between professionals: delivered, no rule applies', () => {
    assert.deepEqual(decide({ to: OTHER_DOCTOR }), { delivery: { to: OTHER_DOCTOR, outcome: 'delivered' } });
  });

  test('the envelope: senders and recipients outside the trust space refused at once', () => {
    assert.equal(senderRefusal(null), null);
    assert.equal(senderRefusal(classifyAddress(DOCTOR)), null);
    assert.equal(senderRefusal(classifyAddress('someone@gmail.com'))?.code, 550);
    assert.equal(senderRefusal(classifyAddress(AUTORESPONDER))?.code, 550);
    assert.equal(senderRefusal(classifyAddress(WRONG_KEY))?.code, 553);
    assert.equal(recipientRefusal(classifyAddress(PATIENT)), null);
    assert.match(recipientRefusal(classifyAddress('someone@gmail.com'))?.message ?? '', /^5\.7\.1 .*relay denied/);
  });
});

describe('MSSanté rules, per seeded service defect', () => {
  const cases: Record<MssDefect, () => void> = {
    'bounce-text-paraphrased': () => {
      const decision = decide({ state: 'opposé', defects: ['bounce-text-paraphrased'] });
      assert.equal(decision.delivery.outcome, 'bounced');
      assert.notEqual(decision.dsn?.sentence, MSS02(PATIENT));
      assert.match(decision.dsn!.sentence, /est inconnue\.$/);
    },
    'closed-bounce-missing': () => {
      const decision = decide({ state: 'clôturé', defects: ['closed-bounce-missing'] });
      assert.equal(decision.delivery.outcome, 'dropped');
      assert.equal(decision.dsn, undefined);
    },
    'invalid-address-accepted': () => {
      const decision = decide({ to: WRONG_KEY, defects: ['invalid-address-accepted'] });
      assert.equal(decision.delivery.outcome, 'delivered');
      assert.match(decision.delivery.reason!, /defect invalid-address-accepted/);
    },
    'fin-delivered': () => {
      const fin = decide({ subject: '[FIN]', defects: ['fin-delivered'] });
      assert.equal(fin.delivery.outcome, 'delivered');
      assert.equal(fin.remember, 'sent-to-patient');
      const fins = { [`${DOCTOR} ${PATIENT}`]: 7 };
      assert.equal(
        reply({
          defects: ['fin-delivered'],
          conversation: conversation({ 'm1@x': { seq: 5, professional: DOCTOR, patient: PATIENT } }, fins),
        }).delivery.outcome,
        'delivered',
      );
    },
    'patient-may-write-first': () => {
      assert.equal(decide({ from: PATIENT, to: DOCTOR, defects: ['patient-may-write-first'] }).delivery.outcome, 'delivered');
    },
    'no-test-autoresponder': () => {
      const decision = decide({ to: AUTORESPONDER, subject: 'TEST', text: 'TEST', defects: ['no-test-autoresponder'] });
      assert.equal(decision.delivery.outcome, 'delivered');
      assert.equal(decision.autoreply, undefined);
    },
    'created-not-activated-bounced': () => {
      const decision = decide({ state: 'créé non activé', defects: ['created-not-activated-bounced'] });
      assert.equal(decision.delivery.outcome, 'bounced');
      assert.equal(decision.dsn?.sentence, MSS02(PATIENT));
    },
    'opposed-delivered': () => {
      const decision = decide({ state: 'opposé', defects: ['opposed-delivered'] });
      assert.equal(decision.delivery.outcome, 'delivered');
      assert.equal(decision.dsn, undefined);
    },
    'activated-not-delivered': () => {
      const decision = decide({ defects: ['activated-not-delivered'] });
      assert.equal(decision.delivery.outcome, 'dropped');
      assert.equal(decision.dsn, undefined);
      assert.equal(decision.remember, undefined);
    },
    'replies-refused': () => {
      const decision = reply({ defects: ['replies-refused'] });
      assert.equal(decision.delivery.outcome, 'refused');
      assert.match(decision.dsn!.sentence, /seul un professionnel de santé peut débuter un échange/);
    },
    'pharmacy-not-organisational': () => {
      assert.equal(
        decide({ from: PATIENT, to: PHARMACY, toPharmacy: true, defects: ['pharmacy-not-organisational'] }).delivery.outcome,
        'refused',
      );
    },
    'activated-not-notified': () => {
      const decision = decide({ defects: ['activated-not-notified'] });
      assert.equal(decision.delivery.outcome, 'delivered');
      assert.equal(decision.delivery.notified, false);
    },
    'created-readable-without-activation': () => {
      const decision = decide({ state: 'créé non activé', defects: ['created-readable-without-activation'] });
      assert.equal(decision.delivery.outcome, 'delivered');
      assert.equal(decision.delivery.mustActivate, false);
    },
  };

  test('every seeded service defect has its case here', () => {
    assert.deepEqual(Object.keys(cases).sort(), [...MSS_DEFECTS].sort());
  });
  for (const [id, check] of Object.entries(cases)) test(id, check);
});
