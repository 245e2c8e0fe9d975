/** A request of the web UI: its tenant (?tenant= or the cookie), its workstation (?ws=), its form. */
import type * as http from 'node:http';
import type { TenantState, TenantStore, Workstation } from '../tenant';
import type { Nav } from './html';
import { cookie, readForm, UiError } from './http';

export const TENANT_COOKIE = 'vigie-tenant';
const TENANT_RE = /^[A-Za-z0-9_-]{1,64}$/;

export const WORKSTATIONS: Record<string, Workstation> = {
  ps: { role: 'PS', card: 'CPS' },
  cpe: { role: 'secretariat', card: 'CPE-nominative' },
  anon: { role: 'secretariat', card: 'CPE-anonymous' },
};

export interface Req {
  method: string;
  url: URL;
  nav: Nav;
  t: TenantState;
  form: URLSearchParams;
  json: boolean;
  setCookie?: string;
}

export async function readRequest(req: http.IncomingMessage, url: URL, store: TenantStore, bodyLimit: number): Promise<Req> {
  const fromQuery = url.searchParams.get('tenant') ?? undefined;
  const tenant = fromQuery || cookie(req, TENANT_COOKIE);
  if (!tenant) throw new UiError(400, 'Aucun cabinet choisi : ajoutez ?tenant=<id> à l’adresse.');
  if (!TENANT_RE.test(tenant)) throw new UiError(400, 'Identifiant de cabinet invalide.');
  const state = store.get(tenant);
  if (!state) throw new UiError(409, `Le cabinet ${tenant} n'a pas été initialisé (POST /testdriver/reset).`);
  const wsParam = url.searchParams.get('ws') ?? 'ps';
  const ws = WORKSTATIONS[wsParam] ? wsParam : 'ps';
  const method = req.method ?? 'GET';
  const form = method === 'POST' ? await readForm(req, bodyLimit) : new URLSearchParams();
  return {
    method,
    url,
    nav: { q: `?tenant=${encodeURIComponent(tenant)}&ws=${ws}`, ws, tenant, path: url.pathname },
    t: state,
    form,
    json: String(req.headers.accept ?? '').includes('application/json'),
    ...(fromQuery ? { setCookie: `${TENANT_COOKIE}=${encodeURIComponent(tenant)}; Path=/ui; SameSite=Lax` } : {}),
  };
}
