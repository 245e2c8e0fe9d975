/**
 * The e-prescription double: an HTTP+JSON server on loopback playing the ordonnance numérique
 * teleservice (POST /eprescription/<tenant>/prescriptions), one programmable tenant per URL.
 */
import { stripBom } from '../common/body';
import { HttpDouble, type Incoming } from '../common/http-double';
import { ExchangeTenant } from '../common/tenant';
import { send } from '../common/http-server';
import { prescriptionProblem } from './prescription';
import type { EPrescriptionBehaviour, EPrescriptionDoubleOptions, EPrescriptionExchange, EPrescriptionTenant } from './types';

const DEFAULT_MAX_BODY = 1024 * 1024;
const DRAIN_FACTOR = 8;
const OVERSIZE_RAW_KEPT = 64 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

const ko = (status: number, reason: string) => ({ status, contentType: JSON_TYPE, body: JSON.stringify({ status: 'KO', reason }) });

type TenantState = ExchangeTenant<EPrescriptionExchange, EPrescriptionBehaviour>;

export class EPrescriptionDouble extends HttpDouble<TenantState> {
  constructor(opts: EPrescriptionDoubleOptions = {}) {
    super(
      {
        label: 'e-prescription double',
        route: /^\/eprescription\/([^/]+)\/prescriptions\/?$/,
        maxBodyBytes: DEFAULT_MAX_BODY,
        oversize: (max) => ({ drainBytes: max * DRAIN_FACTOR, headBytes: OVERSIZE_RAW_KEPT }),
        newTenant: (id) =>
          new ExchangeTenant<EPrescriptionExchange, EPrescriptionBehaviour>(id, 'e-prescription double', () => ({ kind: 'ok' })),
        plainReply: ko,
        internalErrorReply: (message) => ko(500, message),
      },
      opts,
    );
  }

  /** `${baseUrl}/eprescription/${tenant}`; prescriptions are POSTed to `${urlFor(tenant)}/prescriptions`. */
  urlFor(tenant: string): string {
    return this.tenantUrl(tenant, `/eprescription/${tenant}`);
  }

  tenant(id: string): EPrescriptionTenant {
    return this.tenants.get(id);
  }

  protected serve({ tenant, res, body, contentType, receivedAt, started, clientCertificate }: Incoming<TenantState>): void {
    const raw = stripBom((body.kind === 'ok' ? body.data : body.head).toString('utf8'));
    const seq = this.nextSeq();
    const ex: EPrescriptionExchange = {
      seq,
      tenant: tenant.id,
      receivedAt: receivedAt.toISOString(),
      durationMs: null,
      request: { raw, contentType },
      response: null,
      outcome: 'held',
      ...(clientCertificate ? { clientCertificate } : {}),
    };
    tenant.record(ex);
    const reply = (status: number, json: Record<string, unknown>, outcome: EPrescriptionExchange['outcome'], headers = {}) => {
      const text = JSON.stringify(json);
      ex.response = { status, body: text };
      ex.outcome = outcome;
      ex.durationMs = performance.now() - started;
      send(res, { status, contentType: JSON_TYPE, body: text, headers });
    };
    const reject = (status: number, reason: string, headers = {}) => {
      ex.reason = reason;
      reply(status, { status: 'KO', reason }, 'rejected', headers);
    };

    if (body.kind === 'tooLarge') {
      reject(413, `Request body exceeds ${this.maxBodyBytes} bytes (received at least ${body.size})`, { connection: 'close' });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      reject(400, `Malformed JSON: ${(err as Error).message}`);
      return;
    }
    ex.request.json = json;
    const invalid = prescriptionProblem(json);
    if (invalid) {
      reject(400, `Invalid prescription: ${invalid}`);
      return;
    }

    tenant.answerOrPark(res, ex, () => {
      const behaviour = tenant.behaviour;
      if (behaviour.kind === 'ko') {
        ex.reason = behaviour.reason ?? 'Prescription refusée par le téléservice';
        reply(422, { status: 'KO', reason: ex.reason }, 'ko');
        return;
      }
      // Unique within a run of the double: tenant plus a global sequence (digits).
      const prescriptionNumber = `EP-${tenant.id}-${String(seq).padStart(8, '0')}`;
      ex.prescriptionNumber = prescriptionNumber;
      reply(201, { status: 'OK', prescriptionNumber }, 'ok');
    });
  }
}
