/** Patient files and the INSi triggers: create a file, insert a Carte Vitale (INS-03), open a file (INS-04), start the day (INS-05). */
import { identityView } from '../identity';
import { carteVitale, openFile, startOfDay } from '../triggers';
import { parseCard, parseDates, parseTraits, parseWorkstation, requireDate } from '../validation';
import { ok, patientOf, tenantOf, type Route } from './route';

export const patientRoutes: Route[] = [
  {
    method: 'POST',
    path: '/testdriver/patients',
    handle: (r) => {
      const tenant = tenantOf(r);
      const patient = tenant.addPatient(parseTraits(r.body.file, 'file'), parseDates(r.body.appointments, 'appointments'));
      return ok({ patientId: patient.id }, 201);
    },
  },
  {
    method: 'POST',
    path: '/testdriver/carte-vitale',
    handle: async (r) => {
      const tenant = tenantOf(r);
      const ws = parseWorkstation(r.body.workstation);
      const patient = await carteVitale(r.app.ctx, tenant, ws, parseCard(r.body.card));
      return ok({ patientId: patient.id });
    },
  },
  {
    method: 'POST',
    path: '/testdriver/start-of-day',
    handle: async (r) => {
      const tenant = tenantOf(r);
      const ws = parseWorkstation(r.body.workstation);
      const date = requireDate(r.body, 'date', 'body');
      return ok({ patientsOfTheDay: await startOfDay(r.app.ctx, tenant, ws, date) });
    },
  },
  {
    method: 'POST',
    path: '/testdriver/patients/{patientId}/open',
    handle: async (r) => {
      const tenant = tenantOf(r);
      const patient = patientOf(tenant, r.params.patientId);
      await openFile(r.app.ctx, tenant, parseWorkstation(r.body.workstation), patient);
      return ok(identityView(patient, tenant.defects));
    },
  },
];
