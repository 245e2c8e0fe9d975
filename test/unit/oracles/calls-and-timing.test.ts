/** The oracles of INSi traffic (INS-01/03/04/05/06) and of responsiveness while a service holds (INS-02, INS-07, SEND-04). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concerns, insiCalledFor, insiCalledWithCard, insiCalledWithFileTraits, insiNotCalledFor } from '../../../src/oracles/insi-calls';
import { answeredAtOnceWhileHeld, answersWhileHeld } from '../../../src/oracles/responsiveness';

const camille = { id: 'camille-legrand', matricules: ['2850475112087'], birthDate: '1985-04-12', names: ['LEGRAND'] };
const byCard = { seq: 1, operation: 'rechercherInsAvecCarteVitale', matricule: '2850475112087', birthDate: '1985-04-12' };
const byTraits = {
  seq: 2,
  operation: 'rechercherInsAvecTraitsIdentite',
  birthName: 'LEGRAND',
  firstNames: ['CAMILLE'],
  sex: 'F',
  birthDate: '1985-04-12',
  birthPlace: '75112',
};
const other = {
  seq: 3,
  operation: 'rechercherInsAvecTraitsIdentite',
  birthName: 'MARTIN',
  firstNames: ['LUCAS'],
  sex: 'M',
  birthDate: '1990-01-01',
};

test('concerns: by matricule, or birth name (letters only) and birth date', () => {
  assert.ok(concerns(byCard, camille));
  assert.ok(concerns({ ...byTraits, birthName: 'Legrand' }, camille));
  assert.ok(!concerns(other, camille));
  assert.ok(!concerns({ ...byTraits, birthDate: '1985-04-13' }, camille));
});

test('INS-01/05: a call about the person passes; none fails, naming what came', () => {
  assert.equal(insiCalledFor(camille, [byTraits], 1500).status, 'pass');
  const verdict = insiCalledFor(camille, [other], 1500);
  assert.equal(verdict.status, 'fail');
  assert.match(verdict.seen, /MARTIN/);
});

test('INS-05/06: no call about the person passes; a call fails with its exchange as evidence', () => {
  assert.equal(insiNotCalledFor(camille, [other], 1500).status, 'pass');
  const verdict = insiNotCalledFor(camille, [byCard], 1500);
  assert.equal(verdict.status, 'fail');
  assert.deepEqual(verdict.evidence, ['INSi exchange #1']);
  assert.match(verdict.expected, /watched for 1500 ms/);
});

test("INS-03: the card's operation and data; the file's traits instead fail", () => {
  const card = { matricule: '2850475112087', birthDate: '1985-04-12' };
  assert.equal(insiCalledWithCard(camille, card, [byCard], 1500).status, 'pass');
  assert.equal(insiCalledWithCard(camille, card, [byTraits], 1500).status, 'fail');
});

test("INS-04: the file's traits — never the used name; a birth place other than the file's fails", () => {
  const file = { birthName: 'LEGRAND', firstName: 'CAMILLE', sex: 'F', birthDate: '1985-04-12', birthPlace: '75112' };
  assert.equal(insiCalledWithFileTraits(camille, file, [byTraits], 1500).status, 'pass');
  assert.equal(
    insiCalledWithFileTraits(camille, file, [{ ...byTraits, birthPlace: undefined }], 1500).status,
    'pass',
    'the birth place is optional',
  );
  assert.equal(insiCalledWithFileTraits(camille, file, [{ ...byTraits, birthPlace: '20004' }], 1500).status, 'fail');
  assert.equal(
    insiCalledWithFileTraits({ ...camille, names: ['LEGRAND', 'ROUSSEL'] }, file, [{ ...byTraits, birthName: 'ROUSSEL' }], 1500).status,
    'fail',
  );
});

test('responsiveness: within the bound passes; still running after the long window fails, whatever the load', () => {
  const base = { label: 'open the file', service: 'INSi', boundMs: 1000, watchedMs: 4000 };
  assert.equal(answersWhileHeld({ ...base, settled: true, ms: 80 }).status, 'pass');
  const verdict = answersWhileHeld({ ...base, settled: false });
  assert.equal(verdict.status, 'fail');
  assert.match(verdict.seen, /waits for INSi/);
});

test('responsiveness: an action watched no longer than the bound after its press is not judged (the harness was late), never failed', () => {
  const verdict = answersWhileHeld({ label: 'insert the card', service: 'INSi', boundMs: 1000, watchedMs: 386, settled: false });
  assert.equal(verdict.status, 'cannot-judge');
  assert.match(verdict.reason ?? '', /watched only 386 ms .* harness was too slow/);
});

test('responsiveness: over the bound, the tries and the calibration decide — harness too slow is no verdict, a held service that made the difference fails', () => {
  const base = { label: 'open the file', service: 'INSi', boundMs: 1000, watchedMs: 1300, settled: true, ms: 1228 };
  const slow = answersWhileHeld({ ...base, retriesMs: [1190, 1400], calibrationsMs: [600, 1180, 700] });
  assert.equal(slow.status, 'cannot-judge');
  assert.match(slow.reason ?? '', /harness too slow/);
  const noisy = answersWhileHeld({ ...base, ms: 1261, retriesMs: [640] });
  assert.equal(noisy.status, 'pass', 'one held try within the bound: the LGC does not wait');
  assert.match(noisy.seen, /best of 2 tries/);
  const waited = answersWhileHeld({ ...base, ms: 1520, retriesMs: [1530, 1510], calibrationsMs: [60, 75, 58] });
  assert.equal(waited.status, 'fail');
  assert.match(waited.seen, /took 60 ms, 75 ms, 58 ms/);
  assert.match(waited.seen, /1520 ms, 1530 ms, 1510 ms in 3 tries/);
  assert.equal(answersWhileHeld({ ...base }).status, 'cannot-judge', 'no calibration: no verdict');
});

test('attended: the person says whether the LGC answered at once while the service held; a service no longer holding cannot be judged', () => {
  const seen = { label: 'insert the Carte Vitale', service: 'INSi', boundMs: 1000, atOnce: true, holding: true };
  assert.equal(answeredAtOnceWhileHeld(seen).status, 'pass');
  const waited = answeredAtOnceWhileHeld({ ...seen, atOnce: false });
  assert.equal(waited.status, 'fail');
  assert.match(waited.seen, /did not answer within 1000 ms/);
  assert.match(waited.expected, /the person at the keyboard says so/);
  assert.equal(answeredAtOnceWhileHeld({ ...seen, holding: false }).status, 'cannot-judge');
});
