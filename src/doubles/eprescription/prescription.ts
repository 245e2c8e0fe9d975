/**
 * The shape of a prescription the double accepts: `components.schemas.Prescription` of
 * docs/eprescription.openapi.json (Vigie's own contract until the real one is available), checked
 * by ajv (the project's validator). The OpenAPI file is the one source: what a vendor reads is
 * what the double checks.
 */
import Ajv, { type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EPRESCRIPTION_OPENAPI = join(__dirname, '..', '..', '..', 'docs', 'eprescription.openapi.json');

interface OpenApi {
  components: { schemas: Record<string, object> };
}
const openApi = JSON.parse(readFileSync(EPRESCRIPTION_OPENAPI, 'utf8')) as OpenApi;
export const PRESCRIPTION_SCHEMA = openApi.components.schemas.Prescription!;
// strict: false, for the OpenAPI keywords JSON Schema does not know (example, description…).
const validate = new Ajv({ allErrors: true, strict: false }).compile(PRESCRIPTION_SCHEMA);

const describe = (e: ErrorObject): string => {
  const at = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '';
  if (e.keyword === 'required') return `${at ? `${at}.` : ''}${String(e.params.missingProperty)} is missing`;
  return `${at || 'the body'} ${e.message ?? 'is invalid'}`;
};

/** What is wrong with the body, in one sentence naming each field; undefined when it fits. */
export function prescriptionProblem(json: unknown): string | undefined {
  if (validate(json)) return undefined;
  const errors = validate.errors ?? [];
  if (errors.some((e) => e.instancePath === '' && e.keyword === 'type')) {
    return 'the body must be a JSON object { patient, prescriber, lines } (docs/eprescription.openapi.json)';
  }
  return `${[...new Set(errors.map(describe))].join('; ')} (docs/eprescription.openapi.json)`;
}
