/**
 * Reading the practice's mailbox over POP3 (MSS-05, MSS-08, replies): bounces (RFC 3464) and read
 * receipts (RFC 8098) are tied to the message they concern, patients' replies to their thread;
 * what cannot be tied is kept, never dropped.
 */
import { createHash } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import { pop3FetchAndDelete } from '../pop3-client';
import type { MssRecord, TenantState } from '../tenant';
import type { CallContext } from '../triggers';
import { patientMssAddress } from './address';
import { bareId, config, isPatientAddress, lower } from './common';

/** The top-level parts of a multipart body (bytes between the boundary lines, without their CRLF). */
export function mimeParts(raw: Buffer, boundary: string): Buffer[] {
  const text = raw.toString('latin1'); // one char per byte: indexes are byte offsets
  const delim = `--${boundary}`;
  const parts: Buffer[] = [];
  let at = text.startsWith(delim) ? 0 : text.indexOf(`\n${delim}`);
  if (at > 0) at += 1;
  while (at >= 0) {
    const after = at + delim.length;
    if (text.startsWith('--', after)) break;
    const nl = text.indexOf('\n', after);
    if (nl < 0) break;
    const next = text.indexOf(`\n${delim}`, nl + 1);
    if (next < 0) {
      parts.push(raw.subarray(nl + 1));
      break;
    }
    parts.push(raw.subarray(nl + 1, text[next - 1] === '\r' ? next - 1 : next));
    at = next + 1;
  }
  return parts;
}

/** The body of a MIME part (after its header block). */
function partBody(part: Buffer): string {
  const text = part.toString('utf8');
  const separator = /\r?\n\r?\n/.exec(text);
  return separator ? text.slice(separator.index + separator[0].length) : '';
}

function fieldValues(text: string, name: string): string[] {
  const re = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'gim');
  return [...text.matchAll(re)].map((m) => m[1]!.replace(/\r?\n[ \t]+/g, ' ').trim());
}

const idsIn = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v ? [v] : []).flatMap((s) => [...s.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!.toLowerCase()));

interface Report {
  human: string;
  fields: string;
  originalIds: string[];
}

/** A multipart/report (RFC 6522): its human-readable part, its machine-readable fields, the original's Message-ID. */
async function readReport(raw: Buffer, mail: ParsedMail, boundary: string | undefined): Promise<Report> {
  const parts = boundary ? mimeParts(raw, boundary) : [];
  let human = '';
  let fields = '';
  const originalIds: string[] = [];
  for (const part of parts) {
    const head = part.toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
    const type = (/^content-type[ \t]*:[ \t]*([^;\s]+)/im.exec(head)?.[1] ?? 'text/plain').toLowerCase();
    if (!human && type === 'text/plain') {
      human = ((await simpleParser(part, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true })).text ?? '').trim();
    } else if (type === 'message/delivery-status' || type === 'message/disposition-notification') {
      fields += `${partBody(part)}\n`;
    } else if (type === 'message/rfc822' || type === 'text/rfc822-headers') {
      const originalHead = partBody(part).split(/\r?\n\r?\n/)[0] ?? '';
      originalIds.push(...fieldValues(originalHead, 'Message-ID').flatMap((v) => idsIn(v)));
    }
  }
  if (!human) human = (mail.text ?? '').trim();
  if (!fields) fields = raw.toString('utf8');
  return { human, fields, originalIds };
}

function findOut(tenant: TenantState, ids: string[]): MssRecord | undefined {
  const wanted = new Set(ids.map(bareId));
  return [...tenant.messaging.messages.values()].find((m) => m.direction === 'out' && wanted.has(bareId(m.internetMessageId)));
}

function latestOutTo(tenant: TenantState, addresses: string[]): MssRecord | undefined {
  const wanted = new Set(addresses.map(lower));
  return [...tenant.messaging.messages.values()]
    .reverse()
    .find((m) => m.direction === 'out' && m.status === 'sent' && wanted.has(lower(m.address)));
}

async function linkMail(tenant: TenantState, raw: Buffer): Promise<void> {
  const messaging = tenant.messaging;
  let mail: ParsedMail;
  try {
    mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch (e) {
    messaging.unlinked.push({
      kind: 'message',
      from: '',
      subject: '',
      text: `message illisible : ${String(e)}`,
      receivedAt: new Date().toISOString(),
    });
    return;
  }
  const key = mail.messageId ? bareId(mail.messageId) : createHash('sha256').update(raw).digest('hex');
  if (messaging.seen.has(key)) return;
  messaging.seen.add(key);
  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | string | undefined;
  const type = (typeof ct === 'string' ? ct : (ct?.value ?? '')).toLowerCase();
  const params = typeof ct === 'object' && ct ? (ct.params ?? {}) : {};
  const reportType = (params['report-type'] ?? '').toLowerCase();
  const from = mail.from?.value[0]?.address ?? '';
  const subject = mail.subject ?? '';
  const receivedAt = (mail.date ?? new Date()).toISOString();
  const replyIds = [...idsIn(mail.inReplyTo), ...idsIn(mail.references)];

  if (type === 'multipart/report' && reportType === 'delivery-status') {
    if (tenant.defects.has('bounce-dropped')) return; // seeded defect: read, deleted, never shown
    const report = await readReport(raw, mail, params.boundary);
    const recipients = fieldValues(report.fields, 'Final-Recipient').map((v) => v.replace(/^[^;]*;\s*/, ''));
    const target = findOut(tenant, [...report.originalIds, ...replyIds]) ?? latestOutTo(tenant, recipients);
    if (target) {
      target.status = 'bounced';
      target.bounce = { text: report.human || subject };
      return;
    }
    messaging.unlinked.push({ kind: 'bounce', from, subject, text: report.human || subject, receivedAt });
    return;
  }
  if (type === 'multipart/report' && reportType === 'disposition-notification') {
    const report = await readReport(raw, mail, params.boundary);
    const disposition = fieldValues(report.fields, 'Disposition')[0] ?? '';
    const target = findOut(tenant, [
      ...fieldValues(report.fields, 'Original-Message-ID').flatMap((v) => idsIn(v)),
      ...report.originalIds,
      ...replyIds,
    ]);
    if (target && /displayed/i.test(disposition)) {
      if (target.status !== 'bounced') target.status = 'read';
      target.readAt = receivedAt;
      return;
    }
    if (!target) messaging.unlinked.push({ kind: 'read-receipt', from, subject, text: report.human || subject, receivedAt });
    return;
  }
  // a message: from a patient, it goes to that patient's thread
  let patientId: string | undefined;
  if (isPatientAddress(from)) {
    patientId = findOut(tenant, replyIds)?.patientId ?? latestPatientOf(tenant, from);
  }
  if (!patientId) {
    messaging.unlinked.push({ kind: 'message', from, subject, text: (mail.text ?? '').trim(), receivedAt });
    return;
  }
  const rec: MssRecord = {
    id: messaging.newId(),
    direction: 'in',
    patientId,
    address: lower(from),
    subject,
    status: 'received',
    internetMessageId: mail.messageId ?? `<${key}@unknown>`,
    at: receivedAt,
  };
  messaging.messages.set(rec.id, rec);
}

function latestPatientOf(tenant: TenantState, address: string): string | undefined {
  const sent = [...tenant.messaging.messages.values()].reverse().find((x) => x.patientId && lower(x.address) === lower(address));
  if (sent?.patientId) return sent.patientId;
  return [...tenant.patients.values()].find((p) => lower(patientMssAddress(tenant, p) ?? '') === lower(address))?.id;
}

/** Reads the practice's mailbox (one POP3 session at a time per tenant). Resolves to an error text, or undefined. */
export function readMailbox(ctx: CallContext, tenant: TenantState): Promise<string | undefined> {
  const mss = config(tenant);
  const messaging = tenant.messaging;
  const run = messaging.reading.then(async () => {
    // shutdown or a new reset of the tenant stops the read (AbortSignal.any needs Node ≥ 20.3)
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    const sources = [ctx.cancel, tenant.cancel.signal];
    for (const s of sources) {
      if (s.aborted) stop.abort();
      else s.addEventListener('abort', onAbort, { once: true });
    }
    let raws: Buffer[];
    try {
      raws = await pop3FetchAndDelete({
        host: mss.pop3.host,
        port: mss.pop3.port,
        user: mss.mailbox,
        password: mss.password,
        cancel: stop.signal,
        // Under TLS as the operator wants it, when reset gave the CA (doubles.tls).
        ...(tenant.doubles.tls ? { tls: { ca: tenant.doubles.tls.ca } } : {}),
      });
    } catch (e) {
      return `Lecture de la messagerie impossible : ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      for (const s of sources) s.removeEventListener('abort', onAbort);
    }
    for (const raw of raws) await linkMail(tenant, raw);
    return undefined;
  });
  messaging.reading = run.catch(() => undefined);
  return run;
}
