/** Per-tenant state of the DMP double: behaviour, hold/park, recorded exchanges, registry content, bounded waits. */
import { randomUUID } from 'node:crypto';
import { samePatient } from './metadata';
import type { StoredDocument } from './query';
import type { DmpBehaviour, DmpDocumentEntry, DmpQuery, DmpSeedDocument, DmpSubmission, DmpTenant } from './types';
import { HoldQueue } from '../common/hold';
import { Waiters } from '../common/waiters';

/** A submission parked while the tenant holds; the double supplies how to answer or drop it. */
export interface Parked {
  submission: DmpSubmission;
  answer(): void;
  drop(): void;
}


export const MASKED_FROM_PROFESSIONALS = 'MASQUE_PS';

/** An OID under 2.25 (UUID-derived, ITU-T X.667) so seeded uniqueIds never collide. */
function uuidOid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

export class TenantState implements DmpTenant {
  behaviour: DmpBehaviour = { kind: 'accept' };
  private readonly queue = new HoldQueue<Parked>();
  private subs: DmpSubmission[] = [];
  private qs: DmpQuery[] = [];
  private stored: StoredDocument[] = [];
  private waiters = new Waiters();

  constructor(readonly id: string) {}

  get holding(): boolean {
    return this.queue.holding;
  }

  respondWith(b: DmpBehaviour): void {
    if (b.kind === 'refuse' && (!b.code || b.context === undefined)) throw new Error('DMP double: a refusal needs a code and a context');
    this.behaviour = b;
  }

  hold(): void {
    this.queue.hold();
  }

  /** New requests are answered at once; those already parked stay parked until release. hold() parks again. */
  letNewThrough(): void {
    this.queue.letNewThrough();
  }

  release(opts?: { drop?: boolean }): number {
    return this.queue.release(opts?.drop === true);
  }

  heldCount(): number {
    return this.queue.size;
  }

  waitForHeld(n: number, timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.queue.size >= n, timeoutMs,
      () => `DMP double: tenant "${this.id}" has ${this.queue.size} parked submission(s), expected ${n} within ${timeoutMs} ms`);
  }

  submissions(): DmpSubmission[] {
    return [...this.subs];
  }

  async waitForSubmissions(n: number, timeoutMs: number): Promise<DmpSubmission[]> {
    await this.waitUntil(() => this.subs.length >= n, timeoutMs,
      () => `DMP double: tenant "${this.id}" received ${this.subs.length} submission(s) (ITI-41), expected ${n} within ${timeoutMs} ms`);
    return this.submissions();
  }

  queries(): DmpQuery[] {
    return [...this.qs];
  }

  async waitForQueries(n: number, timeoutMs: number): Promise<DmpQuery[]> {
    await this.waitUntil(() => this.qs.length >= n, timeoutMs,
      () => `DMP double: tenant "${this.id}" received ${this.qs.length} query(ies) (ITI-18), expected ${n} within ${timeoutMs} ms`);
    return this.queries();
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
    this.queue.release(true);
    this.subs = [];
    this.qs = [];
    this.stored = [];
  }

  // ---- used by the double ----

  recordSubmission(s: DmpSubmission): void {
    this.subs.push(s);
    this.notify();
  }

  recordQuery(q: DmpQuery): void {
    this.qs.push(q);
    this.notify();
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

  park(p: Parked): void {
    this.queue.park(p);
    this.notify();
  }

  /** Forgets a parked submission (its client went away); true when it was parked. */
  unpark(submission: DmpSubmission): boolean {
    return this.queue.remove((p) => p.submission === submission);
  }

  /** Rejects pending waits: the double is stopping. */
  abortWaits(reason: string): void {
    this.waiters.abort(`DMP double: tenant "${this.id}": ${reason}`);
  }


  private notify(): void {
    this.waiters.notify();
  }

  private waitUntil(satisfied: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
    return this.waiters.until(satisfied, timeoutMs, message);
  }
}
