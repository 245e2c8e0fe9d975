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
export function patientCx(patient: Patient, tenant?: TenantState): string | undefined {
  const ins = ins15(patient);
  if (ins && tenant?.defects.has('xds-patient-id-local-oid')) return `${ins}^^^&1.2.250.1.999.42.1&ISO^PI`;
  return ins ? `${ins}^^^&${insOid(patient)}&ISO^NH` : undefined;
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

function submissionSpec(tenant: TenantState, patient: Patient, doc: DocumentRecord, cx: string): SubmissionSpec {
  return { repositoryUrl: tenant.doubles.dmp!.repositoryUrl, ...metadataSpec(tenant, patient, doc, cx) };
}

/** The XDS metadata of document `doc` of patient `patient` (ITI-41, and the XDM package sent by MSSanté). */
export function metadataSpec(tenant: TenantState, patient: Patient, doc: DocumentRecord, cx: string): MetadataSpec {
  const meta = TYPE_META[doc.type];
  return {
    patientCx: cx,
    patientInfo: {
      birthName: patient.file.birthName,
      firstName: patient.file.firstName,
      birthDate: patient.file.birthDate,
      sex: patient.file.sex,
    },
    cda: documentContent(tenant, doc),
    documentUniqueId: doc.uniqueId,
    submissionUniqueId: newOid(),
    title: doc.content.title ?? meta.title,
    typeCode: meta.typeCode,
    // Seeded defects of CDA-08: codes outside the DMP's value sets, a formatCode of another volet.
    classCode: tenant.defects.has('xds-class-code-local')
      ? { code: 'CR-MG', display: 'Compte rendu (code local)', scheme: '1.2.250.1.999.42.2' }
      : meta.classCode,
    formatCode:
      tenant.defects.has('xds-format-code-of-another-volet') && doc.type !== 'consultation-report'
        ? { code: 'urn:ihe:iti:xds-sd:pdf:2008', display: 'Document à corps non structuré en Pdf/A-1', scheme: '1.3.6.1.4.1.19376.1.2.3' }
        : meta.formatCode,
    ...(tenant.defects.has('xds-practice-setting-local')
      ? { practiceSetting: { code: 'CABINET', display: 'Cabinet (code local)', scheme: '1.2.250.1.999.42.3' } }
      : {}),
    masking: tenant.defects.has('masking-ignored') ? [] : doc.maskedFrom,
    author: xdsAuthor(documentAuthor(tenant, doc)),
    creationTime: doc.validatedAt ?? doc.createdAt,
    submissionTime: new Date(),
  };
}

export function refusalMessage(errors: Array<{ code: string; context: string }>): string {
  const reasons = errors.map((e) => (e.context && e.code ? `${e.context} (${e.code})` : e.context || e.code)).filter(Boolean);
  return `Le DMP a refusé le document : ${reasons.join(' ; ') || 'motif non précisé'}`;
}

/** Submit until an answer settles it: Success, a Failure (shown, not retried), or 3 errors. Never rejects. */
async function runSubmission(ctx: CallContext, tenant: TenantState, patient: Patient, doc: DocumentRecord, cx: string): Promise<void> {
  const { signal, dispose } = anySignal(ctx.cancel, tenant.cancel.signal);
  try {
    let errors = 0;
    for (;;) {
      if (signal.aborted) return;
      doc.dmp.attempts++;
      const outcome = await submitIti41(submissionSpec(tenant, patient, doc, cx), tenant.options.dmpTimeoutMs, signal, tenant.doubles.tls);
      if (signal.aborted) return;
      if (outcome.outcome === 'success') {
        doc.dmp = { status: 'sent', message: 'Document envoyé au DMP', attempts: doc.dmp.attempts };
        return;
      }
      if (outcome.outcome === 'failure') {
        if (tenant.defects.has('dmp-refusal-swallowed')) {
          doc.dmp = { status: 'sent', message: 'Document envoyé au DMP', attempts: doc.dmp.attempts };
          return;
        }
        if (tenant.defects.has('dmp-retry-forever')) {
          await sleep(DMP_RETRY_FOREVER_MS, signal);
          continue;
        }
        doc.dmp = { status: 'refused', message: refusalMessage(outcome.errors), attempts: doc.dmp.attempts };
        // seeded defect dmp-retry-every-2s: the refusal is shown, and the same document resubmitted
        // every 2 s behind the user's back until the tenant is reset (not tracked: it never ends)
        if (tenant.defects.has('dmp-retry-every-2s')) void resubmitForever(ctx, tenant, patient, doc, cx);
        return;
      }
      if (++errors > 2) {
        doc.dmp = {
          status: 'error',
          message: `Envoi au DMP impossible : ${outcome.message} (${outcome.code})`,
          attempts: doc.dmp.attempts,
        };
        return;
      }
      await sleep(DMP_RETRY_DELAY_MS, signal);
    }
  } catch (e) {
    doc.dmp = { status: 'error', message: `Envoi au DMP impossible : ${String(e)}`, attempts: doc.dmp.attempts };
  } finally {
    dispose();
  }
}

/** Seeded defect dmp-retry-every-2s: the refused document again and again, nothing shown. */
async function resubmitForever(ctx: CallContext, tenant: TenantState, patient: Patient, doc: DocumentRecord, cx: string): Promise<void> {
  const { signal, dispose } = anySignal(ctx.cancel, tenant.cancel.signal);
  try {
    for (;;) {
      await sleep(DMP_RETRY_SLOW_MS, signal);
      if (signal.aborted) return;
      await submitIti41(submissionSpec(tenant, patient, doc, cx), tenant.options.dmpTimeoutMs, signal, tenant.doubles.tls);
    }
  } catch {
    // the loop of a seeded defect: its failure is nobody's answer
  } finally {
    dispose();
  }
}

/**
 * One submission of `doc` whose answer nobody sees (seeded defect opp-out-sent-late: the document
 * the patient opposed is sent anyway, while the screen keeps showing it as not sent).
 */
export async function submitSilently(tenant: TenantState, doc: DocumentRecord, signal: AbortSignal): Promise<void> {
  const patient = patientOfDocument(tenant, doc);
  const cx = patient.ins.status === 'qualified' ? patientCx(patient, tenant) : undefined;
  if (!cx || !tenant.doubles.dmp) return;
  await submitIti41(submissionSpec(tenant, patient, doc, cx), tenant.options.dmpTimeoutMs, signal, tenant.doubles.tls);
}

/** Start sending `doc` to the DMP (background unless dmp-in-request-path). Returns the job, if any. */
export function startSending(ctx: CallContext, tenant: TenantState, doc: DocumentRecord): Promise<void> | undefined {
  const patient = patientOfDocument(tenant, doc);
  const cx = patient.ins.status === 'qualified' ? patientCx(patient, tenant) : undefined;
  if (!cx) {
    doc.dmp = { status: 'not-sent', message: INS_NOT_QUALIFIED_SEND, attempts: doc.dmp.attempts };
    return undefined;
  }
  if (!tenant.doubles.dmp) {
    doc.dmp = { status: 'error', message: 'Aucun DMP configuré : envoi impossible', attempts: doc.dmp.attempts };
    return undefined;
  }
  doc.dmp = { status: 'pending', message: 'Envoi au DMP en cours', attempts: doc.dmp.attempts };
  return track(ctx, runSubmission(ctx, tenant, patient, doc, cx));
}
