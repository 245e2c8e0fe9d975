/**
 * The shape of a prescription the double accepts, as a JSON Schema checked by ajv (the project's
 * validator): `{ patient: {...}, prescriber: {...}, lines: [ ... ] }`. The rest is the LGC's business.
 */
import Ajv from 'ajv';

export const PRESCRIPTION_SCHEMA = {
  type: 'object',
  required: ['patient', 'prescriber', 'lines'],
  properties: {
    patient: { type: 'object', description: 'patient (object)' },
    prescriber: { type: 'object', description: 'prescriber (object)' },
    lines: { type: 'array', minItems: 1, description: 'lines (non-empty array)' },
  },
} as const;

const FIELDS = PRESCRIPTION_SCHEMA.required;
const validate = new Ajv({ allErrors: true }).compile(PRESCRIPTION_SCHEMA);

/** What is wrong with the body, in one sentence; undefined when it fits. */
export function prescriptionProblem(json: unknown): string | undefined {
  if (validate(json)) return undefined;
  const errors = validate.errors ?? [];
  if (errors.some((e) => e.instancePath === '' && e.keyword === 'type')) {
    return 'the body must be a JSON object { patient, prescriber, lines }';
  }
  const wrong = new Set(errors.map((e) => (e.keyword === 'required' ? String(e.params.missingProperty) : e.instancePath.split('/')[1])));
  const named = FIELDS.filter((f) => wrong.has(f)).map((f) => PRESCRIPTION_SCHEMA.properties[f].description);
  return `missing or invalid ${named.join(', ')}`;
}
