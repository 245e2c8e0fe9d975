/** The reference LGC's test-driver HTTP API (docs/test-driver.openapi.yaml), on node:http. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefectSet, loadDefectCatalogue, unknownDefects } from './defect-set';
import { identityView, qualify, type QualifyRequest } from './identity';
import {
  DEFAULT_DMP_TIMEOUT_MS,
  DEFAULT_EPRESCRIPTION_TIMEOUT_MS,
  DEFAULT_INSI_TIMEOUT_MS,
  TenantState,
  TenantStore,
  type Patient,
  type TenantDoubles,
  type TenantOptions,
} from './tenant';
import { carteVitale, openFile, startOfDay, type CallContext } from './triggers';
import {
  applySettings,
  Conflict,
  consult,
  createDocuments,
  doNotSend,
  documentContent,
  documentView,
  parseContent,
  parseDocumentType,
  parseMasking,
  sendToDmp,
  setMasking,
  Unprocessable,
  validate,
  type DocumentRecord,
} from './documents';
import { createUiHandler, UI_PREFIX } from './ui';
import { endExchange, MssUnavailable, NotFound, parseOutgoing, patientThread, sendSecureMessage } from './messaging';
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
  /** a non-JSON answer (the CDA of /content): sent as is with this Content-Type */
  raw?: { contentType: string; data: Buffer };
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

function sendRaw(res: http.ServerResponse, status: number, contentType: string, data: Buffer): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': data.length, 'Cache-Control': 'no-store' });
  res.end(data);
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

type PatientAction = 'open' | 'identity' | 'qualify' | 'documents' | 'dmp-consult' | 'messages' | 'end-messages';
type DocumentAction = 'document' | 'content' | 'do-not-send' | 'masking' | 'validate' | 'send-to-dmp';
type Route =
  | { name: 'health' | 'reset' | 'create-patient' | 'carte-vitale' | 'start-of-day' | 'settings' | 'send-message' | 'reference-defects'; patientId?: undefined; documentId?: undefined }
  | { name: PatientAction; patientId: string; documentId?: undefined }
  | { name: DocumentAction; documentId: string; patientId?: undefined };

const ROUTES: Record<string, { method: string; name: Route['name'] }> = {
  '/testdriver/health': { method: 'GET', name: 'health' },
  '/testdriver/reset': { method: 'POST', name: 'reset' },
  '/testdriver/patients': { method: 'POST', name: 'create-patient' },
  '/testdriver/carte-vitale': { method: 'POST', name: 'carte-vitale' },
  '/testdriver/start-of-day': { method: 'POST', name: 'start-of-day' },
  '/testdriver/settings': { method: 'POST', name: 'settings' },
  '/testdriver/messages': { method: 'POST', name: 'send-message' },
  // Reference-only (not in the vendor contract): the seeded-defect switch and catalogue.
  '/reference/defects': { method: 'POST|GET', name: 'reference-defects' },
};
const PATIENT_ACTIONS: Record<string, { method: string; name: PatientAction }> = {
  open: { method: 'POST', name: 'open' },
  identity: { method: 'GET', name: 'identity' },
  qualify: { method: 'POST', name: 'qualify' },
  documents: { method: 'POST', name: 'documents' },
  'dmp/consult': { method: 'POST', name: 'dmp-consult' },
  messages: { method: 'GET', name: 'messages' },
  'messages/end': { method: 'POST', name: 'end-messages' },
};
const DOCUMENT_ACTIONS: Record<string, { method: string; name: DocumentAction }> = {
  '': { method: 'GET', name: 'document' },
  content: { method: 'GET', name: 'content' },
  'do-not-send': { method: 'POST', name: 'do-not-send' },
  masking: { method: 'POST', name: 'masking' },
  validate: { method: 'POST', name: 'validate' },
  'send-to-dmp': { method: 'POST', name: 'send-to-dmp' },
};

function pathId(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'invalid-request', `${field}: malformed`);
  }
}

function route(method: string, pathname: string): Route {
  const fixed = ROUTES[pathname];
  let expected: string | undefined;
  let r: Route | undefined;
  if (fixed) {
    expected = fixed.method;
    r = { name: fixed.name } as Route;
  } else {
    const m = /^\/testdriver\/patients\/([^/]+)\/([a-z]+(?:\/[a-z]+)?)$/.exec(pathname);
    const action = m ? PATIENT_ACTIONS[m[2]] : undefined;
    const d = /^\/testdriver\/documents\/([^/]+)(?:\/([a-z-]+))?$/.exec(pathname);
    const docAction = d ? DOCUMENT_ACTIONS[d[2] ?? ''] : undefined;
    if (m && action) {
      expected = action.method;
      r = { name: action.name, patientId: pathId(m[1], 'patientId') };
    } else if (d && docAction) {
      expected = docAction.method;
      r = { name: docAction.name, documentId: pathId(d[1], 'documentId') };
    }
  }
  if (!r || !expected) throw new HttpError(404, 'not-found', `no such route: ${method} ${pathname}`);
  if (!expected.split('|').includes(method) && !(method === 'HEAD' && expected === 'GET')) {
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
  /** Reference-only: seeded defects of the tenants whose id starts with a prefix (one Vigie run's tenants). */
  const byPrefix = new Map<string, string[]>();

  function switchDefects(body: Json): Reply {
    const prefix = body.tenantPrefix;
    if (typeof prefix !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(prefix)) throw new BadRequest('tenantPrefix: a tenant id prefix is required');
    if (!Array.isArray(body.defects) || body.defects.some((x) => typeof x !== 'string')) throw new BadRequest('defects: an array of defect ids is required');
    const ids = body.defects as string[];
    const bad = unknownDefects(ids);
    if (bad.length) throw new HttpError(400, 'unknown-defect', `unknown defect id(s): ${bad.join(', ')}`);
    if (ids.length) byPrefix.set(prefix, [...new Set(ids)]);
    else byPrefix.delete(prefix);
    return { status: 200, body: { tenantPrefix: prefix, defects: ids } };
  }
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

  function httpUrl(o: Record<string, unknown>, key: string, field: string): string {
    const url = requireString(o, key, field);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new BadRequest(`${field}.${key}: not a URL: ${url}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new BadRequest(`${field}.${key}: an http(s) URL is required`);
    }
    return url;
  }

  function reset(tenant: string, body: Json): Reply {
    const doubles = requireObject(body.doubles, 'doubles');
    const insi = requireObject(doubles.insi, 'doubles.insi');
    const d: TenantDoubles = { insiUrl: httpUrl(insi, 'url', 'doubles.insi') };
    if (doubles.dmp !== undefined && doubles.dmp !== null) {
      const dmp = requireObject(doubles.dmp, 'doubles.dmp');
      d.dmp = { repositoryUrl: httpUrl(dmp, 'repositoryUrl', 'doubles.dmp'), registryUrl: httpUrl(dmp, 'registryUrl', 'doubles.dmp') };
    }
    if (doubles.mss !== undefined && doubles.mss !== null) {
      const mss = requireObject(doubles.mss, 'doubles.mss');
      const endpoint = (key: 'smtp' | 'pop3'): { host: string; port: number } => {
        const e = requireObject(mss[key], `doubles.mss.${key}`);
        const host = requireString(e, 'host', `doubles.mss.${key}`);
        const port = e.port;
        if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
          throw new BadRequest(`doubles.mss.${key}.port: a port number is required`);
        }
        return { host, port };
      };
      const mailbox = requireString(mss, 'mailbox', 'doubles.mss').trim();
      if (!/^[^@\s<>]+@[^@\s<>]+$/.test(mailbox)) throw new BadRequest('doubles.mss.mailbox: an e-mail address is required');
      const password = mss.password;
      if (typeof password !== 'string') throw new BadRequest('doubles.mss.password: a string is required');
      d.mss = { smtp: endpoint('smtp'), pop3: endpoint('pop3'), mailbox, password };
    }
    if (doubles.eprescription !== undefined && doubles.eprescription !== null) {
      d.ePrescriptionUrl = httpUrl(requireObject(doubles.eprescription, 'doubles.eprescription'), 'url', 'doubles.eprescription');
    }
    const options: TenantOptions = {
      insiTimeoutMs: DEFAULT_INSI_TIMEOUT_MS,
      ePrescriptionTimeoutMs: DEFAULT_EPRESCRIPTION_TIMEOUT_MS,
      dmpTimeoutMs: DEFAULT_DMP_TIMEOUT_MS,
    };
    if (body.options !== undefined && body.options !== null) {
      const o = requireObject(body.options, 'options');
      for (const key of ['insiTimeoutMs', 'ePrescriptionTimeoutMs', 'dmpTimeoutMs'] as const) {
        const v = o[key];
        if (v === undefined || v === null) continue;
        if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
          throw new BadRequest(`options.${key}: a positive integer is required`);
        }
        options[key] = v;
      }
    }
    // Seeded defects come from the reference-only switch (POST /reference/defects), never from the vendor contract.
    const defects = [...byPrefix.entries()].filter(([prefix]) => tenant.startsWith(prefix)).flatMap(([, ids]) => ids);
    const set = new DefectSet([...processDefects, ...defects]);
    store.reset(new TenantState(tenant, d, options, set));
    return { status: 200, body: { tenant, defects: set.list() } };
  }

  function documentOf(t: TenantState, id: string): DocumentRecord {
    const d = t.documents.get(id);
    if (!d) throw new HttpError(404, 'unknown-document', `no document ${id} in tenant ${t.name}`);
    return d;
  }

  async function handle(req: http.IncomingMessage): Promise<Reply> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const r = route(req.method ?? 'GET', url.pathname);
    if (r.name === 'health') return { status: 200, body: { name: NAME, version: VERSION, contract: CONTRACT } };
    if (r.name === 'reference-defects') {
      if (req.method === 'GET') return { status: 200, body: { defects: loadDefectCatalogue() } };
      return switchDefects(parseJson(await readBody(req)));
    }

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
      case 'settings': {
        parseWorkstation(body.workstation);
        return { status: 200, body: applySettings(t, body.settings) };
      }
      case 'documents': {
        const p = patientOf(t, r.patientId);
        const ws = parseWorkstation(body.workstation);
        const type = parseDocumentType(body.type);
        const docs = createDocuments(t, p, ws, type, parseContent(body.content, type));
        return { status: 201, body: { documents: docs.map(documentView) } };
      }
      case 'dmp-consult': {
        const p = patientOf(t, r.patientId);
        parseWorkstation(body.workstation);
        const answer = body.nonOpposition;
        if (answer !== undefined && answer !== null && typeof answer !== 'boolean') {
          throw new BadRequest('nonOpposition: a boolean is required');
        }
        return { status: 200, body: await consult(ctx, t, p, typeof answer === 'boolean' ? answer : undefined) };
      }
      case 'send-message': {
        const ws = parseWorkstation(body.workstation);
        return { status: 201, body: await sendSecureMessage(ctx, t, ws, parseOutgoing(body)) };
      }
      case 'messages':
        return { status: 200, body: await patientThread(ctx, t, patientOf(t, r.patientId)) };
      case 'end-messages': {
        const p = patientOf(t, r.patientId);
        const ws = parseWorkstation(body.workstation);
        return { status: 200, body: await endExchange(ctx, t, ws, p) };
      }
      case 'document':
        return { status: 200, body: documentView(documentOf(t, r.documentId)) };
      case 'content': {
        const d = documentOf(t, r.documentId);
        return { status: 200, body: undefined, raw: { contentType: 'application/xml; charset=utf-8', data: documentContent(t, d) } };
      }
      case 'do-not-send': {
        const d = documentOf(t, r.documentId);
        parseWorkstation(body.workstation);
        return { status: 200, body: doNotSend(t, d) };
      }
      case 'masking': {
        const d = documentOf(t, r.documentId);
        parseWorkstation(body.workstation);
        return { status: 200, body: setMasking(d, parseMasking(body.maskedFrom)) };
      }
      case 'validate': {
        const d = documentOf(t, r.documentId);
        const ws = parseWorkstation(body.workstation);
        return { status: 200, body: await validate(ctx, t, d, ws) };
      }
      case 'send-to-dmp': {
        const d = documentOf(t, r.documentId);
        parseWorkstation(body.workstation);
        return { status: 200, body: await sendToDmp(ctx, t, d) };
      }
    }
    throw new HttpError(404, 'not-found', 'no such route');
  }

  const ui = createUiHandler({ store, ctx, bodyLimit: BODY_LIMIT });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === UI_PREFIX || path.startsWith(`${UI_PREFIX}/`)) {
      ui(req, res); // the web UI (./ui): same tenants, same state
      return;
    }
    handle(req).then(
      (reply) => (reply.raw ? sendRaw(res, reply.status, reply.raw.contentType, reply.raw.data) : send(res, reply.status, reply.body)),
      (e: unknown) => {
        if (e instanceof HttpError) {
          if (e.status === 413) res.setHeader('Connection', 'close');
          send(res, e.status, { error: e.code, message: e.message, ...e.extra });
          if (e.status === 413) res.on('finish', () => req.destroy());
        } else if (e instanceof NotFound) {
          send(res, 404, { error: e.code, message: e.message });
        } else if (e instanceof MssUnavailable) {
          send(res, 502, { error: e.code, message: e.message });
        } else if (e instanceof Conflict) {
          send(res, 409, { error: e.code, message: e.message });
        } else if (e instanceof Unprocessable) {
          send(res, 422, { error: e.code, message: e.message });
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
            store.abortAll();
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
