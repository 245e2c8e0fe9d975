/**
 * The e-prescription double: an HTTP+JSON server on loopback playing the ordonnance numérique
 * teleservice (POST /eprescription/<tenant>/prescriptions), one programmable tenant per URL.
 */
import * as http from 'node:http';
import { TenantState } from './tenant';
import type { EPrescriptionDoubleOptions, EPrescriptionExchange, EPrescriptionTenant } from './types';
import { closeServer, httpBaseUrl, listen } from '../common/http-server';

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const ROUTE = /^\/eprescription\/([^/]+)\/prescriptions\/?$/;
const DEFAULT_MAX_BODY = 1024 * 1024;
const DRAIN_FACTOR = 8;
const OVERSIZE_RAW_KEPT = 64 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';

type Body = { kind: 'ok'; data: Buffer } | { kind: 'tooLarge'; head: Buffer; size: number } | { kind: 'aborted' };

export class EPrescriptionDouble {
  private readonly host: string;
  private readonly port: number;
  private readonly advertisedHost: string;
  private readonly maxBodyBytes: number;
  private readonly tenants = new Map<string, TenantState>();
  private server: http.Server | null = null;
  private boundPort = 0;
  private seq = 0;

  constructor(opts: EPrescriptionDoubleOptions = {}) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 0;
    this.advertisedHost = opts.advertisedHost ?? this.host;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  get baseUrl(): string {
    if (!this.server) throw new Error('e-prescription double: baseUrl is only known after start()');
    return httpBaseUrl(this.advertisedHost, this.boundPort);
  }

  /** `${baseUrl}/eprescription/${tenant}`; prescriptions are POSTed to `${urlFor(tenant)}/prescriptions`. */
  urlFor(tenant: string): string {
    checkTenantId(tenant);
    return `${this.baseUrl}/eprescription/${tenant}`;
  }

  tenant(id: string): EPrescriptionTenant {
    return this.tenantState(id);
  }

  async start(): Promise<void> {
    if (this.server) throw new Error('e-prescription double: already started');
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        res.writeHead(500, { 'content-type': JSON_TYPE }).end(JSON.stringify({ status: 'KO', reason: `e-prescription double internal error: ${String(err)}` }));
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
      res.writeHead(404, { 'content-type': JSON_TYPE }).end(JSON.stringify({ status: 'KO', reason: 'Not found' }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': JSON_TYPE }).end(JSON.stringify({ status: 'KO', reason: 'Only POST is supported' }));
      return;
    }
    const tenant = this.tenantState(match[1]);
    const body = await this.readBody(req);
    if (body.kind === 'aborted') return;
    const raw = stripBom((body.kind === 'ok' ? body.data : body.head).toString('utf8'));
    const seq = ++this.seq;
    const ex: EPrescriptionExchange = {
      seq,
      tenant: tenant.id,
      receivedAt: receivedAt.toISOString(),
      durationMs: null,
      request: { raw, contentType: String(req.headers['content-type'] ?? '') },
      response: null,
      outcome: 'held',
    };
    tenant.record(ex);
    const reply = (status: number, json: Record<string, unknown>, outcome: EPrescriptionExchange['outcome'], headers = {}) => {
      const text = JSON.stringify(json);
      ex.response = { status, body: text };
      ex.outcome = outcome;
      ex.durationMs = performance.now() - started;
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), ...headers }).end(text);
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
    const invalid = shapeProblem(json);
    if (invalid) {
      reject(400, `Invalid prescription: ${invalid}`);
      return;
    }

    const answer = () => {
      const b = tenant.behaviour;
      if (b.kind === 'ko') {
        ex.reason = b.reason ?? 'Prescription refusée par le téléservice';
        reply(422, { status: 'KO', reason: ex.reason }, 'ko');
        return;
      }
      // Unique within a run of the double: tenant plus a global sequence (digits).
      const prescriptionNumber = `EP-${tenant.id}-${String(seq).padStart(8, '0')}`;
      ex.prescriptionNumber = prescriptionNumber;
      reply(201, { status: 'OK', prescriptionNumber }, 'ok');
    };
    if (!tenant.holding) {
      answer();
      return;
    }
    const drop = () => {
      ex.outcome = 'dropped';
      res.socket?.destroy();
    };
    res.on('close', () => {
      if (!res.writableFinished && tenant.unpark(ex)) ex.outcome = 'dropped';
    });
    tenant.park({ exchange: ex, answer, drop });
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
      if (declared > max) overflow();
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (settled) {
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

/** The minimal shape `{ patient: {...}, prescriber: {...}, lines: [ ... ] }`; undefined when it fits. */
function shapeProblem(json: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(json)) return 'the body must be a JSON object { patient, prescriber, lines }';
  const missing: string[] = [];
  if (!isObject(json.patient)) missing.push('patient (object)');
  if (!isObject(json.prescriber)) missing.push('prescriber (object)');
  if (!Array.isArray(json.lines) || json.lines.length === 0) missing.push('lines (non-empty array)');
  return missing.length ? `missing or invalid ${missing.join(', ')}` : undefined;
}

function checkTenantId(id: string): void {
  if (!TENANT_ID.test(id)) throw new Error(`e-prescription double: invalid tenant id "${id}" (expected ${TENANT_ID})`);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
