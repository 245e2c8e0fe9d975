/** Per-tenant state of the DMP double: behaviour and registry content; holds, recorded exchanges and waits come from the common tenant. */
import { randomUUID } from 'node:crypto';
import { samePatient } from './metadata';
import type { StoredDocument } from './query';
import type { DmpBehaviour, DmpDocumentEntry, DmpQuery, DmpSeedDocument, DmpSubmission, DmpTenant } from './types';
import { HoldingTenant } from '../common/tenant';

export const MASKED_FROM_PROFESSIONALS = 'MASQUE_PS';

/** An OID under 2.25 (UUID-derived, ITU-T X.667) so seeded uniqueIds never collide. */
function uuidOid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

export class TenantState extends HoldingTenant<DmpSubmission> implements DmpTenant {
  behaviour: DmpBehaviour = { kind: 'accept' };
  private readonly subs = this.openLog<DmpSubmission>((n) => `received ${n} submission(s) (ITI-41)`, 'ITI-41');
  private readonly qs = this.openLog<DmpQuery>((n) => `received ${n} query(ies) (ITI-18)`, 'ITI-18');
  private stored: StoredDocument[] = [];

  constructor(id: string) {
    super(id, 'DMP double', 'submission(s)');
  }

  respondWith(behaviour: DmpBehaviour): void {
    if (behaviour.kind === 'refuse' && (!behaviour.code || behaviour.context === undefined))
      throw new Error('DMP double: a refusal needs a code and a context');
    this.behaviour = behaviour;
  }

  submissions(): DmpSubmission[] {
    return this.subs.all();
  }

  waitForSubmissions(n: number, timeoutMs: number): Promise<DmpSubmission[]> {
    return this.subs.waitFor(n, timeoutMs);
  }

  queries(): DmpQuery[] {
    return this.qs.all();
  }

  waitForQueries(n: number, timeoutMs: number): Promise<DmpQuery[]> {
    return this.qs.waitFor(n, timeoutMs);
  }

  seedDocument(patient: { id: string; oid: string }, doc: DmpSeedDocument): void {
    if (!patient.id || !patient.oid) throw new Error('DMP double: seedDocument needs a patient id and oid');
    const entryUuid = `urn:uuid:${randomUUID()}`;
    const entry: DmpDocumentEntry = {
      entryId: entryUuid,
      uniqueId: uuidOid(),
      mimeType: 'text/xml',
      title: doc.title,
      typeCode: doc.typeCode,
      ...(doc.classCode !== undefined ? { classCode: doc.classCode } : {}),
      confidentialityCodes: doc.confidentialityCodes ? [...doc.confidentialityCodes] : ['N'],
      patientId: { id: patient.id, oid: patient.oid, raw: `${patient.id}^^^&${patient.oid}&ISO^NH` },
      creationTime: new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14),
      content: Buffer.alloc(0),
    };
    this.stored.push({ entry, entryUuid });
  }

  storedDocuments(): DmpDocumentEntry[] {
    return this.stored.map((d) => d.entry);
  }

  reset(): void {
    this.behaviour = { kind: 'accept' };
    this.dropHeld();
    this.subs.clear();
    this.qs.clear();
    this.stored = [];
  }

  // ---- used by the double ----

  /** Records a submission as it arrives (held or not); its outcome and answer are filled in later. */
  recordSubmission(submission: DmpSubmission): void {
    this.subs.record(submission);
  }

  recordQuery(query: DmpQuery): void {
    this.qs.record(query);
  }

  /** Stores the documents of an accepted submission in the registry. */
  store(documents: DmpDocumentEntry[]): void {
    for (const entry of documents) this.stored.push({ entry, entryUuid: `urn:uuid:${randomUUID()}` });
  }

  /** FindDocuments as a health professional sees it: this patient's documents, MASQUE_PS excluded. */
  findDocuments(patient: { id: string; oid: string }): StoredDocument[] {
    return this.stored.filter(
      (d) => samePatient(d.entry.patientId, patient) && !d.entry.confidentialityCodes.includes(MASKED_FROM_PROFESSIONALS),
    );
  }
}
