/** The settings screen (POST /testdriver/settings, SEND-07). */
import { applySettings } from '../settings';
import { parseWorkstation } from '../validation';
import { ok, tenantOf, type Route } from './route';

export const settingsRoutes: Route[] = [
  {
    method: 'POST',
    path: '/testdriver/settings',
    handle: (r) => {
      const tenant = tenantOf(r);
      parseWorkstation(r.body.workstation);
      return ok(applySettings(tenant, r.body.settings));
    },
  },
];
