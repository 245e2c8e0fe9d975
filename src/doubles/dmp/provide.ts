/**
 * ITI-41 Provide and Register Document Set-b: metadata, documents, and the consistency checks.
 * What is not an ITI-41 request at all (envelope, MTOM, action, payload) is a SOAP fault; what is
 * wrong in an ITI-41 request's metadata or documents is answered as ITI-41 says (IHE ITI TF-3
 * 4.2.4): HTTP 200, a RegistryResponse with status Failure and one RegistryError per problem
 * (errorCode, codeContext naming the slot, the value and the value set, location: the entry).
 */
import { createHash } from 'node:crypto';
import { child, type XmlElement } from '../common/xml';
import { checkAgainstCda } from './cda';
import { valueSetProblems } from './value-sets';
import { openEnvelope, payloadFault, type OpenedEnvelope } from './envelope';
import { MimeError, decodeBase64, findByCid } from './mime';
import { parseCx, readDocumentEntry, readSubmissionSet, registryObjects, samePatient, type ReadEntry } from './metadata';
import { ACTIONS, NS, senderFault, type DmpFault } from './soap';
import type { DmpDocumentEntry, DmpSubmission } from './types';

export interface DecodedSubmission {
  envelope: OpenedEnvelope;
  submissionSet?: DmpSubmission['submissionSet'];
  documents: DmpDocumentEntry[];
  fault?: DmpFault;
  /** The RegistryErrors of an ITI-41 request refused for its metadata or documents. */
  registryErrors?: RegistryError[];
}

export interface RegistryError {
  code: string;
  reason: string;
  /** The DocumentEntry (or document) it is about. */
  location?: string;
}
type Problem = RegistryError;

/** Decodes and checks an ITI-41 request. `fault` is set when it must be refused with a SOAP fault. */
export function decodeProvideAndRegister(body: Buffer, contentType: string): DecodedSubmission {
  const envelope = openEnvelope(body, contentType, ACTIONS.provideAndRegister);
  const out: DecodedSubmission = { envelope, documents: [] };
  const payload = envelope.payload;
  out.fault = payloadFault(envelope, NS.xdsb, 'ProvideAndRegisterDocumentSetRequest');
  if (out.fault || !payload) return out;

  const list = child(child(payload, 'SubmitObjectsRequest', NS.lcm), 'RegistryObjectList', NS.rim);
  if (!list) {
    out.registryErrors = [
      {
        code: 'XDSRegistryMetadataError',
        reason: 'No lcm:SubmitObjectsRequest/rim:RegistryObjectList in ProvideAndRegisterDocumentSetRequest',
      },
    ];
    return out;
  }
  const objs = registryObjects(list);
  out.submissionSet = readSubmissionSet(objs);
  const read: ReadEntry[] = objs.entries.map((e) => readDocumentEntry(e, objs));
  out.documents = read.map((r) => r.entry);
  if (read.length === 0) {
    out.registryErrors = [{ code: 'XDSMissingDocumentMetadata', reason: 'The submission contains no DocumentEntry (rim:ExtrinsicObject)' }];
    return out;
  }

  const problems: Problem[] = [];
  const contents = attachDocuments(payload, envelope, problems);
  if (problems.length) return settle(out, problems);
  for (const r of read) {
    const where = `DocumentEntry "${r.entry.entryId}"`;
    const bytes = contents.get(r.entry.entryId);
    if (bytes === undefined)
      problems.push({
        code: 'XDSMissingDocument',
        reason: `${where} has no Document (no xds-b:Document id="${r.entry.entryId}")`,
        location: r.entry.entryId,
      });
    else r.entry.content = bytes;
  }
  const entryIds = new Set(read.map((r) => r.entry.entryId));
  for (const id of contents.keys()) {
    if (!entryIds.has(id))
      problems.push({
        code: 'XDSMissingDocumentMetadata',
        reason: `Document "${id}" has no DocumentEntry (no rim:ExtrinsicObject id="${id}")`,
        location: id,
      });
  }
  if (problems.length) return settle(out, problems);

  const setPatient = parseCx(out.submissionSet?.patientId);
  if (!out.submissionSet)
    problems.push({ code: 'XDSRegistryMetadataError', reason: 'No SubmissionSet (rim:RegistryPackage) in the submission' });
  else if (out.submissionSet.patientId === undefined)
    problems.push({
      code: 'XDSRegistryMetadataError',
      reason: 'SubmissionSet patientId (ExternalIdentifier urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446) missing',
    });
  else if (!setPatient)
    problems.push({
      code: 'XDSRegistryMetadataError',
      reason: `SubmissionSet patientId "${out.submissionSet.patientId}" is not a CX id^^^&oid&ISO`,
    });

  for (const r of read) {
    const entry = r.entry;
    const where = `DocumentEntry "${entry.entryId}"`;
    if (r.patientIdRaw === undefined) {
      problems.push({
        code: 'XDSRegistryMetadataError',
        reason: `${where}: patientId (ExternalIdentifier urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427) missing`,
      });
    } else if (!entry.patientId) {
      problems.push({ code: 'XDSRegistryMetadataError', reason: `${where}: patientId "${r.patientIdRaw}" is not a CX id^^^&oid&ISO` });
    } else if (setPatient && !samePatient(setPatient, entry.patientId)) {
      problems.push({
        code: 'XDSPatientIdDoesNotMatch',
        reason: `${where}: patientId "${entry.patientId.raw}" differs from the SubmissionSet patientId "${setPatient.raw}"`,
      });
    }
    // A hash or size slot that does not match the bytes sent is XDSRepositoryMetadataError (ITI TF-3
    // 4.2.4.1); XDSNonIdenticalHash is for a uniqueId resubmitted with another hash (dmp-double.ts).
    if (entry.hash !== undefined) {
      const actual = createHash('sha1').update(entry.content).digest('hex');
      if (entry.hash.trim().toLowerCase() !== actual) {
        problems.push({
          code: 'XDSRepositoryMetadataError',
          reason: `${where}: hash slot "${entry.hash}" does not match the SHA-1 of the document bytes "${actual}"`,
          location: entry.entryId,
        });
      }
    }
    if (r.sizeRaw !== undefined && (entry.size === undefined || entry.size !== entry.content.length)) {
      problems.push({
        code: 'XDSRepositoryMetadataError',
        reason: `${where}: size slot "${r.sizeRaw}" does not match the document's ${entry.content.length} bytes`,
        location: entry.entryId,
      });
    }
    problems.push(...valueSetProblems(entry, r.authorSpecialties).map((p) => ({ ...p, location: entry.entryId })));
    problems.push(...checkAgainstCda(entry).map((p) => ({ ...p, location: entry.entryId })));
  }
  return settle(out, problems);
}

/** Problems of a transport kind (MTOM) make a SOAP fault; the others, XDS errors, a RegistryResponse Failure. */
function settle(out: DecodedSubmission, problems: Problem[]): DecodedSubmission {
  if (!problems.length) return out;
  const transport = problems.filter((p) => !p.code.startsWith('XDS'));
  if (transport.length) out.fault = toFault(transport);
  else out.registryErrors = problems;
  return out;
}

/** Bytes of each xds-b:Document by id: the XOP part it includes, or its inline base64 text. */
function attachDocuments(payload: XmlElement, envelope: OpenedEnvelope, problems: Problem[]): Map<string, Buffer> {
  const contents = new Map<string, Buffer>();
  for (const doc of payload.children.filter((c) => c.local === 'Document' && c.ns === NS.xdsb)) {
    const id = doc.attrs.id;
    if (!id) {
      problems.push({ code: 'XDSMissingDocumentMetadata', reason: 'An xds-b:Document has no id attribute' });
      continue;
    }
    if (contents.has(id)) {
      problems.push({ code: 'XDSRepositoryMetadataError', reason: `Two xds-b:Document elements have the id "${id}"` });
      continue;
    }
    const include = child(doc, 'Include', NS.xop);
    if (include) {
      const href = include.attrs.href ?? '';
      if (envelope.transport !== 'mtom') {
        problems.push({
          code: 'mtom_invalide',
          reason: `Document "${id}": xop:Include "${href}" in a message that is not MTOM/XOP (multipart/related)`,
        });
        continue;
      }
      const part = findByCid(envelope.parts, href);
      if (!part) {
        const known = envelope.parts.map((p) => `<${p.contentId ?? ''}>`).join(', ');
        problems.push({
          code: 'mtom_invalide',
          reason: `Document "${id}": xop:Include href "${href}" matches no MIME part (Content-IDs: ${known})`,
        });
        continue;
      }
      contents.set(id, part.body);
      continue;
    }
    try {
      contents.set(id, decodeBase64(doc.text, `Document "${id}"`));
    } catch (err) {
      if (!(err instanceof MimeError)) throw err;
      problems.push({ code: 'XDSRepositoryMetadataError', reason: err.message });
    }
  }
  return contents;
}

function toFault(problems: Problem[]): DmpFault {
  return senderFault(problems[0].code, problems.map((p) => p.reason).join('; '));
}
