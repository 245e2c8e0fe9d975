/**
 * The ordonnance numérique teleservice client: POST JSON to <url>/prescriptions, wait at most
 * ePrescriptionTimeoutMs. Any answer other than a 2xx that is not marked KO is OK. Never throws.
 */
import { type ClientTls, httpPost } from './http-post';

export interface EPrescriptionRequest {
  patient: { ins?: string; birthName: string; firstName: string; birthDate: string };
  prescriber: { name: string; rpps?: string };
  lines: Array<{ product: string; dosage?: string }>;
}

export type EPrescriptionOutcome = { ok: true; ePrescriptionNumber: string | null } | { ok: false; reason: string };

export async function registerPrescription(
  baseUrl: string,
  req: EPrescriptionRequest,
  timeoutMs: number,
  cancel?: AbortSignal,
  tls?: ClientTls,
): Promise<EPrescriptionOutcome> {
  const url = `${baseUrl.replace(/\/+$/, '')}/prescriptions`;
  const reply = await httpPost(
    url,
    { 'Content-Type': 'application/json; charset=utf-8', Accept: 'application/json' },
    Buffer.from(JSON.stringify(req), 'utf8'),
    timeoutMs,
    cancel,
    tls,
  );
  if (!reply.ok) return { ok: false, reason: `${reply.code}: ${reply.message}` };
  let body: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(reply.body.toString('utf8') || '{}') as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    /* not JSON: judged on the HTTP status */
  }
  const status = String(body.status ?? body.result ?? '').toUpperCase();
  if (reply.status < 200 || reply.status >= 300 || status === 'KO' || body.ok === false) {
    return { ok: false, reason: String(body.reason ?? body.message ?? `HTTP ${reply.status}`) };
  }
  const n = body.prescriptionNumber ?? body.ePrescriptionNumber ?? body.number ?? body.numero ?? body.id;
  return { ok: true, ePrescriptionNumber: typeof n === 'string' || typeof n === 'number' ? String(n) : null };
}
