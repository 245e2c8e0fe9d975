/**
 * What every route module of the test-driver API shares: a route (method, path with {params},
 * handler), the request a handler gets, its reply, and the look-ups that answer 404/409.
 */
import { HttpError } from '../errors';
import type { DocumentRecord } from '../documents';
import type { DefectSwitch } from './defect-switch';
import type { Patient, TenantState, TenantStore } from '../tenant';
import type { CallContext } from '../triggers';

export type Json = Record<string, unknown>;

export interface Reply {
  status: number;
  body: unknown;
  /** a non-JSON answer (the CDA of /content): sent as is with this Content-Type */
  raw?: { contentType: string; data: Buffer };
}

/** The LGC as the handlers see it: its tenants, its background work, the reference-only defect switch. */
export interface App {
  store: TenantStore;
  ctx: CallContext;
  defects: DefectSwitch;
}

export interface RouteRequest {
  app: App;
  /** the path parameters, decoded */
  params: Record<string, string>;
  /** the JSON body (POST), else {} */
  body: Json;
  /** the X-Vigie-Tenant header ('' for routes that need none) */
  tenant: string;
  method: string;
}

export interface Route {
  method: 'GET' | 'POST';
  /** e.g. /testdriver/patients/{patientId}/open */
  path: string;
  /** false: no X-Vigie-Tenant header (health, the reference-only switch) */
  tenant?: boolean;
  handle(r: RouteRequest): Promise<Reply> | Reply;
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });

/** The tenant's state, or 409 when it was never reset. */
export function tenantOf(req: RouteRequest): TenantState {
  const tenant = req.app.store.get(req.tenant);
  if (!tenant) throw new HttpError(409, 'tenant-not-reset', `tenant ${req.tenant} has not been reset: call POST /testdriver/reset first`);
  return tenant;
}

export function patientOf(tenant: TenantState, id: string): Patient {
  const patient = tenant.patients.get(id);
  if (!patient) throw new HttpError(404, 'unknown-patient', `no patient ${id} in tenant ${tenant.name}`);
  return patient;
}

export function documentOf(tenant: TenantState, id: string): DocumentRecord {
  const doc = tenant.documents.get(id);
  if (!doc) throw new HttpError(404, 'unknown-document', `no document ${id} in tenant ${tenant.name}`);
  return doc;
}

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

/** Finds the route of a request: 404 for an unknown path, 405 for a known path and another method. */
export function router(routes: Route[]): (method: string, pathname: string) => { route: Route; params: Record<string, string> } {
  const compiled: Compiled[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    return { route, re: new RegExp(`^${source}$`), names };
  });
  return (method, pathname) => {
    const matching = compiled.map((c) => ({ c, m: c.re.exec(pathname) })).filter((x) => x.m);
    if (!matching.length) throw new HttpError(404, 'not-found', `no such route: ${method} ${pathname}`);
    const wanted = method === 'HEAD' ? 'GET' : method;
    const hit = matching.find((x) => x.c.route.method === wanted);
    if (!hit) {
      const allowed = [...new Set(matching.map((x) => x.c.route.method))].join('|');
      throw new HttpError(405, 'method-not-allowed', `${pathname} accepts ${allowed} only`);
    }
    const params: Record<string, string> = {};
    hit.c.names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(hit.m![i + 1]);
      } catch {
        throw new HttpError(400, 'invalid-request', `${n}: malformed`);
      }
    });
    return { route: hit.c.route, params };
  };
}
