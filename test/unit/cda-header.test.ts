import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkHeader } from '../../src/oracles/cda-header';

// A CI-SIS header of our own (invented practitioner and patient), and targeted mutants of it.
const HEADER = readFileSync(join(__dirname, '..', '..', 'fixtures', 'cda', 'header-ok.xml'), 'utf8');
const INS = '285047511208727';
const rules = (xml: string, ctx = {}) => checkHeader(xml, ctx).map((f) => `${f.rule} ${f.location}`);

test('a complete CI-SIS header passes, with the INS for a qualified identity', () => {
  assert.deepEqual(checkHeader(HEADER, { qualifiedIns: INS, xdsTypeCode: '11488-4' }), []);
});

test('a missing mandatory header element is named (CDA-02)', () => {
  assert.deepEqual(rules(HEADER.replace(/<custodian>[\s\S]*?<\/custodian>/, ''), { qualifiedIns: INS }), [
    'CDA-02 /ClinicalDocument/custodian',
  ]);
  assert.deepEqual(rules(HEADER.replace('<realmCode code="FR"/>', ''), { qualifiedIns: INS }), ['CDA-02 /ClinicalDocument/realmCode']);
  assert.deepEqual(rules(HEADER.replace('value="20261122101500+0100"', 'value="2026-11-22"'), { qualifiedIns: INS }), [
    'CDA-02 /ClinicalDocument/effectiveTime',
  ]);
  assert.deepEqual(rules(HEADER.replace('<languageCode code="fr-FR"/>', '<languageCode code="en-US"/>'), { qualifiedIns: INS }), [
    'CDA-02 /ClinicalDocument/languageCode',
  ]);
});

test('the INS with its OID only for a qualified identity (CDA-03)', () => {
  const NQ = { notQualified: true };
  assert.deepEqual(rules(HEADER, NQ), ['CDA-03 /ClinicalDocument/recordTarget/patientRole/id'], 'INS on an unqualified identity');
  assert.deepEqual(rules(HEADER), [], 'qualification unknown: CDA-03 not judged');
  const local = HEADER.replace(/<id extension="285047511208727" root="1.2.250.1.213.1.4.8"\/>/, '');
  assert.deepEqual(rules(local, NQ), [], 'local identifier alone');
  assert.deepEqual(rules(local, { qualifiedIns: INS }), ['CDA-03 /ClinicalDocument/recordTarget/patientRole/id'], 'qualified but no INS');
  assert.deepEqual(
    rules(local.replace(/<id extension="p1" root="[^"]*"\/>/, ''), NQ),
    ['CDA-03 /ClinicalDocument/recordTarget/patientRole/id'],
    'no identifier at all',
  );
});

test('a type code the DMP accepts, agreeing with the XDS typeCode (CDA-04)', () => {
  assert.deepEqual(rules(HEADER, { qualifiedIns: INS, xdsTypeCode: '57833-6' }), ['CDA-04 /ClinicalDocument/code']);
  assert.deepEqual(rules(HEADER.replace('code="11488-4"', 'code="99999-9"'), { qualifiedIns: INS }), ['CDA-04 /ClinicalDocument/code']);
});

test('hostile input is refused, not parsed', () => {
  assert.throws(() => checkHeader('<!DOCTYPE x [<!ENTITY a "aaaa">]><ClinicalDocument/>'), /DOCTYPE or entity/);
  assert.throws(() => checkHeader('%PDF-1.4 not xml'), /not well-formed XML/);
});
