/**
 * The DMP's value sets, as the DMP double checks a DocumentEntry's codes against them
 * (fixtures/xds/value-sets.json, origin in fixtures/xds/SOURCES.md): classCode J57, formatCode J60,
 * typeCode J66, and the CI-SIS sets for author specialty (J01), healthcare facility type (J02),
 * practice setting (J04) and confidentiality (J08). A code outside its set is refused as the
 * real registry does, naming the slot, the value and the value set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DmpDocumentEntry } from './types';

interface ValueSetsFile {
  valueSets: Record<string, { name: string; codes: string[] }>;
  /** formatCode → the document-level templateIds of its volet. */
  formatCodeTemplates: Record<string, string[] | string>;
}

let loaded: ValueSetsFile | undefined;
export function dmpValueSets(): ValueSetsFile {
  loaded ??= JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'fixtures', 'xds', 'value-sets.json'), 'utf8')) as ValueSetsFile;
  return loaded;
}

/** The templateIds a formatCode's volet declares (undefined: a formatCode the table does not know). */
export function templatesOfFormat(formatCode: string): string[] | undefined {
  const templates = dmpValueSets().formatCodeTemplates[formatCode];
  return Array.isArray(templates) ? templates : undefined;
}

/** One problem per code of the entry outside its value set (XDSRegistryMetadataError, as the DMP answers). */
export function valueSetProblems(entry: DmpDocumentEntry, authorSpecialties: string[] = []): { code: string; reason: string }[] {
  const sets = dmpValueSets().valueSets;
  const where = `DocumentEntry "${entry.entryId}"`;
  const problems: { code: string; reason: string }[] = [];
  const check = (slot: string, value: string | undefined, required: boolean) => {
    const set = sets[slot]!;
    if (value === undefined || value === '') {
      if (required) problems.push({ code: 'XDSRegistryMetadataError', reason: `${where}: ${slot} missing (value set ${set.name})` });
    } else if (!set.codes.includes(value))
      problems.push({ code: 'XDSRegistryMetadataError', reason: `${where}: ${slot} "${value}" is not in the value set ${set.name}` });
  };
  check('classCode', entry.classCode, true);
  check('typeCode', entry.typeCode, true);
  check('formatCode', entry.formatCode, true);
  check('healthcareFacilityTypeCode', entry.healthcareFacilityTypeCode, true);
  check('practiceSettingCode', entry.practiceSettingCode, true);
  if (!entry.confidentialityCodes.length) check('confidentialityCode', undefined, true);
  for (const code of entry.confidentialityCodes) check('confidentialityCode', code, true);
  for (const specialty of authorSpecialties) check('authorSpecialty', specialty, false);
  return problems;
}
