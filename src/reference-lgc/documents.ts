/**
 * Documents, DMP feeding and DMP consultation (OPP-01..04, SEND-01..11), with their seeded defects.
 * The editor, the « Valider et imprimer » button, the background DMP submission (ITI-41) and the
 * consultation of the patient's DMP (ITI-18) after the non-opposition question.
 */
import {
  cdaPatient, DOCUMENT_TYPES, generateCda, insOid, ins15, newOid, PRACTITIONER, PRACTITIONER_DISPLAY, RPPS_OID, TYPE_META,
  type DocumentContent, type DocumentType, type Vaccination,
} from './cda';
import { MASKING_CODES, queryIti18, submitIti41, type Masking, type MetadataSpec, type SubmissionSpec } from './dmp-client';
import { registerPrescription } from './eprescription-client';
import type { Patient, TenantState, Workstation } from './tenant';
import type { CallContext } from './triggers';
import { BadRequest, isObject } from './validation';

export type DmpStatus = 'not-sent' | 'pending' | 'sent' | 'refused' | 'error';

export const SEND_LABEL = "Information et non opposition du patient à l'alimentation de Mon espace santé";
export const CONSULT_QUESTION =
  "Le patient a-t-il été informé et ne s'oppose-t-il pas à la consultation de son DMP / Mon espace santé ?";
export const CONSULT_REMINDER = 'Rappel : vous devez informer le patient au préalable de tout accès à son DMP / Mon espace santé.';
export const INS_NOT_QUALIFIED_SEND = 'INS non qualifiée : envoi au DMP impossible';
export const INS_NOT_QUALIFIED = 'INS non qualifiée';
/** Between two submissions after a network error / fault (at most 2 retries). */
export const DMP_RETRY_DELAY_MS = 200;
/** Seeded defect dmp-retry-forever: resubmission period. */
export const DMP_RETRY_FOREVER_MS = 100;

export interface Click {
  purpose: string;
  label?: string;
}

export interface Printed {
  datamatrix: boolean;
  ePrescriptionNumber: string | null;
}

export interface DocumentRecord {
  id: string;
  patientId: string;
  type: DocumentType;
  content: DocumentContent;
  typeCode: string | null;
  typeCodeSetBy: 'automatic' | 'user' | null;
  status: 'draft' | 'validated';
  sendToDmp: { checked: boolean; label: string };
  maskedFrom: Masking[];
  dmp: { status: DmpStatus; message?: string; attempts: number };
  printed?: Printed;
  /** CDA id root = XDS uniqueId */
  uniqueId: string;
  setId: string;
  createdAt: Date;
  validatedAt?: Date;
  cda?: Buffer;
}

export interface DocumentView {
  documentId: string;
  patientId: string;
  type: DocumentType;
  typeCode: string | null;
  typeCodeSetBy: 'automatic' | 'user' | null;
  status: 'draft' | 'validated';
  sendToDmp: { checked: boolean; label: string };
  maskedFrom: Masking[];
  dmp: { status: DmpStatus; message?: string; attempts: number };
  printed?: Printed;
}

export interface ActionResult {
  clicks: Click[];
  screenChanges?: number;
  printed?: Printed;
  document?: DocumentView;
}

export class Conflict extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The editor refuses the content (answered 422). */
export class Unprocessable extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export const MEDECIN_TRAITANT_REQUIRED = 'Un médecin traitant est requis pour produire le VSM';

export function documentView(d: DocumentRecord): DocumentView {
  return {
    documentId: d.id,
    patientId: d.patientId,
    type: d.type,
    typeCode: d.typeCode,
    typeCodeSetBy: d.typeCodeSetBy,
    status: d.status,
    sendToDmp: { ...d.sendToDmp },
    maskedFrom: [...d.maskedFrom],
    dmp: { ...d.dmp },
    ...(d.printed ? { printed: { ...d.printed } } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Request parsing

function strings(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new BadRequest(`${field}: an array of strings is required`);
  return (v as string[]).map((s) => s.trim()).filter(Boolean);
}

function optString(o: Record<string, unknown>, k: string, field: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BadRequest(`${field}.${k}: must be a string`);
  return v.trim() === '' ? undefined : v.trim();
}

export function parseDocumentType(v: unknown): DocumentType {
  if (typeof v !== 'string' || !DOCUMENT_TYPES.includes(v as DocumentType)) {
    throw new BadRequest(`type: one of ${DOCUMENT_TYPES.join(', ')} is required`);
  }
  return v as DocumentType;
}

export function parseContent(v: unknown, type: DocumentType): DocumentContent {
  if (!isObject(v)) throw new BadRequest('content: an object is required');
  const lines = (v.lines === undefined || v.lines === null ? [] : v.lines) as unknown;
  if (!Array.isArray(lines)) throw new BadRequest('content.lines: an array is required');
  const vaccinations = (v.vaccinations === undefined || v.vaccinations === null ? [] : v.vaccinations) as unknown;
  if (!Array.isArray(vaccinations)) throw new BadRequest('content.vaccinations: an array is required');
  const mt = v.medecinTraitant;
  if (mt !== undefined && mt !== null && typeof mt !== 'string') throw new BadRequest('content.medecinTraitant: a string or null is required');
  const c: DocumentContent = {
    lines: lines.map((l, i) => {
      if (!isObject(l)) throw new BadRequest(`content.lines[${i}]: an object is required`);
      const product = optString(l, 'product', `content.lines[${i}]`);
      if (!product) throw new BadRequest(`content.lines[${i}].product: a non-empty string is required`);
      const dosage = optString(l, 'dosage', `content.lines[${i}]`);
      return { product, ...(dosage ? { dosage } : {}) };
    }),
    vaccinations: vaccinations.map((x, i): Vaccination => {
      const f = `content.vaccinations[${i}]`;
      if (!isObject(x)) throw new BadRequest(`${f}: an object is required`);
      const vaccine = optString(x, 'vaccine', f);
      if (!vaccine) throw new BadRequest(`${f}.vaccine: a non-empty string is required`);
      const date = optString(x, 'date', f);
      if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new BadRequest(`${f}.date: a date YYYY-MM-DD is required`);
      const code = optString(x, 'code', f);
      const lot = optString(x, 'lot', f);
      return { vaccine, ...(code ? { code } : {}), ...(lot ? { lot } : {}), ...(date ? { date } : {}) };
    }),
    problems: strings(v.problems, 'content.problems'),
    treatments: strings(v.treatments, 'content.treatments'),
    allergies: strings(v.allergies, 'content.allergies'),
  };
  const title = optString(v, 'title', 'content');
  const text = optString(v, 'text', 'content');
  if (title) c.title = title;
  if (text) c.text = text;
  if (typeof mt === 'string' && mt.trim() !== '') c.medecinTraitant = mt.trim();
  if (type === 'prescription' && c.lines.length === 0) throw new BadRequest('content.lines: a prescription needs at least one line');
  if (type === 'vaccination-note' && c.vaccinations.length === 0) {
    throw new BadRequest('content.vaccinations: a note de vaccination needs at least one vaccination');
  }
  return c;
}

export function parseMasking(v: unknown): Masking[] {
  const allowed = Object.keys(MASKING_CODES) as Masking[];
  if (!Array.isArray(v) || v.some((m) => typeof m !== 'string' || !allowed.includes(m as Masking))) {
    throw new BadRequest(`maskedFrom: an array of ${allowed.join(', ')} is required`);
  }
  return [...new Set(v as Masking[])];
}

// ---------------------------------------------------------------------------------------------
// The editor

export function createDocuments(t: TenantState, p: Patient, _ws: Workstation, type: DocumentType, content: DocumentContent): DocumentRecord[] {
  if (type === 'vsm' && !content.medecinTraitant && t.defects.has('vsm-requires-medecin-traitant')) {
    throw new Unprocessable('medecin-traitant-required', MEDECIN_TRAITANT_REQUIRED);
  }
  const split = type === 'vaccination-note' && !t.defects.has('two-vaccinations-one-note');
  const contents = split ? content.vaccinations.map((v) => ({ ...content, vaccinations: [v] })) : [content];
  const byUser = t.defects.has('type-code-chosen-by-user');
  return contents.map((c) => {
    let checked = true; // OPP-01 / SEND-03: opt-out, every new document starts as "send"
    if (t.defects.has('send-box-unchecked')) checked = false;
    else if (t.defects.has('send-choice-remembered') && t.lastSendChoice !== undefined) checked = t.lastSendChoice;
    const d: DocumentRecord = {
      id: t.newDocumentId(),
      patientId: p.id,
      type,
      content: c,
      typeCode: byUser ? null : TYPE_META[type].typeCode.code,
      typeCodeSetBy: byUser ? null : 'automatic',
      status: 'draft',
      sendToDmp: { checked, label: SEND_LABEL },
      maskedFrom: [],
      dmp: { status: 'not-sent', attempts: 0 },
      uniqueId: newOid(),
      setId: newOid(),
      createdAt: new Date(),
    };
    t.documents.set(d.id, d);
    return d;
  });
}

function requireDraft(d: DocumentRecord): void {
  if (d.status !== 'draft') throw new Conflict('already-validated', 'Ce document est déjà validé.');
}

export function doNotSend(t: TenantState, d: DocumentRecord): ActionResult {
  requireDraft(d);
  d.sendToDmp.checked = false;
  const clicks: Click[] = [{ purpose: 'do-not-send', label: 'Ne pas envoyer au DMP' }];
  if (t.defects.has('do-not-send-two-clicks')) clicks.push({ purpose: 'confirm', label: 'Êtes-vous sûr ?' });
  return { clicks, screenChanges: 0, document: documentView(d) };
}

export function setMasking(d: DocumentRecord, maskedFrom: Masking[]): ActionResult {
  requireDraft(d);
  d.maskedFrom = maskedFrom;
  return { clicks: [{ purpose: 'masking', label: 'Masquer le document' }], screenChanges: 0, document: documentView(d) };
}

// ---------------------------------------------------------------------------------------------
// Validation and the DMP submission

function patientOf(t: TenantState, d: DocumentRecord): Patient {
  const p = t.patients.get(d.patientId);
  if (!p) throw new Conflict('unknown-patient', `no patient ${d.patientId}`);
  return p;
}

async function ePrescription(ctx: CallContext, t: TenantState, p: Patient, d: DocumentRecord): Promise<Printed> {
  const url = t.doubles.ePrescriptionUrl;
  if (!t.settings.ePrescription || !url) return { datamatrix: false, ePrescriptionNumber: null };
  const ins = p.ins.status === 'qualified' ? ins15(p) : undefined;
  const r = await registerPrescription(
    url,
    {
      patient: { ...(ins ? { ins } : {}), birthName: p.file.birthName, firstName: p.file.firstName, birthDate: p.file.birthDate },
      prescriber: { name: PRACTITIONER_DISPLAY, rpps: PRACTITIONER.rpps },
      lines: d.content.lines,
    },
    t.options.ePrescriptionTimeoutMs,
    anySignal(ctx.cancel, t.cancel.signal).signal,
  );
  return r.ok ? { datamatrix: true, ePrescriptionNumber: r.ePrescriptionNumber } : { datamatrix: false, ePrescriptionNumber: null };
}

function anySignal(...signals: AbortSignal[]): { signal: AbortSignal; dispose: () => void } {
  const c = new AbortController();
  const onAbort = (): void => c.abort();
  for (const s of signals) {
    if (s.aborted) c.abort();
    else s.addEventListener('abort', onAbort, { once: true });
  }
  return { signal: c.signal, dispose: () => signals.forEach((s) => s.removeEventListener('abort', onAbort)) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** The INS as an XDS CX: <15 chars>^^^&<INS OID>&ISO^NH. */
export function patientCx(p: Patient): string | undefined {
  const v = ins15(p);
  return v ? `${v}^^^&${insOid(p)}&ISO^NH` : undefined;
}

const AUTHOR = {
  person: `${PRACTITIONER.rpps}^${PRACTITIONER.family}^${PRACTITIONER.given}^^^^^^&${RPPS_OID}&ISO^D^^^IDNPS`,
  institution: `${PRACTITIONER.organisationName}^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^${PRACTITIONER.organisationId}`,
  specialty: `${PRACTITIONER.specialtyCode}^${PRACTITIONER.specialtyDisplay}^1.2.250.1.213.1.1.4.5`,
  name: PRACTITIONER_DISPLAY,
  structureId: PRACTITIONER.organisationId,
};

function submissionSpec(t: TenantState, p: Patient, d: DocumentRecord, cx: string): SubmissionSpec {
  return { repositoryUrl: t.doubles.dmp!.repositoryUrl, ...metadataSpec(t, p, d, cx) };
}

/** The XDS metadata of document `d` of patient `p` (ITI-41, and the XDM package sent by MSSanté). */
export function metadataSpec(t: TenantState, p: Patient, d: DocumentRecord, cx: string): MetadataSpec {
  const meta = TYPE_META[d.type];
  return {
    patientCx: cx,
    patientInfo: { birthName: p.file.birthName, firstName: p.file.firstName, birthDate: p.file.birthDate, sex: p.file.sex },
    cda: documentContent(t, d),
    documentUniqueId: d.uniqueId,
    submissionUniqueId: newOid(),
    title: d.content.title ?? meta.title,
    typeCode: meta.typeCode,
    classCode: meta.classCode,
    formatCode: meta.formatCode,
    masking: t.defects.has('masking-ignored') ? [] : d.maskedFrom,
    author: AUTHOR,
    creationTime: d.validatedAt ?? d.createdAt,
    submissionTime: new Date(),
  };
}

export function refusalMessage(errors: Array<{ code: string; context: string }>): string {
  const reasons = errors.map((e) => (e.context && e.code ? `${e.context} (${e.code})` : e.context || e.code)).filter(Boolean);
  return `Le DMP a refusé le document : ${reasons.join(' ; ') || 'motif non précisé'}`;
}

/** Submit until an answer settles it: Success, a Failure (shown, not retried), or 3 errors. Never rejects. */
async function runSubmission(ctx: CallContext, t: TenantState, p: Patient, d: DocumentRecord, cx: string): Promise<void> {
  const { signal, dispose } = anySignal(ctx.cancel, t.cancel.signal);
  try {
    let errors = 0;
    for (;;) {
      if (signal.aborted) return;
      d.dmp.attempts++;
      const r = await submitIti41(submissionSpec(t, p, d, cx), t.options.dmpTimeoutMs, signal);
      if (signal.aborted) return;
      if (r.outcome === 'success') {
        d.dmp = { status: 'sent', message: 'Document envoyé au DMP', attempts: d.dmp.attempts };
        return;
      }
      if (r.outcome === 'failure') {
        if (t.defects.has('dmp-refusal-swallowed')) {
          d.dmp = { status: 'sent', message: 'Document envoyé au DMP', attempts: d.dmp.attempts };
          return;
        }
        if (t.defects.has('dmp-retry-forever')) {
          await sleep(DMP_RETRY_FOREVER_MS, signal);
          continue;
        }
        d.dmp = { status: 'refused', message: refusalMessage(r.errors), attempts: d.dmp.attempts };
        return;
      }
      if (++errors > 2) {
        d.dmp = { status: 'error', message: `Envoi au DMP impossible : ${r.message} (${r.code})`, attempts: d.dmp.attempts };
        return;
      }
      await sleep(DMP_RETRY_DELAY_MS, signal);
    }
  } catch (e) {
    d.dmp = { status: 'error', message: `Envoi au DMP impossible : ${String(e)}`, attempts: d.dmp.attempts };
  } finally {
    dispose();
  }
}

/** Start sending `d` to the DMP (background unless dmp-in-request-path). Returns the job, if any. */
function startSending(ctx: CallContext, t: TenantState, d: DocumentRecord): Promise<void> | undefined {
  const p = patientOf(t, d);
  const cx = p.ins.status === 'qualified' ? patientCx(p) : undefined;
  if (!cx) {
    d.dmp = { status: 'not-sent', message: INS_NOT_QUALIFIED_SEND, attempts: d.dmp.attempts };
    return undefined;
  }
  if (!t.doubles.dmp) {
    d.dmp = { status: 'error', message: 'Aucun DMP configuré : envoi impossible', attempts: d.dmp.attempts };
    return undefined;
  }
  d.dmp = { status: 'pending', message: 'Envoi au DMP en cours', attempts: d.dmp.attempts };
  const job = runSubmission(ctx, t, p, d, cx);
  ctx.inFlight.add(job);
  void job.finally(() => ctx.inFlight.delete(job));
  return job;
}

function generate(t: TenantState, d: DocumentRecord): Buffer {
  const p = patientOf(t, d);
  const xml = generateCda(
    d.type,
    cdaPatient(p, t.defects),
    d.content,
    { id: d.uniqueId, setId: d.setId, effectiveTime: d.validatedAt ?? new Date(), defects: t.defects },
    { ePrescriptionNumber: d.printed?.ePrescriptionNumber ?? null },
  );
  return Buffer.from(xml, 'utf8');
}

function buildCda(t: TenantState, d: DocumentRecord): void {
  d.cda = generate(t, d);
}

/**
 * The CDA of the document as the LGC produced it (GET /testdriver/documents/{id}/content): the one
 * built at validation (sent or not); for a draft, generated now from what the editor holds.
 */
export function documentContent(t: TenantState, d: DocumentRecord): Buffer {
  return d.cda ?? generate(t, d);
}

export async function validate(ctx: CallContext, t: TenantState, d: DocumentRecord, _ws: Workstation): Promise<ActionResult> {
  requireDraft(d);
  const p = patientOf(t, d);
  const clicks: Click[] = [];
  if (t.defects.has('type-code-chosen-by-user')) {
    clicks.push({ purpose: 'choose-document-type', label: 'Type de document' });
    d.typeCode = TYPE_META[d.type].typeCode.code;
    d.typeCodeSetBy = 'user';
  }
  clicks.push({ purpose: 'validate-and-print', label: 'Valider et imprimer' });
  if (t.defects.has('masking-dialog')) clicks.push({ purpose: 'masking', label: 'Préférences de masquage' });
  d.status = 'validated';
  d.validatedAt = new Date();
  d.printed = d.type === 'prescription' ? await ePrescription(ctx, t, p, d) : { datamatrix: false, ePrescriptionNumber: null };
  buildCda(t, d);
  t.lastSendChoice = d.sendToDmp.checked;

  let send = d.sendToDmp.checked || t.defects.has('opt-out-ignored');
  if (t.defects.has('separate-send-button')) send = false; // only the explicit send-to-dmp action sends
  if (!t.settings.dmpFeeding) send = false;
  let job: Promise<void> | undefined;
  if (!send) {
    d.dmp = { status: 'not-sent', ...(d.sendToDmp.checked ? {} : { message: 'Non envoyé au DMP (opposition du patient)' }), attempts: d.dmp.attempts };
  } else if (d.type === 'prescription' && !d.printed.datamatrix && t.defects.has('prescription-dropped-on-eprescription-failure')) {
    d.dmp = { status: 'not-sent', message: 'Ordonnance numérique indisponible : prescription non envoyée', attempts: d.dmp.attempts };
  } else {
    job = startSending(ctx, t, d);
  }
  if (job && t.defects.has('dmp-in-request-path')) await job;
  return { clicks, screenChanges: 0, printed: { ...d.printed }, document: documentView(d) };
}

/** The explicit « Envoyer au DMP » action (a conformant LGC does not need it). */
export async function sendToDmp(ctx: CallContext, t: TenantState, d: DocumentRecord): Promise<ActionResult> {
  if (d.status !== 'validated') throw new Conflict('not-validated', "Validez le document avant de l'envoyer au DMP.");
  let job: Promise<void> | undefined;
  if (d.dmp.status !== 'pending' && d.dmp.status !== 'sent') {
    if (!t.settings.dmpFeeding) d.dmp = { status: 'not-sent', message: "L'alimentation du DMP est désactivée", attempts: d.dmp.attempts };
    else job = startSending(ctx, t, d);
  }
  if (job && t.defects.has('dmp-in-request-path')) await job;
  return { clicks: [{ purpose: 'send-to-dmp', label: 'Envoyer au DMP' }], screenChanges: 0, document: documentView(d) };
}

// ---------------------------------------------------------------------------------------------
// Consultation (OPP-03 / OPP-04)

export interface ConsultResult {
  asked: boolean;
  question?: string;
  reminder?: string;
  consulted: boolean;
  documents?: Array<{ title: string; typeCode: string }>;
  error?: string;
}

async function queryDmp(ctx: CallContext, t: TenantState, p: Patient): Promise<ConsultResult> {
  const cx = p.ins.status === 'qualified' ? patientCx(p) : undefined;
  if (!cx) return { asked: false, consulted: false, error: INS_NOT_QUALIFIED };
  if (!t.doubles.dmp) return { asked: false, consulted: false, error: 'Aucun DMP configuré' };
  const { signal, dispose } = anySignal(ctx.cancel, t.cancel.signal);
  try {
    const r = await queryIti18(t.doubles.dmp.registryUrl, cx, t.options.dmpTimeoutMs, signal);
    if (r.outcome === 'error') return { asked: false, consulted: true, documents: [], error: `Consultation du DMP impossible : ${r.message} (${r.code})` };
    return { asked: false, consulted: true, documents: r.documents };
  } finally {
    dispose();
  }
}

export async function consult(ctx: CallContext, t: TenantState, p: Patient, nonOpposition: boolean | undefined): Promise<ConsultResult> {
  if (nonOpposition === undefined) {
    const rec = p.dmpNonOpposition;
    const now =
      rec === true ||
      (rec === undefined && t.defects.has('consult-without-asking')) ||
      (rec === false && t.defects.has('consult-despite-opposition'));
    if (!now) return { asked: true, question: CONSULT_QUESTION, reminder: CONSULT_REMINDER, consulted: false };
    return queryDmp(ctx, t, p);
  }
  if (nonOpposition) {
    if (!t.defects.has('consult-asks-every-time')) p.dmpNonOpposition = true;
    return queryDmp(ctx, t, p);
  }
  p.dmpNonOpposition = false;
  return { asked: false, consulted: false };
}

// ---------------------------------------------------------------------------------------------
// Settings (SEND-07)

export function applySettings(t: TenantState, body: unknown): { applied: string[]; refused: string[] } {
  if (!isObject(body)) throw new BadRequest('settings: an object is required');
  const applied: string[] = [];
  const refused: string[] = [];
  for (const key of ['insi', 'dmpFeeding', 'ePrescription'] as const) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') throw new BadRequest(`settings.${key}: a boolean is required`);
    if (key === 'insi' && !v && !t.defects.has('insi-can-be-disabled')) refused.push(key);
    else if (key === 'dmpFeeding' && !v && !t.defects.has('dmp-feeding-can-be-disabled')) refused.push(key);
    else if (key === 'ePrescription' && v && !t.doubles.ePrescriptionUrl) refused.push(key); // module not installed
    else {
      t.settings[key] = v;
      applied.push(key);
    }
  }
  return { applied, refused };
}
