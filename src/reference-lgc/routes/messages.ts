/** Secure messaging: write (POST /testdriver/messages), the patient's thread, end the exchange ([FIN]). */
import { endExchange, parseOutgoing, patientThread, sendSecureMessage } from '../messaging';
import { parseWorkstation } from '../validation';
import { ok, patientOf, tenantOf, type Route } from './route';

export const messageRoutes: Route[] = [
  {
    method: 'POST',
    path: '/testdriver/messages',
    handle: async (r) => {
      const tenant = tenantOf(r);
      const ws = parseWorkstation(r.body.workstation);
      return ok(await sendSecureMessage(r.app.ctx, tenant, ws, parseOutgoing(r.body)), 201);
    },
  },
  {
    method: 'GET',
    path: '/testdriver/patients/{patientId}/messages',
    handle: async (r) => {
      const tenant = tenantOf(r);
      return ok(await patientThread(r.app.ctx, tenant, patientOf(tenant, r.params.patientId)));
    },
  },
  {
    method: 'POST',
    path: '/testdriver/patients/{patientId}/messages/end',
    handle: async (r) => {
      const tenant = tenantOf(r);
      const patient = patientOf(tenant, r.params.patientId);
      const ws = parseWorkstation(r.body.workstation);
      return ok(await endExchange(r.app.ctx, tenant, ws, patient));
    },
  },
];
