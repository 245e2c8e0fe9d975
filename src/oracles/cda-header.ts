import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INS_OIDS } from './ins';
import { parseXmlSafely } from './xml-safe';

/**
 * CI-SIS header rules, written as our own clear checks (CDA-02 … CDA-06). The ANS schematrons
 * (CDA-07) check the same headers and much more, but they need the rule pack; these run
 * everywhere and say, in plain words, which requirement a finding breaks.
 */
export interface HeaderFinding {
  layer: 'header';
  rule: string;
  location: string;
  line: number | null;
  text: string;
}

export interface HeaderContext {
  /** The INS (15 characters) when the patient's identity is known to be qualified. */
  qualifiedIns?: string;
  /** True when the patient's identity is known NOT to be qualified. With neither, CDA-03 is not judged. */
  notQualified?: boolean;
  /** The XDS typeCode sent with the document, when it was sent to the DMP. */
  xdsTypeCode?: string;
}

const CISIS_HEADER_TEMPLATE = '1.2.250.1.213.1.1.1.1';

type Node = Record<string, unknown>;
const arr = (v: unknown): Node[] => (v === undefined || v === null ? [] : ((Array.isArray(v) ? v : [v]) as Node[]));
const one = (n: Node | undefined, k: string): Node | undefined => arr(n?.[k])[0];
const attr = (n: Node | undefined, a: string): string | undefined => {
  const value = n?.['@' + a];
  return value === undefined || value === null ? undefined : String(value);
};
const text = (n: unknown): string => {
  if (n === undefined || n === null) return '';
  if (typeof n !== 'object') return String(n);
  return String((n as Node)['#text'] ?? '');
};

let typeCodes: Set<string> | undefined;
/** The XDS typeCodes the DMP accepts (JDV_J07-XdsTypeCode-CISIS, shipped in fixtures/cda/). */
export function acceptedTypeCodes(): Set<string> {
  if (!typeCodes) {
    const file = join(__dirname, '..', '..', 'fixtures', 'cda', 'xds-type-codes.json');
    typeCodes = new Set((JSON.parse(readFileSync(file, 'utf8')) as { concepts: { code: string }[] }).concepts.map((c) => c.code));
  }
  return typeCodes;
}

export function checkHeader(cda: Buffer | string, ctx: HeaderContext = {}): HeaderFinding[] {
  const doc = one(parseXmlSafely(cda) as Node, 'ClinicalDocument');
  const out: HeaderFinding[] = [];
  const fault = (rule: string, location: string, msg: string) => out.push({ layer: 'header', rule, location, line: null, text: msg });
  if (!doc) {
    fault('CDA-02', '/', 'the root element is not ClinicalDocument');
    return out;
  }
  const at = (p: string) => `/ClinicalDocument${p}`;

  // CDA-02: the CI-SIS header elements.
  if (attr(one(doc, 'realmCode'), 'code') !== 'FR') fault('CDA-02', at('/realmCode'), 'realmCode must be present with code="FR"');
  const typeId = one(doc, 'typeId');
  if (attr(typeId, 'root') !== '2.16.840.1.113883.1.3' || attr(typeId, 'extension') !== 'POCD_HD000040')
    fault('CDA-02', at('/typeId'), 'typeId must be root="2.16.840.1.113883.1.3" extension="POCD_HD000040"');
  if (!arr(doc.templateId).some((t) => attr(t, 'root') === CISIS_HEADER_TEMPLATE))
    fault('CDA-02', at('/templateId'), `templateId ${CISIS_HEADER_TEMPLATE} (CI-SIS header) is missing`);
  if (!attr(one(doc, 'id'), 'root')) fault('CDA-02', at('/id'), 'the document id (id/@root) is missing');
  const code = one(doc, 'code');
  if (!attr(code, 'code') || !attr(code, 'codeSystem'))
    fault('CDA-02', at('/code'), 'the document type code (code/@code and @codeSystem) is missing');
  if (!text(one(doc, 'title')).trim()) fault('CDA-02', at('/title'), 'the title is missing or empty');
  if (!/^\d{14}([+-]\d{4})$/.test(attr(one(doc, 'effectiveTime'), 'value') ?? ''))
    fault('CDA-02', at('/effectiveTime'), 'effectiveTime must be a date and time to the second with its time zone (YYYYMMDDHHMMSS±HHMM)');
  const conf = one(doc, 'confidentialityCode');
  if (!['N', 'R', 'V'].includes(attr(conf, 'code') ?? '') || attr(conf, 'codeSystem') !== '2.16.840.1.113883.5.25')
    fault('CDA-02', at('/confidentialityCode'), 'confidentialityCode must be N, R or V in 2.16.840.1.113883.5.25');
  if (attr(one(doc, 'languageCode'), 'code') !== 'fr-FR') fault('CDA-02', at('/languageCode'), 'languageCode must be fr-FR');
  if (!attr(one(doc, 'setId'), 'root')) fault('CDA-02', at('/setId'), 'setId is missing');
  if (!attr(one(doc, 'versionNumber'), 'value')) fault('CDA-02', at('/versionNumber'), 'versionNumber is missing');
  const role = one(one(doc, 'recordTarget'), 'patientRole');
  if (!role) fault('CDA-02', at('/recordTarget/patientRole'), 'recordTarget/patientRole is missing');
  else {
    const patient = one(role, 'patient');
    if (!patient) fault('CDA-02', at('/recordTarget/patientRole/patient'), 'the patient is missing');
    else {
      if (!one(patient, 'name')) fault('CDA-02', at('/recordTarget/patientRole/patient/name'), "the patient's name is missing");
      if (!attr(one(patient, 'administrativeGenderCode'), 'code'))
        fault('CDA-02', at('/recordTarget/patientRole/patient/administrativeGenderCode'), "the patient's administrative sex is missing");
      if (!attr(one(patient, 'birthTime'), 'value'))
        fault('CDA-02', at('/recordTarget/patientRole/patient/birthTime'), "the patient's birth date is missing");
    }
  }
  const author = one(doc, 'author');
  if (!author || !attr(one(author, 'time'), 'value') || !one(one(author, 'assignedAuthor'), 'id'))
    fault('CDA-02', at('/author'), 'author with time and assignedAuthor/id is required');
  if (!one(one(one(one(doc, 'custodian'), 'assignedCustodian'), 'representedCustodianOrganization'), 'id'))
    fault('CDA-02', at('/custodian'), 'custodian/assignedCustodian/representedCustodianOrganization/id is required');
  const legal = one(doc, 'legalAuthenticator');
  if (!legal || !attr(one(legal, 'time'), 'value') || attr(one(legal, 'signatureCode'), 'code') !== 'S' || !one(legal, 'assignedEntity'))
    fault('CDA-02', at('/legalAuthenticator'), 'legalAuthenticator with time, signatureCode S and assignedEntity is required');
  if (!one(one(doc, 'documentationOf'), 'serviceEvent'))
    fault('CDA-02', at('/documentationOf'), 'documentationOf/serviceEvent is required');
  if (!one(one(doc, 'componentOf'), 'encompassingEncounter'))
    fault('CDA-02', at('/componentOf'), 'componentOf/encompassingEncounter is required');

  // CDA-03: the INS with its OID only for a qualified identity; otherwise a local identifier alone.
  const ids = arr(role?.id);
  const insIds = ids.filter((i) => INS_OIDS.includes(attr(i, 'root') ?? ''));
  const others = ids.filter((i) => !INS_OIDS.includes(attr(i, 'root') ?? ''));
  if (ctx.qualifiedIns) {
    if (!insIds.some((i) => attr(i, 'extension') === ctx.qualifiedIns))
      fault(
        'CDA-03',
        at('/recordTarget/patientRole/id'),
        `the qualified INS ${ctx.qualifiedIns} with its OID is missing (ids: ${ids.map((i) => `${attr(i, 'root')}/${attr(i, 'extension')}`).join(', ') || 'none'})`,
      );
  } else if (ctx.notQualified) {
    if (insIds.length)
      fault(
        'CDA-03',
        at('/recordTarget/patientRole/id'),
        `an INS (${insIds.map((i) => `${attr(i, 'extension')} root ${attr(i, 'root')}`).join(', ')}) is given although the identity is not qualified`,
      );
    if (!others.length) fault('CDA-03', at('/recordTarget/patientRole/id'), 'the local identifier of the patient is missing');
  }

  // CDA-04: a type code the DMP accepts, agreeing with the XDS metadata sent with the document.
  const typeCode = attr(code, 'code');
  if (!typeCode) fault('CDA-04', at('/code'), 'the document has no type code (code/@code): the DMP cannot accept it');
  if (typeCode && !acceptedTypeCodes().has(typeCode))
    fault('CDA-04', at('/code'), `code "${typeCode}" is not a type code the DMP accepts (JDV_J07-XdsTypeCode-CISIS)`);
  if (typeCode && ctx.xdsTypeCode !== undefined && ctx.xdsTypeCode !== typeCode)
    fault('CDA-04', at('/code'), `code "${typeCode}" disagrees with the XDS typeCode "${ctx.xdsTypeCode}" sent with it`);
  return out;
}
