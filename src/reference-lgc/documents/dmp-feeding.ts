/** Feeding the DMP: the XDS metadata of a document and its submission (ITI-41) in the background, until an answer settles it. */
import { insOid, ins15, newOid, RPPS_OID, STRUCTURE_OID, TYPE_META, type Practitioner } from '../cda';
import { anySignal, sleep, track } from '../background';
import { submitIti41, type Author, type MetadataSpec, type SubmissionSpec } from '../dmp-client';
import type { Patient, TenantState } from '../tenant';
import type { CallContext } from '../triggers';
import { documentAuthor, documentContent } from './content';
import {
  DMP_RETRY_DELAY_MS,
  DMP_RETRY_FOREVER_MS,
  DMP_RETRY_SLOW_MS,
  INS_NOT_QUALIFIED_SEND,
  patientOfDocument,
  type DocumentRecord,
} from './record';

/** The INS as an XDS CX: <15 chars>^^^&<INS OID>&ISO^NH (seeded defect xds-patient-id-local-oid: under the practice's own OID). */
export function patientCx(p: Patient, t?: TenantState): string | undefined {
  const v = ins15(p);
  if (v && t?.defects.has('xds-patient-id-local-oid')) return `${v}^^^&1.2.250.1.999.42.1&ISO^PI`;
  return v ? `${v}^^^&${insOid(p)}&ISO^NH` : undefined;
}

/** The XDS author (authorPerson XCN, institution, specialty) of the CDA's author. */
function xdsAuthor(pr: Practitioner): Author {
  return {
    person: `${pr.idNat}^${pr.family}^${pr.given ?? ''}^^^^^^&${RPPS_OID}&ISO^D^^^IDNPS`,
    institution: `${pr.organisationName}^^^^^&${STRUCTURE_OID}&ISO^IDNST^^^${pr.organisationId}`,
    specialty: `${pr.specialtyCode}^${pr.specialtyDisplay}^1.2.250.1.213.1.1.4.5`,
    name: pr.display,
    structureId: pr.organisationId,
  };
}

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
    // Seeded defects of CDA-08: codes outside the DMP's value sets, a formatCode of another volet.
    classCode: t.defects.has('xds-class-code-local')
      ? { code: 'CR-MG', display: 'Compte rendu (code local)', scheme: '1.2.250.1.999.42.2' }
      : meta.classCode,
    formatCode:
      t.defects.has('xds-format-code-of-another-volet') && d.type !== 'consultation-report'
        ? { code: 'urn:ihe:iti:xds-sd:pdf:2008', display: 'Document à corps non structuré en Pdf/A-1', scheme: '1.3.6.1.4.1.19376.1.2.3' }
        : meta.formatCode,
    ...(t.defects.has('xds-practice-setting-local')
      ? { practiceSetting: { code: 'CABINET', display: 'Cabinet (code local)', scheme: '1.2.250.1.999.42.3' } }
      : {}),
    masking: t.defects.has('masking-ignored') ? [] : d.maskedFrom,
    author: xdsAuthor(documentAuthor(t, d)),
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
        // seeded defect dmp-retry-every-2s: the refusal is shown, and the same document resubmitted
        // every 2 s behind the user's back until the tenant is reset (not tracked: it never ends)
        if (t.defects.has('dmp-retry-every-2s')) void resubmitForever(ctx, t, p, d, cx);
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

/** Seeded defect dmp-retry-every-2s: the refused document again and again, nothing shown. */
async function resubmitForever(ctx: CallContext, t: TenantState, p: Patient, d: DocumentRecord, cx: string): Promise<void> {
  const { signal, dispose } = anySignal(ctx.cancel, t.cancel.signal);
  try {
    for (;;) {
      await sleep(DMP_RETRY_SLOW_MS, signal);
      if (signal.aborted) return;
      await submitIti41(submissionSpec(t, p, d, cx), t.options.dmpTimeoutMs, signal);
    }
  } catch {
    // the loop of a seeded defect: its failure is nobody's answer
  } finally {
    dispose();
  }
}

/**
 * One submission of `d` whose answer nobody sees (seeded defect opp-out-sent-late: the document
 * the patient opposed is sent anyway, while the screen keeps showing it as not sent).
 */
export async function submitSilently(t: TenantState, d: DocumentRecord, signal: AbortSignal): Promise<void> {
  const p = patientOfDocument(t, d);
  const cx = p.ins.status === 'qualified' ? patientCx(p, t) : undefined;
  if (!cx || !t.doubles.dmp) return;
  await submitIti41(submissionSpec(t, p, d, cx), t.options.dmpTimeoutMs, signal);
}

/** Start sending `d` to the DMP (background unless dmp-in-request-path). Returns the job, if any. */
export function startSending(ctx: CallContext, t: TenantState, d: DocumentRecord): Promise<void> | undefined {
  const p = patientOfDocument(t, d);
  const cx = p.ins.status === 'qualified' ? patientCx(p, t) : undefined;
  if (!cx) {
    d.dmp = { status: 'not-sent', message: INS_NOT_QUALIFIED_SEND, attempts: d.dmp.attempts };
    return undefined;
  }
  if (!t.doubles.dmp) {
    d.dmp = { status: 'error', message: 'Aucun DMP configuré : envoi impossible', attempts: d.dmp.attempts };
    return undefined;
  }
  d.dmp = { status: 'pending', message: 'Envoi au DMP en cours', attempts: d.dmp.attempts };
  return track(ctx, runSubmission(ctx, t, p, d, cx));
}
