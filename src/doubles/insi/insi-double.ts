/**
 * The INSi double: a real SOAP 1.2 server on loopback playing the CNAM INSi teleservice
 * (rechercherInsAvecCarteVitale / rechercherInsAvecTraitsIdentite), one programmable tenant per URL.
 */
import * as http from 'node:http';
import { lookup } from './lookup';
import { contentTypeAction, interpret, soapActionHeader, type InterpretedRequest } from './request';
import { SOAP12_CONTENT_TYPE, fault, faultEnvelope, resultEnvelope, resultatXml, type SoapFault } from './soap';
import { TenantState } from './tenant';
import { XmlInputError, parseXml } from './xml';
import type { InsiDoubleOptions, InsiExchange, InsiPerson, InsiTenant } from './types';
import { closeServer, httpBaseUrl, listen } from '../common/http-server';

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ROUTE = /^\/insi(?:\/([^/]+))?\/?$/;
const DEFAULT_MAX_BODY = 1024 * 1024;
/** An oversized body is discarded (not stored) up to this many extra bytes so the client can read the 413. */
const DRAIN_FACTOR = 8;
/** How much of an oversized body is kept in the exchange record. */
const OVERSIZE_RAW_KEPT = 64 * 1024;

type Body = { kind: 'ok'; data: Buffer } | { kind: 'tooLarge'; head: Buffer; size: number } | { kind: 'aborted' };

export class InsiDouble {
  private readonly host: string;
  private readonly port: number;
  private readonly advertisedHost: string;
  private readonly people: InsiPerson[];
  private readonly maxBodyBytes: number;
  private readonly tenants = new Map<string, TenantState>();
  private server: http.Server | null = null;
  private boundPort = 0;
  private seq = 0;

  constructor(opts: InsiDoubleOptions = {}) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 0;
    this.advertisedHost = opts.advertisedHost ?? this.host;
    this.people = [...(opts.people ?? [])];
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  get baseUrl(): string {
    if (!this.server) throw new Error('INSi double: baseUrl is only known after start()');
    return httpBaseUrl(this.advertisedHost, this.boundPort);
  }

  endpointFor(tenant: string): string {
    checkTenantId(tenant);
    return `${this.baseUrl}/insi/${tenant}`;
  }

  tenant(id: string): InsiTenant {
    return this.tenantState(id);
  }

  async start(): Promise<void> {
    if (this.server) throw new Error('INSi double: already started');
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A bug in the double must show up as a Receiver fault, not as a hung client.
        if (res.headersSent) return void res.destroy();
        const xml = faultEnvelope(fault(500, 'Receiver', 'erreur_interne_double', `INSi double internal error: ${String(err)}`));
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
    const tenantId = match ? (match[1] ?? 'default') : '';
    if (!match || !TENANT_ID.test(tenantId)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' }).end('Only POST is supported\n');
      return;
    }
    const tenant = this.tenantState(tenantId);
    const contentType = String(req.headers['content-type'] ?? '');
    const body = await this.readBody(req);
    if (body.kind === 'aborted') return; // client gave up while sending: nothing to record or answer

    const raw = stripBom((body.kind === 'ok' ? body.data : body.head).toString('utf8'));
    const exchange: InsiExchange = {
      seq: ++this.seq,
      tenant: tenantId,
      receivedAt: receivedAt.toISOString(),
      durationMs: null,
      operation: null,
      action: contentTypeAction(contentType) ?? soapActionHeader(req.headers.soapaction) ?? null,
      request: { raw, contentType },
      response: null,
      outcome: 'held',
    };
    tenant.record(exchange);
    const reply = (status: number, xml: string, info: { codeCR?: string; fault?: string }, headers = {}) => {
      exchange.response = { status, raw: xml, ...info };
      exchange.outcome = info.fault === undefined ? 'answered' : 'fault';
      exchange.durationMs = performance.now() - started;
      res.writeHead(status, { 'content-type': SOAP12_CONTENT_TYPE, 'content-length': Buffer.byteLength(xml), ...headers });
      res.end(xml);
    };
    const replyFault = (f: SoapFault, relatesTo?: string, headers = {}) =>
      reply(f.status, faultEnvelope(f, relatesTo), { fault: f.reason }, headers);

    if (body.kind === 'tooLarge') {
      replyFault(fault(413, 'Sender', 'corps_trop_volumineux',
        `Request body exceeds ${this.maxBodyBytes} bytes (received at least ${body.size})`), undefined, { connection: 'close' });
      return;
    }
    if (raw.trim() === '') {
      replyFault(fault(400, 'Sender', 'corps_vide', 'Empty request body: a SOAP 1.2 envelope is expected'));
      return;
    }
    let parsed: InterpretedRequest;
    try {
      parsed = interpret(parseXml(raw), [contentTypeAction(contentType), soapActionHeader(req.headers.soapaction)]);
    } catch (err) {
      if (!(err instanceof XmlInputError)) throw err;
      const code = err.message.startsWith('DTD') ? 'dtd_interdite' : 'xml_malforme';
      replyFault(fault(400, 'Sender', code, err.message));
      return;
    }
    exchange.operation = parsed.operation;
    exchange.action = parsed.action;
    Object.assign(exchange.request, parsed.fields);
    if (parsed.fault) {
      replyFault(parsed.fault, parsed.messageId);
      return;
    }

    const answer = () => {
      const b = tenant.behaviour;
      const op = parsed.operation!;
      if (b.kind === 'fault') {
        replyFault(fault(500, 'Receiver', b.code ?? 'service_indisponible',
          b.reason ?? 'Le service INSi est momentanément indisponible'), parsed.messageId);
        return;
      }
      let codeCR: '00' | '01' | '02';
      let person: InsiPerson | undefined;
      if (b.kind === 'identity') [codeCR, person] = ['00', b.person];
      else if (b.kind === 'none') codeCR = '01';
      else if (b.kind === 'several') codeCR = '02';
      else {
        const found = lookup(this.people, op, parsed.fields);
        codeCR = found.length === 1 ? '00' : found.length === 0 ? '01' : '02';
        person = found.length === 1 ? found[0] : undefined;
      }
      reply(200, resultEnvelope(op, resultatXml(codeCR, person), parsed.messageId), { codeCR });
    };

    if (!tenant.holding) {
      answer();
      return;
    }
    // Parked: the response object is kept until release(); no timer involved.
    const drop = () => {
      exchange.outcome = 'dropped';
      res.socket?.destroy();
    };
    res.on('close', () => {
      if (!res.writableFinished && tenant.unpark(exchange)) exchange.outcome = 'dropped';
    });
    tenant.park({ exchange, answer, drop });
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
          if (size > max * DRAIN_FACTOR) req.socket.destroy();
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

function checkTenantId(id: string): void {
  if (!TENANT_ID.test(id)) throw new Error(`INSi double: invalid tenant id "${id}" (expected ${TENANT_ID})`);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
