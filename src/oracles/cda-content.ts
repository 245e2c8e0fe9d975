/**
 * Judges what a CDA document carries, against what the professional typed and who they are:
 * CDA-05 (a VSM), CDA-06 (uncoded text kept in entries coded with a nullFlavor), SEND-09 (one
 * vaccination per note), SEND-12 (the document sent is the document validated).
 *
 * Where a typed item belongs is the CI-SIS's own layout (sections by LOINC code, public volets):
 * prescription lines in « Prescriptions » (57828-6), vaccinations in « Historique des
 * vaccinations » (11369-6), the VSM's problems, treatments and allergies in 11450-4, 10160-0 and
 * 48765-2. Texts are compared NFC-normalised with white space collapsed, never loosely otherwise.
 */
import { INS_OIDS } from './ins';
import {
  XNode,
  attr,
  clinicalDocument,
  descendantTexts,
  descendants,
  entryText,
  first,
  narrativeIds,
  nodes,
  sectionsCoded,
  textOf,
  textsOf,
} from './cda-tree';
import { Verdict, listed, normText, verdict } from './verdict';
import { parseXmlSafely } from './xml-safe';

export const VSM_TEMPLATE = '1.2.250.1.213.1.1.1.13';

export const SECTION_CODES = {
  prescriptionLines: ['57828-6'],
  vaccinations: ['11369-6'],
  problems: ['11450-4'],
  treatments: ['10160-0'],
  allergies: ['48765-2'],
} as const;

function parse(cda: Buffer | string): { doc?: XNode; error?: string } {
  try {
    const doc = clinicalDocument(parseXmlSafely(cda));
    return doc ? { doc } : { error: 'the root element is not ClinicalDocument' };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** CDA-05: the document declares the VSM volet by its templateId. */
export function isVsm(cda: Buffer | string, ref: string): Verdict {
  const { doc, error } = parse(cda);
  const roots = nodes(doc?.templateId).map((t) => attr(t, 'root') ?? '');
  return verdict(
    roots.includes(VSM_TEMPLATE),
    `a volet de synthèse médicale (templateId ${VSM_TEMPLATE})`,
    error ?? `templateIds ${roots.join(', ') || 'none'}`,
    [ref],
  );
}

/** SEND-09: how many vaccinations (entry/substanceAdministration) a note holds, or why it cannot be read. */
export function vaccinationCount(cda: Buffer | string): number | string {
  const { doc, error } = parse(cda);
  if (!doc) return `unreadable CDA (${error})`;
  return descendants(doc, 'entry').filter((e) => e.substanceAdministration !== undefined).length;
}

const hasNullFlavorCode = (entry: XNode) =>
  [...descendants(entry, 'code'), ...descendants(entry, 'value')].some((c) => attr(c, 'nullFlavor') !== undefined);

/**
 * CDA-06: each typed (uncoded) text is kept inside an entry whose code or value carries a
 * nullFlavor — in that entry's own text or in the narrative it references; the narrative alone
 * is not enough.
 */
export function freeTextInNullFlavorEntries(cda: Buffer | string, typed: string[], ref: string): Verdict {
  const { doc, error } = parse(cda);
  const expected = 'every typed text kept inside an entry coded with a nullFlavor (its text or the narrative it references)';
  if (!doc) return verdict(false, expected, error ?? 'no document', [ref]);
  const ids = narrativeIds(doc);
  const entries = descendants(doc, 'entry')
    .filter(hasNullFlavorCode)
    .map((e) => normText(entryText(e, ids)));
  const missing = typed.filter((t) => !entries.some((e) => e.includes(normText(t))));
  return verdict(
    missing.length === 0,
    expected,
    missing.length
      ? `not in any nullFlavor entry: ${missing.map((m) => `« ${m} »`).join(', ')} (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} with a nullFlavor)`
      : 'every typed text found',
    [ref],
  );
}

/** What the professional typed and validated, and who they and the patient are (SEND-12). */
export interface ValidatedDocument {
  lines?: { product: string; dosage?: string }[];
  vaccinations?: { vaccine: string; lot?: string; date?: string }[];
  problems?: string[];
  treatments?: string[];
  allergies?: string[];
  /** The workstation's professional: their national identifier (idNat). */
  authorId: string;
  /** The patient: the qualified INS (15 characters) or none; the traits of the file. */
  patient: { ins?: string; birthName: string; firstName: string; birthDate: string };
}

const letters = (s?: string) =>
  (s ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]/g, '');

/** SEND-12: the CDA carries what was validated — every item where it belongs, the author, the patient. */
export function documentIsTheValidatedOne(cda: Buffer | string, want: ValidatedDocument, ref: string): Verdict {
  const expected =
    "the CDA carries what the professional validated: each typed item in its section (narrative and entry), the vaccine's lot and date in its entry, the workstation's professional as author, the file's patient";
  const { doc, error } = parse(cda);
  if (!doc) return verdict(false, expected, error ?? 'no document', [ref]);
  const ids = narrativeIds(doc);
  const problems: string[] = [];
  const inSection = (kind: keyof typeof SECTION_CODES, item: string, what: string) => {
    const sections = sectionsCoded(doc, [...SECTION_CODES[kind]]);
    const want = normText(item);
    if (!sections.length) {
      problems.push(`${what} « ${item} »: no section ${SECTION_CODES[kind].join('/')}`);
      return undefined;
    }
    const narrative = sections.some((s) => normText(textOf(first(s, 'text'))).includes(want));
    const entry = sections.flatMap((s) => nodes(s.entry)).find((e) => normText(entryText(e, ids)).includes(want));
    if (!narrative) problems.push(`${what} « ${item} » not in the narrative of section ${SECTION_CODES[kind][0]}`);
    if (!entry) problems.push(`${what} « ${item} » in no entry of section ${SECTION_CODES[kind][0]}`);
    return entry;
  };
  for (const l of want.lines ?? []) {
    inSection('prescriptionLines', l.product, 'prescribed product');
    if (l.dosage) inSection('prescriptionLines', l.dosage, 'dosage');
  }
  for (const v of want.vaccinations ?? []) {
    const entry = inSection('vaccinations', v.vaccine, 'vaccine');
    if (entry && v.lot) {
      const lots = descendantTexts(entry, 'lotNumberText').map(normText);
      if (!lots.includes(normText(v.lot)))
        problems.push(`vaccine « ${v.vaccine} »: lot « ${v.lot} » not in its entry (lotNumberText: ${lots.join(', ') || 'none'})`);
    }
    if (entry && v.date) {
      const day = v.date.replace(/-/g, '');
      const times = [
        ...nodes(first(entry, 'substanceAdministration')?.effectiveTime),
        ...descendants(first(entry, 'substanceAdministration')?.effectiveTime, 'low'),
      ]
        .map((t) => attr(t, 'value') ?? '')
        .filter(Boolean);
      if (!times.some((t) => t.startsWith(day)))
        problems.push(`vaccine « ${v.vaccine} »: date ${v.date} not the effectiveTime of its entry (${times.join(', ') || 'none'})`);
    }
  }
  for (const p of want.problems ?? []) inSection('problems', p, 'problem');
  for (const t of want.treatments ?? []) inSection('treatments', t, 'treatment');
  for (const a of want.allergies ?? []) inSection('allergies', a, 'allergy');
  // The author: the professional at the workstation.
  const authorIds = nodes(doc.author)
    .flatMap((a) => nodes(first(a, 'assignedAuthor')?.id))
    .map((i) => attr(i, 'extension') ?? '');
  if (!authorIds.includes(want.authorId))
    problems.push(`author ${authorIds.join(', ') || 'none'} instead of the workstation's professional ${want.authorId}`);
  // The patient: the file's (INS when qualified, none otherwise), with the file's name and birth date.
  const role = first(first(doc, 'recordTarget'), 'patientRole');
  const pids = nodes(role?.id);
  const insIds = pids.filter((i) => INS_OIDS.includes(attr(i, 'root') ?? '')).map((i) => attr(i, 'extension'));
  // Another patient's INS is a document that is not the one validated; no INS at all is CDA-03's
  // finding (the INS of a qualified identity in the header), not counted twice here.
  if (want.patient.ins && insIds.length && !insIds.includes(want.patient.ins))
    problems.push(`patient INS ${insIds.join(', ')} instead of ${want.patient.ins}`);
  if (!want.patient.ins && insIds.length) problems.push(`an INS (${insIds.join(', ')}) for a patient whose identity is not qualified`);
  const patient = first(role, 'patient');
  const names = nodes(patient?.name);
  const family = names.flatMap((n) => textsOf(n.family).map(letters));
  const given = names.flatMap((n) => textsOf(n.given).map(letters));
  if (!family.includes(letters(want.patient.birthName)))
    problems.push(`patient name ${family.join(', ') || 'none'} instead of ${want.patient.birthName}`);
  if (!given.some((g) => g.startsWith(letters(want.patient.firstName))))
    problems.push(`patient first name ${given.join(', ') || 'none'} instead of ${want.patient.firstName}`);
  const birth = attr(first(patient, 'birthTime'), 'value') ?? '';
  if (!birth.startsWith(want.patient.birthDate.replace(/-/g, '')))
    problems.push(`patient birth date ${birth || 'none'} instead of ${want.patient.birthDate}`);
  return verdict(problems.length === 0, expected, listed(problems, 10, 'as validated'), [ref]);
}
