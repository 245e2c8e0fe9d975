/**
 * Every exchange and document of a run as a file of its own, per scenario:
 * reports/evidence/<scenario>/<n> <name> (the SOAP exchanges, ITI-41 submissions and their CDA,
 * mails, screenshots, traces, the verdict's checks). They come from cucumber's message stream, in
 * which the After hook attached them; a reviewer opens them from the conformance page, and the
 * evidence bundle seals them.
 */
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Envelope } from '@cucumber/messages';
import { VERDICT_MEDIA_TYPE } from './summary';

/** A folder name for a scenario: features/ins/ins-02.feature:20 → features_ins_ins-02.feature_20 */
export const scenarioFolder = (location: string): string => location.replace(/[/\\:]+/g, '_').replace(/[^\w.\-]/g, '_');

const EXTENSIONS: Record<string, string> = {
  'text/xml': '.xml',
  'application/xml': '.xml',
  'application/soap+xml': '.xml',
  'application/json': '.json',
  [VERDICT_MEDIA_TYPE]: '.json',
  'message/rfc822': '.eml',
  'multipart/related': '.mime',
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'application/zip': '.zip',
  'text/plain': '.txt',
  'text/x.cucumber.log+plain': '.txt',
};

/** A safe file name: the attachment's own name (or its kind), numbered in order of attachment. */
export function evidenceFileName(seq: number, mediaType: string, fileName?: string): string {
  const base = (
    fileName ?? (mediaType === VERDICT_MEDIA_TYPE ? 'verdict checks' : mediaType === 'text/x.cucumber.log+plain' ? 'log' : 'attachment')
  )
    .replace(/[/\\:*?"<>|\u0000-\u001f]+/g, '_')
    .slice(0, 120)
    .trim();
  const ext = EXTENSIONS[mediaType.split(';')[0]!.trim()] ?? '';
  const named = ext && !base.toLowerCase().endsWith(ext) && !/\.\w{2,4}$/.test(base) ? base + ext : base;
  return `${String(seq).padStart(2, '0')} ${named}`;
}

/**
 * Reads reports/cucumber-messages.ndjson and writes each scenario's attachments under
 * reports/evidence/<scenario>/. Returns scenario location (relative to root, as in summary.json) → its
 * folder (relative to the reports folder).
 */
export async function writeEvidence(
  reportsDir: string,
  root: string,
  messagesFile = join(reportsDir, 'cucumber-messages.ndjson'),
): Promise<Record<string, string>> {
  const pickles = new Map<string, string>(); // pickle id → location
  const caseToPickle = new Map<string, string>();
  const startedToCase = new Map<string, string>();
  const counts = new Map<string, number>();
  const folders: Record<string, string> = {};
  const lines = createInterface({ input: createReadStream(messagesFile, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(line) as Envelope;
    } catch {
      continue; // a torn last line: what came before is kept
    }
    if (envelope.pickle) {
      const uri = envelope.pickle.uri.replace(/\\/g, '/');
      const rel = uri.startsWith(root + '/') ? uri.slice(root.length + 1) : uri;
      pickles.set(envelope.pickle.id, `${rel}:${envelope.pickle.location?.line ?? 0}`);
    } else if (envelope.testCase) caseToPickle.set(envelope.testCase.id, envelope.testCase.pickleId);
    else if (envelope.testCaseStarted) startedToCase.set(envelope.testCaseStarted.id, envelope.testCaseStarted.testCaseId);
    else if (envelope.attachment?.testCaseStartedId) {
      const attachment = envelope.attachment;
      const location = pickles.get(caseToPickle.get(startedToCase.get(attachment.testCaseStartedId!) ?? '') ?? '');
      if (!location) continue;
      const folder = join('evidence', scenarioFolder(location));
      if (!folders[location]) mkdirSync(join(reportsDir, folder), { recursive: true });
      folders[location] = folder;
      const seq = (counts.get(location) ?? 0) + 1;
      counts.set(location, seq);
      const body = attachment.contentEncoding === 'BASE64' ? Buffer.from(attachment.body, 'base64') : Buffer.from(attachment.body, 'utf8');
      writeFileSync(join(reportsDir, folder, evidenceFileName(seq, attachment.mediaType, attachment.fileName)), body);
    }
  }
  return folders;
}

/** The evidence folders a reports folder holds for a summary's scenarios: location → folder (relative). */
export function evidenceLinks(reportsDir: string, scenarioLocations: string[]): Record<string, string> {
  const links: Record<string, string> = {};
  for (const location of scenarioLocations) {
    const folder = join('evidence', scenarioFolder(location));
    if (existsSync(join(reportsDir, folder))) links[location] = folder.replace(/\\/g, '/');
  }
  return links;
}
