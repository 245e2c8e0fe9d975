/**
 * Reference-only (never in the vendor contract): which seeded defects the tenants whose id starts
 * with a prefix (one Vigie run's tenants) get at their next reset, plus the process-wide ones
 * (`--defect` on main.ts).
 */
import { DefectSet, unknownDefects } from '../defect-set';
import { HttpError } from '../errors';
import { BadRequest } from '../validation';
import type { Json } from './route';

export class DefectSwitch {
  private readonly byPrefix = new Map<string, string[]>();
  constructor(private readonly processWide: string[] = []) {}

  /** POST /reference/defects {tenantPrefix, defects}: [] switches the prefix's defects off. */
  set(body: Json): { tenantPrefix: string; defects: string[] } {
    const prefix = body.tenantPrefix;
    if (typeof prefix !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(prefix))
      throw new BadRequest('tenantPrefix: a tenant id prefix is required');
    if (!Array.isArray(body.defects) || body.defects.some((x) => typeof x !== 'string'))
      throw new BadRequest('defects: an array of defect ids is required');
    const ids = body.defects as string[];
    const bad = unknownDefects(ids);
    if (bad.length) throw new HttpError(400, 'unknown-defect', `unknown defect id(s): ${bad.join(', ')}`);
    if (ids.length) this.byPrefix.set(prefix, [...new Set(ids)]);
    else this.byPrefix.delete(prefix);
    return { tenantPrefix: prefix, defects: ids };
  }

  /** The defects of a tenant being reset. */
  forTenant(tenant: string): DefectSet {
    const switched = [...this.byPrefix.entries()].filter(([prefix]) => tenant.startsWith(prefix)).flatMap(([, ids]) => ids);
    return new DefectSet([...this.processWide, ...switched]);
  }
}
