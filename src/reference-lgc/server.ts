/**
 * The reference LGC as an HTTP server (node:http): the test-driver API
 * (docs/test-driver.openapi.yaml), one route module per resource under routes/, the reference-only
 * seeded-defect switch (routes/reset.ts), and the web UI under /ui (ui/), over the same tenants.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { unknownDefects } from './defect-set';
import { errorReply, HttpError } from './errors';
import { DefectSwitch } from './routes/defect-switch';
import { documentRoutes } from './routes/documents';
import { dmpRoutes } from './routes/dmp';
import { identityRoutes } from './routes/identity';
import { parseJson, readBody, sendJson, sendRaw } from './routes/io';
import { messageRoutes } from './routes/messages';
import { patientRoutes } from './routes/patients';
import { resetRoutes } from './routes/reset';
import { ok, router, type App, type Reply, type Route } from './routes/route';
import { settingsRoutes } from './routes/settings';
import { TenantStore } from './tenant';
import type { CallContext } from './triggers';
import { createUiHandler, UI_PREFIX } from './ui';

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
  /** resolves when every background call in flight (INSi, DMP…) has been recorded (for tests) */
  settled(): Promise<void>;
}

const ROUTES: Route[] = [
  { method: 'GET', path: '/testdriver/health', tenant: false, handle: () => ok({ name: NAME, version: VERSION, contract: CONTRACT }) },
  ...resetRoutes,
  ...patientRoutes,
  ...identityRoutes,
  ...documentRoutes,
  ...dmpRoutes,
  ...messageRoutes,
  ...settingsRoutes,
];
const find = router(ROUTES);

function tenantHeader(req: http.IncomingMessage): string {
  const header = req.headers['x-vigie-tenant'];
  const tenant = Array.isArray(header) ? header[0] : header;
  if (tenant === undefined || tenant === '') throw new HttpError(400, 'missing-tenant', 'X-Vigie-Tenant header is required');
  if (!TENANT_RE.test(tenant)) throw new HttpError(400, 'invalid-tenant', 'X-Vigie-Tenant must match ^[A-Za-z0-9_-]{1,64}$');
  return tenant;
}

async function handle(app: App, req: http.IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const { route, params } = find(method, url.pathname);
  const tenant = route.tenant === false ? '' : tenantHeader(req);
  const body = method === 'POST' ? parseJson(await readBody(req, BODY_LIMIT)) : {};
  return route.handle({ app, params, body, tenant, method });
}

export function startReferenceLgc(opts: ReferenceLgcOptions = {}): Promise<RunningReferenceLgc> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 8700;
  const processDefects = [...new Set(opts.defects ?? [])];
  const unknown = unknownDefects(processDefects);
  if (unknown.length) return Promise.reject(new Error(`unknown defect(s): ${unknown.join(', ')}`));

  const shutdown = new AbortController();
  const ctx: CallContext = { cancel: shutdown.signal, inFlight: new Set() };
  const app: App = { store: new TenantStore(), ctx, defects: new DefectSwitch(processDefects) };

  const ui = createUiHandler({ store: app.store, ctx, bodyLimit: BODY_LIMIT });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === UI_PREFIX || path.startsWith(`${UI_PREFIX}/`)) {
      ui(req, res); // the web UI (./ui): same tenants, same state
      return;
    }
    handle(app, req).then(
      (reply) => (reply.raw ? sendRaw(res, reply.status, reply.raw.contentType, reply.raw.data) : sendJson(res, reply.status, reply.body)),
      (e: unknown) => {
        const { status, body } = errorReply(e);
        if (status === 413) res.setHeader('Connection', 'close');
        sendJson(res, status, body);
        if (status === 413) res.on('finish', () => req.destroy());
      },
    );
  });
  // Longer than any client's idle keep-alive (undici: 4 s), so a client never reuses a socket the server is closing.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

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
            app.store.abortAll();
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
