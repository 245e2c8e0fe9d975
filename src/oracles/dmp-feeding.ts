/**
 * Judges the feeding of the DMP: what reached the DMP double (observed), what the editor shows and
 * the clicks the user needed. OPP-01, OPP-02, SEND-01…SEND-11.
 */
import { Verdict, listed, verdict } from './verdict';

/** A document entry of an ITI-41 submission, as the DMP double decoded it. */
export interface EntrySeen {
  entryId: string;
  title?: string;
  typeCode?: string;
  confidentialityCodes: string[];
  patientId?: { id: string; oid: string; raw: string };
  content: Buffer;
}
export interface SubmissionSeen {
  seq: number;
  outcome: string;
  receivedAt: string;
  documents: EntrySeen[];
  refusal?: { code: string; context: string };
}
export interface EditorSeen {
  sendToDmp: { checked: boolean; label?: string };
  typeCode?: string | null;
  typeCodeSetBy?: string | null;
  status?: string;
  dmp: { status: string; message?: string };
}
export interface ClickSeen {
  purpose: string;
  label?: string;
}

export const submissionRef = (s: SubmissionSeen): string => `DMP submission #${s.seq}`;

export function describeSubmissions(list: SubmissionSeen[]): string {
  if (!list.length) return 'no submission reached the DMP';
  return list
    .map(
      (s) =>
        `#${s.seq} ${s.outcome}: ${s.documents.map((d) => `${d.title ?? d.entryId} (type ${d.typeCode}, patient ${d.patientId?.id ?? '?'}, confidentiality ${d.confidentialityCodes.join('+')})`).join('; ') || 'no document'}`,
    )
    .join(' | ');
}
const clicksText = (clicks: ClickSeen[]) =>
  `${clicks.length} click(s): ${clicks.map((c) => c.purpose + (c.label ? ` « ${c.label} »` : '')).join(', ') || 'none'}`;

/** OPP-01, SEND-03: a new document's box « information et non opposition du patient » is checked. */
export function sendBoxChecked(editor: EditorSeen): Verdict {
  return verdict(
    editor.sendToDmp.checked === true,
    'the non-opposition / send box of a new document is checked',
    `unchecked${editor.sendToDmp.label ? ` (« ${editor.sendToDmp.label} »)` : ''}`,
  );
}

/** OPP-01, SEND-01/03/07/08, CDA-05: the validated document reached the DMP for this patient. */
export function documentReceived(patient: string, ins: string, subs: SubmissionSeen[], boundMs: number, others: SubmissionSeen[]): Verdict {
  return verdict(
    subs.length > 0,
    `the validated document reaches the DMP for ${patient} (INS ${ins}) within ${boundMs} ms`,
    describeSubmissions(subs.length ? subs : others),
    subs.map(submissionRef),
  );
}

/** OPP-02, SEND-02: nothing reached the DMP for this patient during the whole window. */
export function nothingReceived(patient: string, subs: SubmissionSeen[], watchedMs: number): Verdict {
  return verdict(
    subs.length === 0,
    `no submission to the DMP for ${patient} (watched for ${watchedMs} ms after validation)`,
    describeSubmissions(subs),
    subs.map(submissionRef),
  );
}

/** OPP-02: the document shown as not sent. */
export function shownNotSent(editor: EditorSeen): Verdict {
  return verdict(
    editor.dmp.status === 'not-sent',
    'the document shown as not sent to the DMP',
    `DMP status ${editor.dmp.status}${editor.dmp.message ? ': ' + editor.dmp.message : ''}`,
  );
}

/** SEND-04: the document shown as sent once the DMP answered. */
export function shownSent(editor: EditorSeen | undefined, boundMs: number): Verdict {
  return verdict(
    editor?.dmp.status === 'sent',
    `the document shown as sent within ${boundMs} ms of the DMP's answer`,
    `DMP status ${editor?.dmp.status}${editor?.dmp.message ? ': ' + editor.dmp.message : ''}`,
  );
}

/** SEND-01: validating and printing is one click — nothing else, not even choosing a type. */
export function validatedInOneClick(clicks: ClickSeen[]): Verdict {
  return verdict(
    clicks.length === 1,
    'one click (validate and print), nothing else — not even to choose a document type',
    clicksText(clicks),
  );
}

/** SEND-02: keeping the document out of the DMP is exactly one click. */
export function notSendingInOneClick(clicks: ClickSeen[]): Verdict {
  return verdict(clicks.length === 1, 'exactly one click to keep the document out of the DMP', clicksText(clicks));
}

/**
 * SEND-06: no click besides validating on the usual path. Judged on the count, whatever the LGC
 * calls its clicks: a masking dialog named « Préférences » is still a click.
 */
export function noClickBesidesValidate(clicks: ClickSeen[]): Verdict {
  return verdict(
    clicks.length <= 1,
    'no click besides « validate and print » on the usual path (masking or visibility preferences included, whatever they are called)',
    clicksText(clicks),
  );
}

/** SEND-06: the document reached the DMP unmasked (confidentiality N only). */
export function visibleToAll(entry: EntrySeen): Verdict {
  const masked = entry.confidentialityCodes.filter((c) => c !== 'N');
  return verdict(masked.length === 0, 'confidentiality N only (no masking by default)', entry.confidentialityCodes.join(', ') || 'none');
}

/** SEND-11: the masking chosen at feeding time reached the DMP. */
export function confidentialityCarried(entry: EntrySeen, code: string): Verdict {
  return verdict(
    entry.confidentialityCodes.includes(code),
    `confidentiality code ${code} in the XDS metadata`,
    entry.confidentialityCodes.join(', ') || 'none',
  );
}

/** SEND-05: the editor shows the type code, set automatically. */
export function typeCodeSetAutomatically(editor: EditorSeen, code: string): Verdict {
  return verdict(
    editor.typeCode === code && editor.typeCodeSetBy === 'automatic',
    `type code ${code}, set automatically`,
    `type code ${editor.typeCode ?? 'none'}, set by ${editor.typeCodeSetBy ?? 'nobody'}`,
  );
}

/** SEND-05: the XDS typeCode the DMP received. */
export function xdsTypeCodeIs(entry: EntrySeen, code: string, ref: string): Verdict {
  return verdict(entry.typeCode === code, `XDS typeCode ${code}`, `typeCode ${entry.typeCode ?? 'none'}`, [ref]);
}

/** SEND-07: the user cannot switch a Ségur feature off. */
export function settingRefused(key: string, answer: { applied: string[]; refused: string[] }): Verdict {
  return verdict(
    !answer.applied.includes(key),
    `the setting "${key}" cannot be switched off by the user`,
    `applied: ${answer.applied.join(', ') || 'nothing'}; refused: ${answer.refused.join(', ') || 'nothing'}`,
  );
}

/** SEND-08: printed without the ordonnance numérique 2D code when the service failed. */
export function printedWithout2dCode(printed: { datamatrix?: boolean } | undefined): Verdict {
  return verdict(
    printed?.datamatrix === false,
    'the prescription printed, without the ordonnance numérique 2D code',
    JSON.stringify(printed ?? null),
  );
}

/** SEND-09: two notes de vaccination, one vaccination each (counts per note, from their CDA). */
export function oneVaccinationPerNote(counts: (number | string)[], refs: string[]): Verdict {
  return verdict(
    counts.length === 2 && counts.every((c) => c === 1),
    'two notes de vaccination, one vaccination each',
    `${counts.length} note(s), holding ${counts.join(' and ') || 'nothing'} vaccination(s)`,
    refs,
  );
}

/** SEND-10: the DMP's refusal shown, with its reason. */
export function refusalShown(editor: EditorSeen | undefined, reason: string, boundMs: number): Verdict {
  const ok = editor?.dmp.status === 'refused' && (editor.dmp.message ?? '').normalize('NFC').includes(reason.normalize('NFC'));
  return verdict(
    ok,
    `the document shown as refused by the DMP, with « ${reason} », within ${boundMs} ms`,
    `DMP status ${editor?.dmp.status}${editor?.dmp.message ? ': « ' + editor.dmp.message + ' »' : ''}`,
  );
}

/** SEND-10: the refused document is kept, validated, in the file. */
export function keptInFile(editor: EditorSeen): Verdict {
  return verdict(
    editor.status === 'validated',
    'the refused document kept, validated, in the patient file',
    `status ${editor.status ?? 'none'}`,
  );
}

/**
 * SEND-10: after the DMP refused, submissions stop: none for that patient during the whole window
 * (a rate would let a slow, endless retry through).
 */
export function noResubmission(after: SubmissionSeen[], watchedMs: number): Verdict {
  return verdict(
    after.length === 0,
    `no new submission of the refused document (watched for ${watchedMs} ms after the refusal)`,
    after.length ? `${after.length} resubmission(s): ${listed(after.map((s) => `#${s.seq} at ${s.receivedAt}`))}` : 'none',
    after.map(submissionRef),
  );
}
