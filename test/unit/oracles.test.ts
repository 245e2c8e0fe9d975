import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insKey, isValidIns } from '../../src/oracles/ins';
import { containsSentence, firstDifference, sameSentence } from '../../src/oracles/sentence';
import { differingTraits } from '../../src/oracles/traits';

test('INS key: the catalogue vectors, Corsica included', () => {
  const vectors: [string, string][] = [
    ['2770101154003', '29'],
    ['1790431355662', '96'],
    ['2790351215189', '89'],
    ['2550814168025', '38'],
    ['284052A321025', '52'],
    ['184052B321025', '32'],
    ['2894567890123', '25'],
  ];
  for (const [n, k] of vectors) assert.equal(insKey(n), k, n);
  assert.equal(isValidIns('289456789012345'), false, 'the screenshot address has key 45, the formula gives 25');
  assert.equal(isValidIns('289456789012325'), true);
  assert.equal(isValidIns('28945678901232'), false);
  assert.throws(() => insKey('12345'), /not a 13-character INS matricule/);
});

test('oracle sentences: NFC and white space only, nothing looser', () => {
  const sentence = "J'atteste déjà connaître l'identité de cette personne";
  assert.ok(sameSentence(sentence, `  J'atteste  déjà\nconnaître l'identité de cette personne `));
  assert.ok(sameSentence(sentence, sentence.normalize('NFD')), 'decomposed accents are the same text');
  assert.ok(!sameSentence(sentence, sentence.toUpperCase()), 'no case folding');
  assert.ok(!sameSentence(sentence, "J'atteste deja connaitre l'identite de cette personne"), 'no accent stripping');
  assert.ok(!sameSentence(sentence, sentence.replace(/'/g, '\u2019')), 'a typographic apostrophe is another character');
  assert.ok(containsSentence(`Confirmer : ${sentence}.`, sentence), 'appears whole');
  assert.ok(!containsSentence("J'atteste connaître l'identité de cette personne", sentence), 'no partial match');
  assert.match(firstDifference(sentence, "J'atteste connaître"), /first difference at character 11/);
});

test('trait concordance is exact on the four traits', () => {
  const file = { birthName: "GUIVARC'H", firstName: 'Jean-Philippe', birthDate: '1969-10-10', sex: 'M' };
  const insi = { birthName: 'GUIVARCH', firstName: 'JEAN PHILIPPE', birthDate: '1969-10-10', sex: 'M' };
  assert.deepEqual(differingTraits(file, insi), ['birthName', 'firstName']);
  assert.deepEqual(differingTraits(insi, { ...insi, birthName: ' GUIVARCH ' }), []);
});
