/** Consulting the patient's DMP (POST …/dmp/consult, OPP-03/04). */
import { consult } from '../dmp-consultation';
import { BadRequest, parseWorkstation } from '../validation';
import { ok, patientOf, tenantOf, type Route } from './route';

export const dmpRoutes: Route[] = [
  {
    method: 'POST',
    path: '/testdriver/patients/{patientId}/dmp/consult',
    handle: async (r) => {
      const tenant = tenantOf(r);
      const patient = patientOf(tenant, r.params.patientId);
      parseWorkstation(r.body.workstation);
      const answer = r.body.nonOpposition;
      if (answer !== undefined && answer !== null && typeof answer !== 'boolean') {
        throw new BadRequest('nonOpposition: a boolean is required');
      }
      return ok(await consult(r.app.ctx, tenant, patient, typeof answer === 'boolean' ? answer : undefined));
    },
  },
];
