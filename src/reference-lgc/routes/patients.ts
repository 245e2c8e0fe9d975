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
      const t = tenantOf(r);
      const p = t.addPatient(parseTraits(r.body.file, 'file'), parseDates(r.body.appointments, 'appointments'));
      return ok({ patientId: p.id }, 201);
    },
  },
  {
    method: 'POST',
    path: '/testdriver/carte-vitale',
    handle: async (r) => {
      const t = tenantOf(r);
      const ws = parseWorkstation(r.body.workstation);
      const p = await carteVitale(r.app.ctx, t, ws, parseCard(r.body.card));
      return ok({ patientId: p.id });
    },
  },
  {
    method: 'POST',
    path: '/testdriver/start-of-day',
    handle: async (r) => {
      const t = tenantOf(r);
      const ws = parseWorkstation(r.body.workstation);
      const date = requireDate(r.body, 'date', 'body');
      return ok({ patientsOfTheDay: await startOfDay(r.app.ctx, t, ws, date) });
    },
  },
  {
    method: 'POST',
    path: '/testdriver/patients/{patientId}/open',
    handle: async (r) => {
      const t = tenantOf(r);
      const p = patientOf(t, r.params.patientId);
      await openFile(r.app.ctx, t, parseWorkstation(r.body.workstation), p);
      return ok(identityView(p, t.defects));
    },
  },
];
