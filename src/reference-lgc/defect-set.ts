/** The seeded-defect catalogue (defects.json) and per-tenant defect sets. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DefectEntry {
  id: string;
  requirements: string[];
  description: string;
}

let catalogue: DefectEntry[] | undefined;

/** The defects listed in src/reference-lgc/defects.json (read once). */
export function loadDefectCatalogue(): DefectEntry[] {
  if (!catalogue) {
    const file = path.join(__dirname, 'defects.json');
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { defects?: unknown };
    if (!Array.isArray(parsed.defects)) throw new Error(`${file}: no "defects" array`);
    catalogue = parsed.defects.map((d: { id?: unknown; requirements?: unknown; description?: unknown }) => ({
      id: String(d.id),
      requirements: Array.isArray(d.requirements) ? d.requirements.map(String) : [],
      description: String(d.description ?? ''),
    }));
  }
  return catalogue;
}

export function knownDefectIds(): Set<string> {
  return new Set(loadDefectCatalogue().map((d) => d.id));
}

/** Ids among `ids` that the catalogue does not know. */
export function unknownDefects(ids: readonly string[]): string[] {
  const known = knownDefectIds();
  return ids.filter((id) => !known.has(id));
}

export class DefectSet {
  private readonly ids: Set<string>;
  constructor(ids: Iterable<string> = []) {
    this.ids = new Set(ids);
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
  list(): string[] {
    return [...this.ids].sort();
  }
}
