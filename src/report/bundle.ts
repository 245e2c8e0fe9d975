/**
 * The sealed evidence bundle: one ZIP (reports/vigie-<target>-<date>.zip) with the conformance page,
 * summary.json, JUnit, cucumber's JSON and messages, and every exchange, document, screenshot and
 * trace as a file of its own (reports/evidence/), plus MANIFEST.json: each file's SHA-256 and size,
 * the harness version and commit, the rule pack hashes, the config hash and the command line.
 * `vigie verify` recomputes every hash from the archive and names what changed, vanished or was
 * added. Sealing is by hashes only: signing MANIFEST.json is left to the reviewer's own tools
 * (docs/reports.md says how), so that no key lives in the harness.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { readZip } from '../oracles/zip';
import type { Summary } from './summary';

export const MANIFEST = 'MANIFEST.json';
export const BUNDLE_FORMAT = 'vigie-evidence-bundle/1';

export interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}
export interface Manifest {
  format: string;
  createdAt: string;
  target: string;
  suite: string;
  driver: string;
  outcome: string;
  startedAt: string | null;
  harness: string;
  node: string;
  java: string | null;
  rulePacks: Record<string, string | null>;
  config: string;
  command: string | null;
  files: ManifestFile[];
}

/** What a bundle holds from a reports folder: the reports a person reads and the evidence; not Allure's working files. */
const TOP_FILES = [
  'conformance.html',
  'conformance.pdf',
  'summary.json',
  'junit.xml',
  'cucumber.json',
  'cucumber-messages.ndjson',
  'cucumber.html',
  'diff.json',
];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : []));
}

export const sha256 = (content: Buffer | string): string => createHash('sha256').update(content).digest('hex');

/** The bundle's file name: vigie-<target>-<UTC date and time of the run>.zip */
export function bundleName(summary: Summary): string {
  const target = summary.target.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'target';
  const when = (summary.startedAt ?? new Date().toISOString()).slice(0, 16).replace(/:/g, '');
  return `vigie-${target}-${when}Z.zip`;
}

export function manifestOf(summary: Summary, files: { path: string; content: Buffer }[], createdAt = new Date()): Manifest {
  return {
    format: BUNDLE_FORMAT,
    createdAt: createdAt.toISOString(),
    target: summary.target,
    suite: summary.suite,
    driver: summary.driver,
    outcome: summary.outcome,
    startedAt: summary.startedAt ?? null,
    harness: summary.provenance.harness,
    node: summary.provenance.node,
    java: summary.provenance.java ?? null,
    rulePacks: Object.fromEntries(
      Object.entries(summary.provenance.rulePacks ?? {}).map(([name, pack]) => [name, (pack as { hash?: string } | null)?.hash ?? null]),
    ),
    config: summary.provenance.config,
    command: summary.provenance.command ?? null,
    files: files.map((f) => ({ path: f.path, sha256: sha256(f.content), bytes: f.content.length })),
  };
}

/** Writes the bundle of a reports folder; returns its path and the SHA-256 of its manifest (to write down, or sign). */
export function writeBundle(reportsDir: string, out?: string): { file: string; manifestSha256: string; files: number } {
  const summaryFile = join(reportsDir, 'summary.json');
  if (!existsSync(summaryFile)) throw new Error(`no ${summaryFile}: bundle a reports folder that a vigie run wrote`);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
  const paths = [
    ...TOP_FILES.map((f) => join(reportsDir, f)).filter((f) => existsSync(f)),
    ...(existsSync(join(reportsDir, 'evidence')) ? walk(join(reportsDir, 'evidence')) : []),
  ];
  const files = paths.map((p) => ({ path: relative(reportsDir, p).split(/[\\/]/).join('/'), content: readFileSync(p) }));
  const manifest = Buffer.from(JSON.stringify(manifestOf(summary, files), null, 2) + '\n');
  const file = out ?? join(reportsDir, bundleName(summary));
  writeFileSync(file, zip([{ path: MANIFEST, content: manifest }, ...files]));
  return { file, manifestSha256: sha256(manifest), files: files.length };
}

export interface Verification {
  intact: boolean;
  manifestSha256: string;
  manifest: Manifest;
  changed: string[];
  missing: string[];
  added: string[];
}

/** Recomputes every hash of a bundle against its manifest. Throws when the archive or its manifest cannot be read. */
export function verifyBundle(archive: Buffer): Verification {
  const entries = readZip(archive, { maxEntries: 100_000, maxTotalBytes: 4 * 1024 * 1024 * 1024 });
  const manifestEntry = entries.find((e) => e.name === MANIFEST);
  if (!manifestEntry) throw new Error(`no ${MANIFEST} in the archive: not a Vigie evidence bundle`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestEntry.content.toString('utf8')) as Manifest;
  } catch (e) {
    throw new Error(`${MANIFEST} is not JSON: ${(e as Error).message}`);
  }
  if (manifest.format !== BUNDLE_FORMAT || !Array.isArray(manifest.files))
    throw new Error(`${MANIFEST}: not a ${BUNDLE_FORMAT} manifest (format ${JSON.stringify(manifest.format)})`);
  const inArchive = new Map(entries.filter((e) => e.name !== MANIFEST).map((e) => [e.name, e.content]));
  const listed = new Set(manifest.files.map((f) => f.path));
  const changed = manifest.files.filter((f) => inArchive.has(f.path) && sha256(inArchive.get(f.path)!) !== f.sha256).map((f) => f.path);
  const missing = manifest.files.filter((f) => !inArchive.has(f.path)).map((f) => f.path);
  const added = [...inArchive.keys()].filter((name) => !listed.has(name));
  return {
    intact: !changed.length && !missing.length && !added.length,
    manifestSha256: sha256(manifestEntry.content),
    manifest,
    changed,
    missing,
    added,
  };
}

/** The summary.json of a bundle, refused when it no longer matches the hash its manifest sealed. */
export function summaryOfBundle(archive: Buffer): string {
  const checked = verifyBundle(archive);
  const entry = checked.manifest.files.find((f) => f.path === 'summary.json');
  if (!entry) throw new Error(`the bundle's ${MANIFEST} lists no summary.json`);
  if (checked.changed.includes('summary.json') || checked.missing.includes('summary.json'))
    throw new Error(`the bundle's summary.json does not match its ${MANIFEST} (vigie verify says more)`);
  const content = readZip(archive, { maxEntries: 100_000, maxTotalBytes: 4 * 1024 ** 3 }).find((e) => e.name === 'summary.json')!.content;
  return content.toString('utf8');
}

/**
 * A ZIP archive (deflate, CRC-32, UTF-8 names, no ZIP64: a bundle stays under 4 GiB). The reference
 * LGC has its own writer for XDM packages: it is a separate program, and shares no code with the harness.
 */
export function zip(entries: { path: string; content: Buffer }[], when = new Date()): Buffer {
  const time = (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | Math.floor(when.getUTCSeconds() / 2);
  const date = ((Math.max(1980, when.getUTCFullYear()) - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate();
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.path, 'utf8');
    const deflated = deflateRawSync(entry.content);
    const stored = deflated.length >= entry.content.length;
    const data = stored ? entry.content : deflated;
    const header = (size: number, signature: number) => {
      const buf = Buffer.alloc(size);
      buf.writeUInt32LE(signature, 0);
      return buf;
    };
    const common = (buf: Buffer, at: number) => {
      buf.writeUInt16LE(20, at); // version needed: 2.0
      buf.writeUInt16LE(0x0800, at + 2); // UTF-8 names
      buf.writeUInt16LE(stored ? 0 : 8, at + 4);
      buf.writeUInt16LE(time, at + 6);
      buf.writeUInt16LE(date, at + 8);
      buf.writeUInt32LE(crc32(entry.content), at + 10);
      buf.writeUInt32LE(data.length, at + 14);
      buf.writeUInt32LE(entry.content.length, at + 18);
      buf.writeUInt16LE(name.length, at + 22);
    };
    const local = header(30, 0x04034b50);
    common(local, 4);
    const dir = header(46, 0x02014b50);
    dir.writeUInt16LE(20, 4); // version made by
    common(dir, 6);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, name, data);
    central.push(dir, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}
