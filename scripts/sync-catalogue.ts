/**
 * Regenerates docs/requirements.json from ../shared/REQUIREMENTS.md (the catalogue's source),
 * keeping the fields only this project adds: each requirement's side (lgc | service; both when
 * the catalogue gives a requirement a duty on each side, then each scenario's @service tag says
 * which) and its short French title for the reports.
 *   npx ts-node scripts/sync-catalogue.ts [path/to/REQUIREMENTS.md]
 * test/unit/catalogue.test.ts checks that the mirror is current whenever ../shared is present.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_FILE, Catalogue, parseCatalogueMarkdown } from '../src/report/catalogue';

const source = process.argv[2] ?? join(__dirname, '..', '..', 'shared', 'REQUIREMENTS.md');
const current = JSON.parse(readFileSync(CATALOGUE_FILE, 'utf8')) as Catalogue;
const texts = parseCatalogueMarkdown(readFileSync(source, 'utf8'));
const next: Catalogue = { $comment: current.$comment, requirements: {} };
for (const [id, text] of Object.entries(texts)) {
  const old = current.requirements[id];
  if (!old) throw new Error(`${id} is new in ${source}: add its side and title to ${CATALOGUE_FILE} by hand first`);
  next.requirements[id] = { ...old, text };
}
writeFileSync(CATALOGUE_FILE, JSON.stringify(next, null, 1) + '\n');
process.stdout.write(`${Object.keys(texts).length} requirements written to ${CATALOGUE_FILE}\n`);
