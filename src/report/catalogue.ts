import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The requirement catalogue as shipped with the project: docs/requirements.json mirrors
 * ../shared/REQUIREMENTS.md (scripts/sync-catalogue.ts regenerates it) so that Vigie runs without
 * the shared folder, and adds what only Vigie needs: the side each requirement binds (the
 * practice software, or the MSSanté operator's service) and a short French title.
 */
export type Side = 'lgc' | 'service';
export interface CatalogueEntry {
  /** The side(s) the requirement binds; a requirement with both is split by its scenarios' @service tag. */
  side: Side | 'both';
  title: string;
  text: string;
}
export interface Catalogue {
  $comment?: string;
  requirements: Record<string, CatalogueEntry>;
}

/** Requirement ids of the catalogue (not the harness's own H-xx). */
export const CATALOGUE_TAG = /^@((?:INS|QUAL|OPP|SEND|CDA|MSS)-\d{2})$/;
export const CATALOGUE_FILE = resolve(__dirname, '..', '..', 'docs', 'requirements.json');

let cached: Catalogue | undefined;

export function loadCatalogue(file = CATALOGUE_FILE): Catalogue {
  if (file === CATALOGUE_FILE && cached) return cached;
  if (!existsSync(file)) throw new Error(`the requirement catalogue ${file} is missing`);
  const catalogue = JSON.parse(readFileSync(file, 'utf8')) as Catalogue;
  if (file === CATALOGUE_FILE) cached = catalogue;
  return catalogue;
}

/** The requirement ids a side binds, in catalogue order. */
export function requirementsOfSide(side: Side, catalogue = loadCatalogue()): string[] {
  return Object.entries(catalogue.requirements)
    .filter(([, r]) => r.side === side || r.side === 'both')
    .map(([id]) => id);
}

/** The side a scenario judges: the MSSanté operator's rules carry @service, everything else judges the LGC. */
export function scenarioSide(tags: string[]): Side {
  return tags.includes('@service') ? 'service' : 'lgc';
}

export const compareIds = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/** Parses the catalogue's tables (| id | requirement |) into id → text, in order. */
export function parseCatalogueMarkdown(md: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of md.split('\n')) {
    const match = /^\|\s*((?:INS|QUAL|OPP|SEND|CDA|MSS)-\d{2})\s*\|\s*(.*?)\s*\|\s*$/.exec(line);
    if (match) out[match[1]] = match[2];
  }
  return out;
}

/** The shared catalogue, when the project sits beside ../shared. */
export function sharedCatalogueFile(root = resolve(__dirname, '..', '..')): string | undefined {
  const file = join(root, '..', 'shared', 'REQUIREMENTS.md');
  return existsSync(file) ? file : undefined;
}
