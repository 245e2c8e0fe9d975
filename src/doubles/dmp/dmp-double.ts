/**
 * The DMP double: a real SOAP 1.2 server on loopback playing the French DMP for
 * ITI-41 (Provide and Register Document Set-b, MTOM/XOP or inline) at POST /dmp/<tenant>/repository and
 * ITI-18 (Registry Stored Query, FindDocuments) at POST /dmp/<tenant>/registry, one programmable tenant per URL.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
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
import { closeServer, httpBaseUrl, listen } from '../common/http-server';

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ROUTE = /^\/dmp\/([^/]+)\/(repository|registry)\/?$/;
const DEFAULT_MAX_BODY = 20 * 1024 * 1024;
/** Whatever maxBodyBytes is, a submission record keeps at most this much of the body. */
const RAW_KEPT = 25 * 1024 * 1024;
/** An oversized body is discarded (not stored) up to this many extra bytes so the client can read the 413. */
const DRAIN_FACTOR = 2;
/** How much of an oversized body is kept in the record. */
const OVERSIZE_RAW_KEPT = 64 * 1024;

type Body = { kind: 'ok'; data: Buffer } | { kind: 'tooLarge'; head: Buffer; size: number } | { kind: 'aborted' };

interface Reply {
  status: number;
  contentType: string;
  body: Buffer;
  headers?: Record<string, string>;
}

export class DmpDouble {
  private readonly host: string;
  private readonly port: number;
  private readonly advertisedHost: string;
  private readonly maxBodyBytes: number;
  private readonly tenants = new Map<string, TenantState>();
  private server: http.Server | null = null;
  private boundPort = 0;
  private seq = 0;

  constructor(opts: DmpDoubleOptions = {}) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 0;
    this.advertisedHost = opts.advertisedHost ?? this.host;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  get baseUrl(): string {
    if (!this.server) throw new Error('DMP double: baseUrl is only known after start()');
    return httpBaseUrl(this.advertisedHost, this.boundPort);
  }

  repositoryUrlFor(tenant: string): string {
    checkTenantId(tenant);
    return `${this.baseUrl}/dmp/${tenant}/repository`;
  }

  registryUrlFor(tenant: string): string {
    checkTenantId(tenant);
    return `${this.baseUrl}/dmp/${tenant}/registry`;
  }

  tenant(id: string): DmpTenant {
    return this.tenantState(id);
  }

  async start(): Promise<void> {
    if (this.server) throw new Error('DMP double: already started');
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A bug in the double must show up as a Receiver fault, not as a hung client.
        if (res.headersSent) return void res.destroy();
        const xml = faultEnvelope(fault(500, 'Receiver', 'erreur_interne_double', `DMP double internal error: ${String(err)}`));
        res.writeHead(500, { 'content-type': SOAP12_CONTENT_TYPE }).end(xml);
      });
    });
    this.boundPort = await listen(server, this.port, this.host);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const t of this.tenants.values()) {
      t.release({ drop: true });
      t.abortWaits('the double was stopped');
    }
    await closeServer(server);
  }

  private tenantState(id: string): TenantState {
    checkTenantId(id);
    let t = this.tenants.get(id);
    if (!t) this.tenants.set(id, (t = new TenantState(id)));
    return t;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const receivedAt = new Date();
    const started = performance.now();
    const match = ROUTE.exec(new URL(req.url ?? '/', 'http://double').pathname);
    if (!match || !TENANT_ID.test(match[1])) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' }).end('Only POST is supported\n');
      return;
    }
    const tenant = this.tenantState(match[1]);
    const contentType = String(req.headers['content-type'] ?? '');
    const body = await this.readBody(req);
    if (body.kind === 'aborted') return; // client gave up while sending: nothing to record or answer
    const ctx = { tenant, contentType, receivedAt, started, res };
    if (match[2] === 'repository') this.handleSubmission(ctx, body);
    else this.handleQuery(ctx, body);
  }

  private handleSubmission(ctx: Ctx, body: Exclude<Body, { kind: 'aborted' }>): void {
    const { tenant, res } = ctx;
    const raw = body.kind === 'ok' ? body.data.subarray(0, RAW_KEPT) : body.head;
    const sub: DmpSubmission = {
      seq: ++this.seq,
      tenant: tenant.id,
      receivedAt: ctx.receivedAt.toISOString(),
      durationMs: null,
      transport: 'unknown',
      contentType: ctx.contentType,
      raw,
      soapXml: '',
      documents: [],
      response: null,
      outcome: 'held',
      anomalies: [],
    };
    tenant.recordSubmission(sub);
    const send = (reply: Reply) => {
      sub.response = { status: reply.status, raw: reply.body.toString('utf8') };
      sub.durationMs = performance.now() - ctx.started;
      write(res, reply);
    };
    const sendFault = (f: DmpFault, relatesTo?: string, headers?: Record<string, string>) => {
      sub.outcome = 'fault';
      sub.fault = f.reason;
      sub.faultCode = f.detailCode;
      send(soapReply(f.status, faultEnvelope(f, relatesTo), headers));
    };

    if (body.kind === 'tooLarge') {
      if (/^multipart\/related/i.test(ctx.contentType)) sub.transport = 'mtom';
      else if (/^(application\/soap\+xml|text\/xml)/i.test(ctx.contentType)) sub.transport = 'inline';
      sendFault(fault(413, 'Sender', 'corps_trop_volumineux',
        `Request body exceeds ${this.maxBodyBytes} bytes (received at least ${body.size})`), undefined, { connection: 'close' });
      return;
    }
    const decoded = decodeProvideAndRegister(body.data, ctx.contentType);
    const env = decoded.envelope;
    sub.transport = env.transport;
    sub.soapXml = env.soapXml;
    sub.anomalies = env.anomalies;
    if (env.messageId !== undefined) sub.messageId = env.messageId;
    if (env.action !== undefined) sub.action = env.action;
    if (decoded.submissionSet) sub.submissionSet = decoded.submissionSet;
    sub.documents = decoded.documents;
    if (decoded.fault) {
      sendFault(decoded.fault, env.messageId);
      return;
    }

    const mtom = env.transport === 'mtom';
    const answer = () => {
      const b = tenant.behaviour;
      if (b.kind === 'fault') {
        sendFault(fault(500, 'Receiver', 'service_indisponible', b.reason ?? 'Le service DMP est momentanément indisponible'), env.messageId);
        return;
      }
      const refusal = b.kind === 'refuse' ? { code: b.code, context: b.context } : undefined;
      const xml = registryResponseEnvelope(env.messageId, refusal);
      if (refusal) {
        sub.outcome = 'refused';
        sub.refusal = refusal;
      } else {
        sub.outcome = 'accepted';
        tenant.store(sub.documents);
      }
      send(mtom ? mtomReply(xml, ACTIONS.provideAndRegisterResponse) : soapReply(200, xml));
    };

    if (!tenant.holding) {
      answer();
      return;
    }
    // Parked: the response object is kept until release(); no timer involved.
    const drop = () => {
      sub.outcome = 'dropped';
      res.socket?.destroy();
    };
    res.on('close', () => {
      if (!res.writableFinished && tenant.unpark(sub)) sub.outcome = 'dropped';
    });
    tenant.park({ submission: sub, answer, drop });
  }

  private handleQuery(ctx: Ctx, body: Exclude<Body, { kind: 'aborted' }>): void {
    const { tenant, res } = ctx;
    const data = body.kind === 'ok' ? body.data : body.head;
    const q: DmpQuery = {
      seq: ++this.seq,
      tenant: tenant.id,
      receivedAt: ctx.receivedAt.toISOString(),
      raw: data.toString('utf8'),
      returned: 0,
      response: null,
      outcome: 'held',
    };
    tenant.recordQuery(q);
    const send = (reply: Reply) => {
      q.response = { status: reply.status, raw: reply.body.toString('utf8') };
      write(res, reply);
    };
    const sendFault = (f: DmpFault, relatesTo?: string, headers?: Record<string, string>) => {
      q.outcome = 'fault';
      q.fault = f.reason;
      q.faultCode = f.detailCode;
      send(soapReply(f.status, faultEnvelope(f, relatesTo), headers));
    };
    if (body.kind === 'tooLarge') {
      sendFault(fault(413, 'Sender', 'corps_trop_volumineux',
        `Request body exceeds ${this.maxBodyBytes} bytes (received at least ${body.size})`), undefined, { connection: 'close' });
      return;
    }
    const decoded = decodeStoredQuery(body.data, ctx.contentType);
    const env = decoded.envelope;
    if (env.messageId !== undefined) q.messageId = env.messageId;
    if (decoded.queryId !== undefined) q.queryId = decoded.queryId;
    if (decoded.returnType !== undefined) q.returnType = decoded.returnType;
    if (decoded.patientId !== undefined) q.patientId = decoded.patientId;
    if (decoded.fault || !decoded.patientId) {
      sendFault(decoded.fault ?? fault(400, 'Sender', 'XDSRegistryError', 'No patient id'), env.messageId);
      return;
    }
    const found = tenant.findDocuments(decoded.patientId);
    q.returned = found.length;
    q.outcome = 'answered';
    const xml = adhocQueryResponseEnvelope(env.messageId, found.map((d, i) => renderDocument(d, decoded.returnType, i + 1)).join(''));
    send(env.transport === 'mtom' ? mtomReply(xml, ACTIONS.storedQueryResponse) : soapReply(200, xml));
  }

  private readBody(req: http.IncomingMessage): Promise<Body> {
    const max = this.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? 0);
    return new Promise<Body>((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (b: Body) => {
        if (!settled) (settled = true), resolve(b);
      };
      const overflow = () => {
        const head = Buffer.concat(chunks).subarray(0, OVERSIZE_RAW_KEPT);
        chunks.length = 0;
        settle({ kind: 'tooLarge', head, size: Math.max(size, declared) });
      };
      if (declared > max) overflow(); // announced too big: answer before reading anything
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (settled) {
          // Oversized: discard what the client is still sending so it can read the 413, but not forever.
          if (size > max * DRAIN_FACTOR + OVERSIZE_RAW_KEPT) req.socket.destroy();
          return;
        }
        if (size > max) overflow();
        else chunks.push(chunk);
      });
      req.on('end', () => settle({ kind: 'ok', data: Buffer.concat(chunks) }));
      req.on('error', () => settle({ kind: 'aborted' }));
      req.on('close', () => settle({ kind: 'aborted' }));
    });
  }
}

interface Ctx {
  tenant: TenantState;
  contentType: string;
  receivedAt: Date;
  started: number;
  res: http.ServerResponse;
}

function soapReply(status: number, xml: string, headers?: Record<string, string>): Reply {
  return { status, contentType: SOAP12_CONTENT_TYPE, body: Buffer.from(xml, 'utf8'), headers };
}

/** MTOM requests get an MTOM answer, as the DMP (Apache CXF) does: see DRIMbox XDS/response.xml. */
function mtomReply(xml: string, action: string): Reply {
  const m = mtomEnvelope(xml, `uuid:${randomUUID()}`, action);
  return { status: 200, contentType: m.contentType, body: m.body };
}

function write(res: http.ServerResponse, reply: Reply): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': reply.body.length, ...reply.headers });
  res.end(reply.body);
}

function checkTenantId(id: string): void {
  if (!TENANT_ID.test(id)) throw new Error(`DMP double: invalid tenant id "${id}" (expected ${TENANT_ID})`);
}
