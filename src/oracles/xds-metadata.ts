/**
 * CDA-08: the XDS metadata an LGC sends with a document (ITI-41, as the DMP double decoded it)
 * uses the DMP's value sets, identifies the patient as a CX of the INS with its OID when the
 * identity is qualified, and agrees with the CDA it describes (type code, format code vs the
 * volet's templateIds, patient). Value sets: fixtures/xds/value-sets.json (origin in SOURCES.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attr, clinicalDocument, descendants, first, nodes, textOf } from './cda-tree';
import { INS_OIDS } from './ins';
import { Verdict, listed, verdict } from './verdict';
import { parseXmlSafely } from './xml-safe';

export interface XdsEntrySeen {
  entryId: string;
  classCode?: string;
  typeCode?: string;
  formatCode?: string;
  practiceSettingCode?: string;
  healthcareFacilityTypeCode?: string;
  confidentialityCodes: string[];
  authorSpecialties?: string[];
  patientId?: { id: string; oid: string; raw: string };
  content: Buffer;
}

interface ValueSets {
  valueSets: Record<string, { name: string; codes: string[] }>;
  formatCodeTemplates: Record<string, string[] | string>;
}
let sets: ValueSets | undefined;
function valueSets(): ValueSets {
  sets ??= JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'xds', 'value-sets.json'), 'utf8')) as ValueSets;
  return sets;
}

/** The authorSpecialty slot values of one DocumentEntry (ExtrinsicObject) of an ITI-41 SOAP body. */
export function authorSpecialtiesOf(soapXml: string, entryId: string): string[] {
  let tree: Record<string, unknown>;
  try {
    tree = parseXmlSafely(soapXml);
  } catch {
    return [];
  }
  const entry = descendants(tree, 'ExtrinsicObject').find((e) => attr(e, 'id') === entryId);
  const slots = descendants(entry, 'Slot').filter((s) => attr(s, 'name') === 'authorSpecialty');
  return slots
    .flatMap((s) => descendants(s, 'Value').map((v) => textOf(v)))
    .concat(
      slots.flatMap((s) => nodes(first(s, 'ValueList')).flatMap((l) => [l.Value].flat().filter((v): v is string => typeof v === 'string'))),
    )
    .map((v) => v.split('^')[0].trim())
    .filter(Boolean);
}

const CX = /^([^^&]+)\^\^\^&([0-9.]+)&ISO\^NH$/;

export function metadataUsesDmpValueSets(entry: XdsEntrySeen, ctx: { qualifiedIns?: string }, ref: string): Verdict {
  const vs = valueSets();
  const problems: string[] = [];
  const inSet = (slot: string, value: string | undefined, required = true) => {
    const set = vs.valueSets[slot];
    if (value === undefined || value === '') {
      if (required) problems.push(`${slot}: missing (value set ${set.name})`);
      return;
    }
    if (!set.codes.includes(value)) problems.push(`${slot} "${value}" is not in ${set.name}`);
  };
  inSet('classCode', entry.classCode);
  inSet('typeCode', entry.typeCode);
  inSet('formatCode', entry.formatCode);
  inSet('practiceSettingCode', entry.practiceSettingCode);
  inSet('healthcareFacilityTypeCode', entry.healthcareFacilityTypeCode);
  if (!entry.confidentialityCodes.length) problems.push('confidentialityCode: missing');
  for (const c of entry.confidentialityCodes) inSet('confidentialityCode', c);
  for (const s of entry.authorSpecialties ?? []) inSet('authorSpecialty', s);
  // The patient: a CX of the qualified INS with its OID.
  const raw = entry.patientId?.raw ?? '';
  if (ctx.qualifiedIns) {
    const match = CX.exec(raw);
    if (!match) problems.push(`patientId "${raw || 'none'}" is not a CX <INS>^^^&<INS OID>&ISO^NH`);
    else if (match[1] !== ctx.qualifiedIns || !INS_OIDS.includes(match[2]))
      problems.push(`patientId "${raw}" instead of ${ctx.qualifiedIns}^^^&${INS_OIDS[0]}&ISO^NH`);
  }
  // Agreement with the CDA it describes.
  let doc: Record<string, unknown> | undefined;
  try {
    doc = clinicalDocument(parseXmlSafely(entry.content));
  } catch (err) {
    problems.push(`the document is not readable XML: ${(err as Error).message}`);
  }
  if (doc) {
    const code = attr(first(doc, 'code'), 'code');
    if (entry.typeCode && code !== entry.typeCode) problems.push(`typeCode "${entry.typeCode}" but the CDA's code is "${code ?? 'none'}"`);
    const templates = nodes(doc.templateId).map((t) => attr(t, 'root') ?? '');
    const wanted = entry.formatCode ? vs.formatCodeTemplates[entry.formatCode] : undefined;
    if (Array.isArray(wanted) && !wanted.some((t) => templates.includes(t)))
      problems.push(
        `formatCode "${entry.formatCode}" but the CDA declares templateIds ${templates.join(', ')} (expected one of ${wanted.join(', ')})`,
      );
    for (const [fmt, tpl] of Object.entries(vs.formatCodeTemplates)) {
      if (!Array.isArray(tpl) || fmt === entry.formatCode || !entry.formatCode) continue;
      const own = vs.formatCodeTemplates[entry.formatCode];
      if (tpl.some((t) => templates.includes(t)) && !(Array.isArray(own) && own.some((t) => tpl.includes(t)))) {
        problems.push(
          `the CDA declares the volet of formatCode "${fmt}" (templateId ${tpl.filter((t) => templates.includes(t)).join(', ')}) but the metadata says "${entry.formatCode}"`,
        );
        break;
      }
    }
    const ids = nodes(first(first(doc, 'recordTarget'), 'patientRole')?.id)
      .filter((i) => INS_OIDS.includes(attr(i, 'root') ?? ''))
      .map((i) => attr(i, 'extension'));
    if (entry.patientId?.id && ids.length && !ids.includes(entry.patientId.id))
      problems.push(`patientId ${entry.patientId.id} but the CDA's patient is ${ids.join(', ')}`);
  }
  return verdict(
    problems.length === 0,
    'XDS metadata in the DMP value sets (classCode J57, formatCode J60, typeCode J66, practice setting, facility type, confidentiality, author specialty), the patient as a CX of the qualified INS with its OID, agreeing with the CDA',
    listed(problems, 10, `${entry.classCode} / ${entry.formatCode} / ${entry.typeCode}, patient ${raw}`),
    [ref],
  );
}
