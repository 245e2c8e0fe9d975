/** Public types of the DMP double (the harness codes against these names). */
import type { ClientCertificate, HoldControls, HttpDoubleOptions } from '../common/types';

export interface PatientId {
  id: string;
  oid: string;
  raw: string; // the CX as received, e.g. 279035121518989^^^&1.2.250.1.213.1.4.8&ISO^NH
}

export interface DmpDocumentEntry {
  entryId: string; // ExtrinsicObject/@id as submitted (symbolic id or urn:uuid)
  uniqueId?: string;
  mimeType?: string;
  title?: string;
  classCode?: string;
  typeCode?: string;
  confidentialityCodes: string[];
  formatCode?: string;
  healthcareFacilityTypeCode?: string;
  practiceSettingCode?: string;
  patientId?: PatientId;
  creationTime?: string;
  hash?: string; // the hash slot as submitted
  size?: number; // the size slot as submitted
  sourcePatientId?: string;
  legalAuthenticator?: string;
  content: Buffer; // the document's bytes (empty when the Document is missing)
}

export interface DmpSubmission {
  seq: number;
  tenant: string;
  receivedAt: string;
  durationMs: number | null;
  transport: 'mtom' | 'inline' | 'unknown';
  contentType: string;
  raw: Buffer; // whole HTTP body, first 25 MiB (only a 64 KiB head when over maxBodyBytes)
  soapXml: string; // the SOAP envelope (MTOM root part), '' when it could not be found
  messageId?: string;
  action?: string;
  submissionSet?: { uniqueId?: string; sourceId?: string; patientId?: string };
  documents: DmpDocumentEntry[];
  response: { status: number; raw: string } | null;
  outcome: 'held' | 'accepted' | 'refused' | 'fault' | 'dropped';
  /** The client certificate it came with (mutual TLS). */
  clientCertificate?: ClientCertificate;
  refusal?: { code: string; context: string };
  /** Every RegistryError of a refusal (the double's own metadata checks give one per problem). */
  registryErrors?: { code: string; context: string; location?: string }[];
  fault?: string; // the fault reason
  faultCode?: string; // which check failed (XDS error code when there is one, else a double-specific code)
  anomalies: string[]; // deviations from the standards that were tolerated (indented MIME boundaries, ...)
}

export interface DmpQuery {
  seq: number;
  tenant: string;
  receivedAt: string;
  raw: string;
  messageId?: string;
  patientId?: PatientId;
  queryId?: string;
  returnType?: string;
  returned: number;
  response: { status: number; raw: string } | null;
  outcome: 'answered' | 'fault' | 'held' | 'dropped';
  /** The client certificate it came with (mutual TLS). */
  clientCertificate?: ClientCertificate;
  fault?: string;
  faultCode?: string;
}

export type DmpBehaviour = { kind: 'accept' } | { kind: 'refuse'; code: string; context: string } | { kind: 'fault'; reason?: string };

/** maxBodyBytes: default 20 MiB. */
export type DmpDoubleOptions = HttpDoubleOptions;

export interface DmpSeedDocument {
  title: string;
  typeCode: string;
  classCode?: string;
  confidentialityCodes?: string[]; // default ['N']
}

/** Holds apply to well-formed submissions (ITI-41) only; faults and queries are answered at once. */
export interface DmpTenant extends HoldControls {
  /** For submissions answered from now on (parked ones included). */
  respondWith(b: DmpBehaviour): void;
  submissions(): DmpSubmission[];
  /** Resolves once n submissions were RECEIVED (held or not). */
  waitForSubmissions(n: number, timeoutMs: number): Promise<DmpSubmission[]>;
  queries(): DmpQuery[];
  waitForQueries(n: number, timeoutMs: number): Promise<DmpQuery[]>;
  seedDocument(patient: { id: string; oid: string }, doc: DmpSeedDocument): void;
  /** Documents the registry holds for this tenant (accepted + seeded), masked ones included. */
  storedDocuments(): DmpDocumentEntry[];
  reset(): void;
}
