/** The identity panel (GET …/identity) and qualification (POST …/qualify, QUAL-01..09). */
import { HttpError } from '../errors';
import { identityView, qualify, type QualifyRequest } from '../identity';
import { BadRequest, optionalString, parseWorkstation } from '../validation';
import { ok, patientOf, tenantOf, type Route } from './route';

export const identityRoutes: Route[] = [
  {
    method: 'GET',
    path: '/testdriver/patients/{patientId}/identity',
    handle: (r) => {
      const tenant = tenantOf(r);
      return ok(identityView(patientOf(tenant, r.params.patientId), tenant.defects));
    },
  },
  {
    method: 'POST',
    path: '/testdriver/patients/{patientId}/qualify',
    handle: (r) => {
      const tenant = tenantOf(r);
      const patient = patientOf(tenant, r.params.patientId);
      const ws = parseWorkstation(r.body.workstation);
      const method = r.body.method;
      if (method !== 'document' && method !== 'exception') {
        throw new BadRequest('method: one of document, exception is required');
      }
      const document = optionalString(r.body, 'document', 'body');
      if (method === 'document' && (document === undefined || document.trim() === '')) {
        throw new BadRequest('document: the identity document label is required for method document');
      }
      if (patient.ins.status === 'qualified') {
        throw new HttpError(409, 'already-qualified', "L'INS de ce patient est déjà qualifiée.");
      }
      const qualifyRequest: QualifyRequest = { workstation: ws, method, ...(document !== undefined ? { document } : {}) };
      const result = qualify(patient, qualifyRequest, tenant.defects);
      if ('reason' in result) {
        return { status: 422, body: { error: 'qualification-refused', reason: result.reason, message: result.message } };
      }
      return ok(result);
    },
  },
];
