/**
 * Tenants of a double: one per scenario (or per vendor's test platform), named in the URL or the
 * mailbox, created on first use. Every double refuses the same ids, with its own name in the error.
 */
export const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const DEFAULT_TENANT = 'default';

export function checkTenantId(label: string, id: string): void {
  if (!TENANT_ID.test(id)) throw new Error(`${label}: invalid tenant id "${id}" (expected ${TENANT_ID})`);
}

export class TenantRegistry<T> {
  private readonly byId = new Map<string, T>();

  /** label: how the double names itself in errors ("INSi double"); create: a new tenant's state. */
  constructor(
    private readonly label: string,
    private readonly create: (id: string) => T,
  ) {}

  check(id: string): void {
    checkTenantId(this.label, id);
  }

  get(id: string): T {
    this.check(id);
    let tenant = this.byId.get(id);
    if (!tenant) this.byId.set(id, (tenant = this.create(id)));
    return tenant;
  }

  all(): T[] {
    return [...this.byId.values()];
  }
}
