import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Requirement ids of the catalogue (not the harness's own H-xx). */
export const CATALOGUE_TAG = /^@((?:INS|QUAL|OPP|SEND|CDA|MSS)-\d{2})$/;

/**
 * The requirement catalogue as shipped with the project (docs/requirements.json mirrors
 * ../shared/REQUIREMENTS.md so Vigie works without the shared folder).
 */
export function catalogue(root: string): Record<string, string> {
  const file = join(root, 'docs', 'requirements.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { requirements: Record<string, string> }).requirements : {};
}
