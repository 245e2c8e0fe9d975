/** The reference LGC's test-driver HTTP API (docs/test-driver.openapi.yaml), on node:http. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefectSet, unknownDefects } from './defect-set';
import { identityView, qualify, type QualifyRequest } from './identity';
import { DEFAULT_INSI_TIMEOUT_MS, TenantState, TenantStore, type Patient } from './tenant';
import { carteVitale, openFile, startOfDay, type CallContext } from './triggers';
import {
  BadRequest,
  optionalString,
  parseCard,
  parseDates,
  parseTraits,
  parseWorkstation,
  requireDate,
  requireObject,
  requireString,
} from './validation';

export const NAME = 'vigie-reference-lgc';
export const VERSION = '0.1.0';
export const CONTRACT = '1';
export const BODY_LIMIT = 256 * 1024;
const TENANT_RE = /^[A-Za-z0-9_-]{1,64}$/;

export interface ReferenceLgcOptions {
  host?: string;
  port?: number;
  /** process-wide defects, added to every tenant's */
  defects?: string[];
}

export interface RunningReferenceLgc {
  url: string;
  close(): Promise<void>;
  /** resolves when every INSi call in flight has been recorded (for tests) */
  settled(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

type Json = Record<string, unknown>;
interface Reply {
  status: number;
  body: unknown;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > BODY_LIMIT) {
      reject(new HttpError(413, 'payload-too-large', `request body over ${BODY_LIMIT} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > BODY_LIMIT) {
        failed = true;
        reject(new HttpError(413, 'payload-too-large', `request body over ${BODY_LIMIT} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

function parseJson(buf: Buffer): Json {
  const text = buf.toString('utf8').trim();
  if (text === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new HttpError(400, 'malformed-json', `malformed JSON body: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new HttpError(400, 'malformed-json', 'the JSON body must be an object');
  }
  return v as Json;
}

type Route =
  | { name: 'health' | 'reset' | 'create-patient' | 'carte-vitale' | 'start-of-day'; patientId?: undefined }
  | { name: 'open' | 'identity' | 'qualify'; patientId: string };

const ROUTES: Record<string, { method: string; name: Route['name'] }> = {
  '/testdriver/health': { method: 'GET', name: 'health' },
  '/testdriver/reset': { method: 'POST', name: 'reset' },
  '/testdriver/patients': { method: 'POST', name: 'create-patient' },
  '/testdriver/carte-vitale': { method: 'POST', name: 'carte-vitale' },
  '/testdriver/start-of-day': { method: 'POST', name: 'start-of-day' },
};
const PATIENT_ACTIONS: Record<string, { method: string; name: 'open' | 'identity' | 'qualify' }> = {
  open: { method: 'POST', name: 'open' },
  identity: { method: 'GET', name: 'identity' },
  qualify: { method: 'POST', name: 'qualify' },
};

function route(method: string, pathname: string): Route {
  const fixed = ROUTES[pathname];
  let expected: string | undefined;
  let r: Route | undefined;
  if (fixed) {
    expected = fixed.method;
    r = { name: fixed.name } as Route;
  } else {
    const m = /^\/testdriver\/patients\/([^/]+)\/([a-z]+)$/.exec(pathname);
    const action = m ? PATIENT_ACTIONS[m[2]] : undefined;
    if (m && action) {
      let id: string;
      try {
        id = decodeURIComponent(m[1]);
      } catch {
        throw new HttpError(400, 'invalid-request', 'patientId: malformed');
      }
      expected = action.method;
      r = { name: action.name, patientId: id };
    }
  }
  if (!r || !expected) throw new HttpError(404, 'not-found', `no such route: ${method} ${pathname}`);
  if (method !== expected && !(method === 'HEAD' && expected === 'GET')) {
    throw new HttpError(405, 'method-not-allowed', `${pathname} accepts ${expected} only`);
  }
  return r;
}

export function startReferenceLgc(opts: ReferenceLgcOptions = {}): Promise<RunningReferenceLgc> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8700;
  const processDefects = [...new Set(opts.defects ?? [])];
  const unknown = unknownDefects(processDefects);
  if (unknown.length) return Promise.reject(new Error(`unknown defect(s): ${unknown.join(', ')}`));

  const store = new TenantStore();
  const shutdown = new AbortController();
  const ctx: CallContext = { cancel: shutdown.signal, inFlight: new Set() };

  function tenantState(name: string): TenantState {
    const t = store.get(name);
    if (!t) throw new HttpError(409, 'tenant-not-reset', `tenant ${name} has not been reset: call POST /testdriver/reset first`);
    return t;
  }

  function patientOf(t: TenantState, id: string): Patient {
    const p = t.patients.get(id);
    if (!p) throw new HttpError(404, 'unknown-patient', `no patient ${id} in tenant ${t.name}`);
    return p;
  }

  function reset(tenant: string, body: Json): Reply {
    const doubles = requireObject(body.doubles, 'doubles');
    const insi = requireObject(doubles.insi, 'doubles.insi');
    const url = requireString(insi, 'url', 'doubles.insi');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new BadRequest(`doubles.insi.url: not a URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new BadRequest('doubles.insi.url: an http(s) URL is required');
    }
    let insiTimeoutMs = DEFAULT_INSI_TIMEOUT_MS;
    if (body.options !== undefined && body.options !== null) {
      const options = requireObject(body.options, 'options');
      if (options.insiTimeoutMs !== undefined && options.insiTimeoutMs !== null) {
        const v = options.insiTimeoutMs;
        if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
          throw new BadRequest('options.insiTimeoutMs: a positive integer is required');
        }
        insiTimeoutMs = v;
      }
    }
    let defects: string[] = [];
    if (body.defects !== undefined && body.defects !== null) {
      if (!Array.isArray(body.defects) || body.defects.some((d) => typeof d !== 'string')) {
        throw new BadRequest('defects: an array of defect ids is required');
      }
      defects = body.defects as string[];
      const bad = unknownDefects(defects);
      if (bad.length) throw new HttpError(400, 'unknown-defect', `defects: unknown defect id(s): ${bad.join(', ')}`);
    }
    const set = new DefectSet([...processDefects, ...defects]);
    store.reset(new TenantState(tenant, url, { insiTimeoutMs }, set));
    return { status: 200, body: { tenant, defects: set.list() } };
  }

  async function handle(req: http.IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const r = route(req.method ?? 'GET', url.pathname);
    if (r.name === 'health') return { status: 200, body: { name: NAME, version: VERSION, contract: CONTRACT } };

    const header = req.headers['x-vigie-tenant'];
    const tenant = Array.isArray(header) ? header[0] : header;
    if (tenant === undefined || tenant === '') throw new HttpError(400, 'missing-tenant', 'X-Vigie-Tenant header is required');
    if (!TENANT_RE.test(tenant)) throw new HttpError(400, 'invalid-tenant', 'X-Vigie-Tenant must match ^[A-Za-z0-9_-]{1,64}$');

    const body = req.method === 'POST' ? parseJson(await readBody(req)) : {};
    if (r.name === 'reset') return reset(tenant, body);

    const t = tenantState(tenant);
    switch (r.name) {
      case 'create-patient': {
        const file = parseTraits(body.file, 'file');
        const p = t.addPatient(file, parseDates(body.appointments, 'appointments'));
        return { status: 201, body: { patientId: p.id } };
      }
      case 'carte-vitale': {
        const ws = parseWorkstation(body.workstation);
        const card = parseCard(body.card);
        const p = await carteVitale(ctx, t, ws, card);
        return { status: 200, body: { patientId: p.id } };
      }
      case 'start-of-day': {
        const ws = parseWorkstation(body.workstation);
        const date = requireDate(body, 'date', 'body');
        return { status: 200, body: { patientsOfTheDay: await startOfDay(ctx, t, ws, date) } };
      }
      case 'open': {
        const p = patientOf(t, r.patientId);
        const ws = parseWorkstation(body.workstation);
        await openFile(ctx, t, ws, p);
        return { status: 200, body: identityView(p, t.defects) };
      }
      case 'identity':
        return { status: 200, body: identityView(patientOf(t, r.patientId), t.defects) };
      case 'qualify': {
        const p = patientOf(t, r.patientId);
        const ws = parseWorkstation(body.workstation);
        const method = body.method;
        if (method !== 'document' && method !== 'exception') {
          throw new BadRequest('method: one of document, exception is required');
        }
        const document = optionalString(body, 'document', 'body');
        if (method === 'document' && (document === undefined || document.trim() === '')) {
          throw new BadRequest('document: the identity document label is required for method document');
        }
        if (p.ins.status === 'qualified') {
          throw new HttpError(409, 'already-qualified', "L'INS de ce patient est déjà qualifiée.");
        }
        const q: QualifyRequest = { workstation: ws, method, ...(document !== undefined ? { document } : {}) };
        const result = qualify(p, q, t.defects);
        if ('reason' in result) {
          return { status: 422, body: { error: 'qualification-refused', reason: result.reason, message: result.message } };
        }
        return { status: 200, body: result };
      }
    }
    throw new HttpError(404, 'not-found', 'no such route');
  }

  const server = http.createServer((req, res) => {
    handle(req).then(
      (reply) => send(res, reply.status, reply.body),
      (e: unknown) => {
        if (e instanceof HttpError) {
          if (e.status === 413) res.setHeader('Connection', 'close');
          send(res, e.status, { error: e.code, message: e.message, ...e.extra });
          if (e.status === 413) res.on('finish', () => req.destroy());
        } else if (e instanceof BadRequest) {
          send(res, 400, { error: e.code, message: e.message });
        } else {
          send(res, 500, { error: 'internal', message: e instanceof Error ? e.message : String(e) });
        }
      },
    );
  });
  server.keepAliveTimeout = 5000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const shownHost = addr.family === 'IPv6' || host.includes(':') ? `[${addr.address}]` : host;
      const url = `http://${shownHost}:${addr.port}`;
      let closing: Promise<void> | undefined;
      resolve({
        url,
        settled: async () => {
          while (ctx.inFlight.size) await Promise.all([...ctx.inFlight]);
        },
        close: () => {
          closing ??= new Promise<void>((done) => {
            shutdown.abort();
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
