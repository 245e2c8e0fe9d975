/**
 * POST /testdriver/reset (a tenant afresh, pointed at its doubles), and the reference-only seeded
 * defect switch and catalogue (POST|GET /reference/defects), which no vendor contract carries.
 */
import { loadDefectCatalogue } from '../defect-set';
import {
  DEFAULT_DMP_TIMEOUT_MS,
  DEFAULT_EPRESCRIPTION_TIMEOUT_MS,
  DEFAULT_INSI_TIMEOUT_MS,
  TenantState,
  type TenantDoubles,
  type TenantOptions,
} from '../tenant';
import { BadRequest, parseWorkstations, requireObject, requireString } from '../validation';
import { ok, type Json, type Route } from './route';

function httpUrl(source: Record<string, unknown>, key: string, field: string): string {
  const url = requireString(source, key, field);
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

function parseDoubles(body: Json): TenantDoubles {
  const doubles = requireObject(body.doubles, 'doubles');
  const insi = requireObject(doubles.insi, 'doubles.insi');
  const result: TenantDoubles = { insiUrl: httpUrl(insi, 'url', 'doubles.insi') };
  if (doubles.dmp !== undefined && doubles.dmp !== null) {
    const dmp = requireObject(doubles.dmp, 'doubles.dmp');
    result.dmp = { repositoryUrl: httpUrl(dmp, 'repositoryUrl', 'doubles.dmp'), registryUrl: httpUrl(dmp, 'registryUrl', 'doubles.dmp') };
  }
  if (doubles.mss !== undefined && doubles.mss !== null) {
    const mss = requireObject(doubles.mss, 'doubles.mss');
    const endpoint = (key: 'smtp' | 'pop3'): { host: string; port: number } => {
      const spec = requireObject(mss[key], `doubles.mss.${key}`);
      const host = requireString(spec, 'host', `doubles.mss.${key}`);
      const port = spec.port;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new BadRequest(`doubles.mss.${key}.port: a port number is required`);
      }
      return { host, port };
    };
    const mailbox = requireString(mss, 'mailbox', 'doubles.mss').trim();
    if (!/^[^@\s<>]+@[^@\s<>]+$/.test(mailbox)) throw new BadRequest('doubles.mss.mailbox: an e-mail address is required');
    const password = mss.password;
    if (typeof password !== 'string') throw new BadRequest('doubles.mss.password: a string is required');
    result.mss = { smtp: endpoint('smtp'), pop3: endpoint('pop3'), mailbox, password };
  }
  if (doubles.tls !== undefined && doubles.tls !== null) {
    const tls = requireObject(doubles.tls, 'doubles.tls');
    const pem = (key: 'ca' | 'certificate' | 'key', kind: RegExp): string => {
      const value = requireString(tls, key, 'doubles.tls');
      if (!kind.test(value)) throw new BadRequest(`doubles.tls.${key}: a PEM ${key === 'key' ? 'private key' : 'certificate'} is required`);
      return value;
    };
    result.tls = {
      ca: pem('ca', /-----BEGIN CERTIFICATE-----/),
      cert: pem('certificate', /-----BEGIN CERTIFICATE-----/),
      key: pem('key', /-----BEGIN (RSA |EC )?PRIVATE KEY-----/),
    };
  }
  if (doubles.eprescription !== undefined && doubles.eprescription !== null) {
    result.ePrescriptionUrl = httpUrl(requireObject(doubles.eprescription, 'doubles.eprescription'), 'url', 'doubles.eprescription');
  }
  return result;
}

function parseOptions(body: Json): TenantOptions {
  const options: TenantOptions = {
    insiTimeoutMs: DEFAULT_INSI_TIMEOUT_MS,
    ePrescriptionTimeoutMs: DEFAULT_EPRESCRIPTION_TIMEOUT_MS,
    dmpTimeoutMs: DEFAULT_DMP_TIMEOUT_MS,
  };
  if (body.options !== undefined && body.options !== null) {
    const given = requireObject(body.options, 'options');
    for (const key of ['insiTimeoutMs', 'ePrescriptionTimeoutMs', 'dmpTimeoutMs'] as const) {
      const value = given[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
        throw new BadRequest(`options.${key}: a positive integer is required`);
      }
      options[key] = value;
    }
  }
  return options;
}

export const resetRoutes: Route[] = [
  {
    method: 'POST',
    path: '/testdriver/reset',
    handle: ({ app, tenant, body }) => {
      // Seeded defects come from the reference-only switch, never from the vendor contract: a
      // `defects` field in this body is ignored.
      const set = app.defects.forTenant(tenant);
      app.store.reset(new TenantState(tenant, parseDoubles(body), parseOptions(body), set, parseWorkstations(body.workstations)));
      return ok({ tenant, defects: set.list() });
    },
  },
  // Reference-only (not in the vendor contract): the seeded-defect catalogue and switch.
  { method: 'GET', path: '/reference/defects', tenant: false, handle: () => ok({ defects: loadDefectCatalogue() }) },
  { method: 'POST', path: '/reference/defects', tenant: false, handle: ({ app, body }) => ok(app.defects.set(body)) },
];
