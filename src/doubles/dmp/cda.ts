/**
 * Metadata vs. document: when a submitted document is a CDA R2 (text/xml whose root is
 * {urn:hl7-org:v3}ClinicalDocument), its code and patient must agree with the DocumentEntry.
 */
import { XmlInputError, child, declaresDtd, parseXml, type XmlElement } from '../common/xml';
import { NS } from './soap';
import type { DmpDocumentEntry } from './types';
import { templatesOfFormat } from './value-sets';

export interface CdaProblem {
  code: string;
  reason: string;
}

export interface CdaFacts {
  code?: string;
  patientIds: Array<{ id: string; oid: string }>;
  /** The document-level templateIds (ClinicalDocument/templateId/@root). */
  templateIds: string[];
}

const LOOKS_LIKE_CDA = /<([A-Za-z_][\w.-]*:)?ClinicalDocument[\s>/]/;

/** Decodes XML bytes honouring a BOM or an ISO-8859-1 / windows-1252 declaration (UTF-8 otherwise). */
export function decodeXmlBytes(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  const head = bytes.subarray(0, 200).toString('latin1');
  const enc = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1]?.toLowerCase();
  return enc === 'iso-8859-1' || enc === 'latin1' || enc === 'windows-1252' ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** Facts of a CDA, or undefined when the bytes are not a CDA (not XML, or another root element). */
export function readCda(bytes: Buffer): { facts?: CdaFacts; problem?: CdaProblem } {
  const text = decodeXmlBytes(bytes);
  if (!LOOKS_LIKE_CDA.test(text.slice(0, 64 * 1024))) return {};
  if (declaresDtd(text)) {
    return { problem: { code: 'XDSRepositoryMetadataError', reason: 'declares a DTD or an entity (refused, not parsed)' } };
  }
  let root: XmlElement;
  try {
    root = parseXml(text.trimStart());
  } catch (err) {
    if (!(err instanceof XmlInputError)) throw err;
    return { problem: { code: 'XDSRepositoryMetadataError', reason: `looks like a CDA but is not well-formed: ${err.message}` } };
  }
  if (root.local !== 'ClinicalDocument' || root.ns !== NS.hl7) return {};
  const patientIds: CdaFacts['patientIds'] = [];
  for (const rt of root.children.filter((c) => c.local === 'recordTarget' && c.ns === NS.hl7)) {
    const role = child(rt, 'patientRole', NS.hl7);
    for (const id of role?.children.filter((c) => c.local === 'id' && c.ns === NS.hl7) ?? []) {
      if (id.attrs.extension !== undefined || id.attrs.root !== undefined) {
        patientIds.push({ id: id.attrs.extension ?? '', oid: id.attrs.root ?? '' });
      }
    }
  }
  const templateIds = root.children.filter((c) => c.local === 'templateId' && c.ns === NS.hl7).map((t) => t.attrs.root ?? '');
  return { facts: { code: child(root, 'code', NS.hl7)?.attrs.code, patientIds, templateIds } };
}

/** Problems of one entry against its CDA; [] when consistent or when the document is not a CDA. */
export function checkAgainstCda(entry: DmpDocumentEntry): CdaProblem[] {
  if (!/^text\/xml\b/i.test(entry.mimeType ?? '')) return [];
  const { facts, problem } = readCda(entry.content);
  const where = `DocumentEntry "${entry.entryId}"`;
  if (problem) return [{ code: problem.code, reason: `${where}: the document ${problem.reason}` }];
  if (!facts) return [];
  const problems: CdaProblem[] = [];
  if (entry.typeCode !== facts.code) {
    problems.push({
      code: 'XDSRegistryMetadataError',
      reason: `${where}: typeCode "${entry.typeCode ?? '(absent)'}" contradicts the CDA /ClinicalDocument/code/@code "${facts.code ?? '(absent)'}"`,
    });
  }
  // The formatCode names the volet; the CDA declares it by its templateIds.
  const volet = entry.formatCode ? templatesOfFormat(entry.formatCode) : undefined;
  if (volet && !volet.some((t) => facts.templateIds.includes(t))) {
    problems.push({
      code: 'XDSRegistryMetadataError',
      reason: `${where}: formatCode "${entry.formatCode}" but the CDA declares the templateIds ${facts.templateIds.join(', ') || '(none)'} (its volet declares one of ${volet.join(', ')})`,
    });
  }
  const patientId = entry.patientId;
  if (patientId && !facts.patientIds.some((c) => c.id === patientId.id && c.oid === patientId.oid)) {
    const cda = facts.patientIds.map((c) => `${c.id} (root ${c.oid})`).join(', ') || '(none)';
    problems.push({
      code: 'XDSPatientIdDoesNotMatch',
      reason: `${where}: patientId "${patientId.id}" (oid ${patientId.oid}) is not among the CDA recordTarget/patientRole/id: ${cda}`,
    });
  }
  return problems;
}
