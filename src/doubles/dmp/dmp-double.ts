/**
 * The DMP double: a real SOAP 1.2 server on loopback playing the French DMP for
 * ITI-41 (Provide and Register Document Set-b, MTOM/XOP or inline) at POST /dmp/<tenant>/repository and
 * ITI-18 (Registry Stored Query, FindDocuments) at POST /dmp/<tenant>/registry, one programmable tenant per URL.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { HttpDouble, type Incoming } from '../common/http-double';
import { send, type Reply } from '../common/http-server';
import { mtomEnvelope } from './mime';
import { decodeProvideAndRegister } from './provide';
import { decodeStoredQuery, renderDocument } from './query';
import {
  ACTIONS,
  SOAP12_CONTENT_TYPE,
  adhocQueryResponseEnvelope,
  fault,
  faultEnvelope,
  registryResponseEnvelope,
  type DmpFault,
} from './soap';
import { TenantState } from './tenant';
import type { DmpDoubleOptions, DmpQuery, DmpSubmission, DmpTenant } from './types';

const DEFAULT_MAX_BODY = 20 * 1024 * 1024;
/** Whatever maxBodyBytes is, a submission record keeps at most this much of the body. */
const RAW_KEPT = 25 * 1024 * 1024;
/** An oversized body is discarded (not stored) up to this many times the limit, so the client can read the 413. */
const DRAIN_FACTOR = 2;
/** How much of an oversized body is kept in the record. */
const OVERSIZE_RAW_KEPT = 64 * 1024;

type Served = Incoming<TenantState>;

export class DmpDouble extends HttpDouble<TenantState> {
  constructor(opts: DmpDoubleOptions = {}) {
    super(
      {
        label: 'DMP double',
        route: /^\/dmp\/([^/]+)\/(repository|registry)\/?$/,
        maxBodyBytes: DEFAULT_MAX_BODY,
        oversize: (max) => ({ drainBytes: max * DRAIN_FACTOR + OVERSIZE_RAW_KEPT, headBytes: OVERSIZE_RAW_KEPT }),
        newTenant: (id) => new TenantState(id),
        plainReply: (status, text) => ({ status, contentType: 'text/plain; charset=utf-8', body: `${text}\n` }),
        internalErrorReply: (message) => soapReply(500, faultEnvelope(fault(500, 'Receiver', 'erreur_interne_double', message))),
      },
      opts,
    );
  }

  repositoryUrlFor(tenant: string): string {
    return this.tenantUrl(tenant, `/dmp/${tenant}/repository`);
  }

  registryUrlFor(tenant: string): string {
    return this.tenantUrl(tenant, `/dmp/${tenant}/registry`);
  }

  tenant(id: string): DmpTenant {
    return this.tenants.get(id);
  }

  protected serve(served: Served): void {
    if (served.route[2] === 'repository') this.serveSubmission(served);
    else this.serveQuery(served);
  }

  private serveSubmission({ tenant, res, body, contentType, receivedAt, started, clientCertificate }: Served): void {
    const sub: DmpSubmission = {
      seq: this.nextSeq(),
      tenant: tenant.id,
      receivedAt: receivedAt.toISOString(),
      durationMs: null,
      transport: 'unknown',
      contentType,
      raw: body.kind === 'ok' ? body.data.subarray(0, RAW_KEPT) : body.head,
      soapXml: '',
      documents: [],
      response: null,
      outcome: 'held',
      ...(clientCertificate ? { clientCertificate } : {}),
      anomalies: [],
    };
    tenant.recordSubmission(sub);
    const { reply, replyFault } = answering(res, sub, () => {
      sub.durationMs = performance.now() - started;
    });

    if (body.kind === 'tooLarge') {
      if (/^multipart\/related/i.test(contentType)) sub.transport = 'mtom';
      else if (/^(application\/soap\+xml|text\/xml)/i.test(contentType)) sub.transport = 'inline';
      return replyFault(this.tooLarge(body.size), undefined, { connection: 'close' });
    }
    const decoded = decodeProvideAndRegister(body.data, contentType);
    const env = decoded.envelope;
    sub.transport = env.transport;
    sub.soapXml = env.soapXml;
    sub.anomalies = env.anomalies;
    if (env.messageId !== undefined) sub.messageId = env.messageId;
    if (env.action !== undefined) sub.action = env.action;
    if (decoded.submissionSet) sub.submissionSet = decoded.submissionSet;
    sub.documents = decoded.documents;
    if (decoded.fault) return replyFault(decoded.fault, env.messageId);
    // An ITI-41 request the registry refuses for its metadata: HTTP 200, RegistryResponse Failure, at once.
    const errors =
      decoded.registryErrors?.map((e) => ({ code: e.code, context: e.reason, ...(e.location ? { location: e.location } : {}) })) ?? [];
    // A uniqueId already stored with other bytes (ITI TF-3 4.2.4.1: XDSNonIdenticalHash).
    for (const doc of sub.documents) {
      const earlier = doc.uniqueId ? tenant.storedDocuments().find((d) => d.uniqueId === doc.uniqueId) : undefined;
      if (earlier && !earlier.content.equals(doc.content))
        errors.push({
          code: 'XDSNonIdenticalHash',
          context: `DocumentEntry "${doc.entryId}": uniqueId ${doc.uniqueId} was stored earlier with other bytes (another hash)`,
          location: doc.entryId,
        });
    }
    if (errors.length) {
      sub.outcome = 'refused';
      sub.refusal = { code: errors[0]!.code, context: errors[0]!.context };
      sub.registryErrors = errors;
      const xml = registryResponseEnvelope(env.messageId, errors);
      return reply(env.transport === 'mtom' ? mtomReply(xml, ACTIONS.provideAndRegisterResponse) : soapReply(200, xml));
    }

    tenant.answerOrPark(res, sub, () => {
      const behaviour = tenant.behaviour;
      if (behaviour.kind === 'fault') {
        replyFault(
          fault(500, 'Receiver', 'service_indisponible', behaviour.reason ?? 'Le service DMP est momentanément indisponible', 'fr'),
          env.messageId,
        );
        return;
      }
      const refusal = behaviour.kind === 'refuse' ? { code: behaviour.code, context: behaviour.context } : undefined;
      const xml = registryResponseEnvelope(env.messageId, refusal);
      if (refusal) {
        sub.outcome = 'refused';
        sub.refusal = refusal;
      } else {
        sub.outcome = 'accepted';
        tenant.store(sub.documents);
      }
      reply(env.transport === 'mtom' ? mtomReply(xml, ACTIONS.provideAndRegisterResponse) : soapReply(200, xml));
    });
  }

  private serveQuery({ tenant, res, body, contentType, receivedAt, clientCertificate }: Served): void {
    const query: DmpQuery = {
      seq: this.nextSeq(),
      tenant: tenant.id,
      receivedAt: receivedAt.toISOString(),
      raw: (body.kind === 'ok' ? body.data : body.head).toString('utf8'),
      returned: 0,
      response: null,
      outcome: 'held',
      ...(clientCertificate ? { clientCertificate } : {}),
    };
    tenant.recordQuery(query);
    const { reply, replyFault } = answering(res, query);
    if (body.kind === 'tooLarge') return replyFault(this.tooLarge(body.size), undefined, { connection: 'close' });
    const decoded = decodeStoredQuery(body.data, contentType);
    const env = decoded.envelope;
    if (env.messageId !== undefined) query.messageId = env.messageId;
    if (decoded.queryId !== undefined) query.queryId = decoded.queryId;
    if (decoded.returnType !== undefined) query.returnType = decoded.returnType;
    if (decoded.patientId !== undefined) query.patientId = decoded.patientId;
    if (decoded.fault || !decoded.patientId) {
      return replyFault(decoded.fault ?? fault(400, 'Sender', 'XDSRegistryError', 'No patient id'), env.messageId);
    }
    const found = tenant.findDocuments(decoded.patientId);
    query.returned = found.length;
    query.outcome = 'answered';
    const xml = adhocQueryResponseEnvelope(env.messageId, found.map((d, i) => renderDocument(d, decoded.returnType, i + 1)).join(''));
    reply(env.transport === 'mtom' ? mtomReply(xml, ACTIONS.storedQueryResponse) : soapReply(200, xml));
  }

  private tooLarge(size: number): DmpFault {
    return fault(413, 'Sender', 'corps_trop_volumineux', `Request body exceeds ${this.maxBodyBytes} bytes (received at least ${size})`);
  }
}

/** How a submission or a query is answered: the answer recorded with it, a fault as its outcome. */
function answering(res: http.ServerResponse, record: DmpSubmission | DmpQuery, timed?: () => void) {
  const reply = (r: Reply) => {
    record.response = { status: r.status, raw: r.body.toString() };
    timed?.();
    send(res, r);
  };
  const replyFault = (f: DmpFault, relatesTo?: string, headers?: Record<string, string>) => {
    record.outcome = 'fault';
    record.fault = f.reason;
    record.faultCode = f.detailCode;
    reply(soapReply(f.status, faultEnvelope(f, relatesTo), headers));
  };
  return { reply, replyFault };
}

function soapReply(status: number, xml: string, headers?: Record<string, string>): Reply {
  return { status, contentType: SOAP12_CONTENT_TYPE, body: Buffer.from(xml, 'utf8'), ...(headers ? { headers } : {}) };
}

/** MTOM requests get an MTOM answer, as the DMP (Apache CXF) does: see DRIMbox XDS/response.xml. */
function mtomReply(xml: string, action: string): Reply {
  const mtom = mtomEnvelope(xml, `uuid:${randomUUID()}`, action);
  return { status: 200, contentType: mtom.contentType, body: mtom.body };
}
