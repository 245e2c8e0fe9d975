/**
 * First look at a document, before anything parses it for real: a linear scan (no tree, no entity
 * expansion) that refuses what must never reach an XML parser and reads what choosing a schematron
 * needs. Refused: larger than the size limit, a PDF or other binary, not starting like XML, any
 * DOCTYPE/ENTITY declaration, element nesting deeper than the depth limit. The scan is lenient about
 * well-formedness: the real parser (in the JVM, DOCTYPE refused there too) reports that with a line.
 */
export const CDA_NS = 'urn:hl7-org:v3';
export const XSLT_NS = 'http://www.w3.org/1999/XSL/Transform';
export const MAX_BYTES = 50 * 1024 * 1024;
export const MAX_DEPTH = 2000;

export interface TemplateId {
  root: string;
  extension: string | null;
}

export interface ScanResult {
  ok: true;
  rootLocal: string;
  rootNs: string;
  /** templateId children of the root element (CDA namespace). */
  templateIds: TemplateId[];
  /** component/structuredBody or component/nonXMLBody under the ClinicalDocument, if any. */
  body: 'structuredBody' | 'nonXMLBody' | null;
  /**
   * Where the CDA ClinicalDocument is: the root, or a top-level element of an xsl:stylesheet (an ANS
   * "self-presenting" document, which the CDA schema admits through its import of the XSLT schema).
   */
  clinicalDocument: 'root' | 'in-stylesheet' | null;
  maxDepth: number;
}
export interface ScanRefusal {
  ok: false;
  reason: string;
  line: number | null;
}

export interface ScanLimits {
  maxBytes?: number;
  maxDepth?: number;
}

function decode(buf: Buffer): string {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return new TextDecoder('utf-16le').decode(buf);
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return new TextDecoder('utf-16be').decode(buf);
  const head = buf.subarray(0, 200).toString('latin1');
  const match = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  const enc = match ? match[1].toLowerCase() : 'utf-8';
  if (enc === 'utf-8' || enc === 'utf8') return buf.toString('utf8');
  try {
    return new TextDecoder(enc).decode(buf);
  } catch {
    return buf.toString('utf8');
  }
}

function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

const ATTR = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export function scanDocument(buf: Buffer, limits: ScanLimits = {}): ScanResult | ScanRefusal {
  const maxBytes = limits.maxBytes ?? MAX_BYTES;
  const maxDepth = limits.maxDepth ?? MAX_DEPTH;
  if (buf.length > maxBytes) return { ok: false, reason: `document larger than ${maxBytes} bytes (${buf.length})`, line: null };
  if (buf.length === 0) return { ok: false, reason: 'empty file, not XML', line: null };
  if (buf.subarray(0, 5).toString('latin1') === '%PDF-') return { ok: false, reason: 'a PDF document, not XML', line: null };
  const probe = buf.subarray(0, 4096);
  if (probe.includes(0) && !(buf[0] === 0xff || buf[0] === 0xfe)) return { ok: false, reason: 'binary content, not XML', line: null };
  const text = decode(buf);
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '<') return { ok: false, reason: 'not XML: the content does not start with a tag', line: lineAt(text, i) };

  const scopes: Record<string, string>[] = [{}];
  const path: string[] = []; // local names of open elements
  let depth = 0;
  let max = 0;
  let rootLocal = '';
  let rootNs = '';
  const templateIds: TemplateId[] = [];
  let body: ScanResult['body'] = null;
  /** The level of the ClinicalDocument element (1 at the root, 2 in a self-presenting stylesheet), once seen. */
  let cdaLevel = 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    if (lt < 0) break;
    const c1 = text[lt + 1];
    if (c1 === '!') {
      if (text.startsWith('<!--', lt)) {
        const end = text.indexOf('-->', lt + 4);
        if (end < 0) return { ok: false, reason: 'not well-formed XML: unterminated comment', line: lineAt(text, lt) };
        i = end + 3;
        continue;
      }
      if (text.startsWith('<![CDATA[', lt)) {
        const end = text.indexOf(']]>', lt + 9);
        if (end < 0) return { ok: false, reason: 'not well-formed XML: unterminated CDATA section', line: lineAt(text, lt) };
        i = end + 3;
        continue;
      }
      const word = /^<!([A-Za-z]+)/.exec(text.slice(lt, lt + 12));
      const what = word ? word[1].toUpperCase() : 'markup';
      return {
        ok: false,
        reason: `refused: a ${what} declaration (DOCTYPE and entity declarations are not accepted in a CDA document)`,
        line: lineAt(text, lt),
      };
    }
    if (c1 === '?') {
      const end = text.indexOf('?>', lt + 2);
      if (end < 0) return { ok: false, reason: 'not well-formed XML: unterminated processing instruction', line: lineAt(text, lt) };
      i = end + 2;
      continue;
    }
    // a tag: find its end, skipping quoted attribute values
    let j = lt + 1;
    let quote = '';
    for (; j < n; j++) {
      const ch = text[j];
      if (quote) {
        if (ch === quote) quote = '';
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '>') break;
    }
    if (j >= n) return { ok: false, reason: 'not well-formed XML: unterminated tag', line: lineAt(text, lt) };
    const tag = text.slice(lt + 1, j);
    i = j + 1;
    if (tag.startsWith('/')) {
      if (depth > 0) {
        depth--;
        path.pop();
        scopes.pop();
      }
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const nameEnd = tag.search(/[\s/]|$/);
    const qname = tag.slice(0, nameEnd);
    const attrs: Record<string, string> = {};
    let scope = scopes[scopes.length - 1];
    if (nameEnd < tag.length) {
      ATTR.lastIndex = 0;
      const rest = tag.slice(nameEnd);
      for (let m = ATTR.exec(rest); m; m = ATTR.exec(rest)) {
        const value = m[2] ?? m[3] ?? '';
        attrs[m[1]] = value;
        if (m[1] === 'xmlns' || m[1].startsWith('xmlns:')) {
          if (scope === scopes[scopes.length - 1]) scope = { ...scope };
          scope[m[1] === 'xmlns' ? '' : m[1].slice(6)] = value;
        }
      }
    }
    const colon = qname.indexOf(':');
    const local = colon >= 0 ? qname.slice(colon + 1) : qname;
    const ns = scope[colon >= 0 ? qname.slice(0, colon) : ''] ?? '';
    const level = depth + 1;
    if (level > max) max = level;
    if (level > maxDepth) return { ok: false, reason: `refused: elements nested deeper than ${maxDepth} levels`, line: lineAt(text, lt) };
    const insideCda = cdaLevel > 0 && path.length >= cdaLevel && path[cdaLevel - 1] === 'ClinicalDocument';
    if (level === 1 && !rootLocal) {
      rootLocal = local;
      rootNs = ns;
      if (local === 'ClinicalDocument' && ns === CDA_NS) cdaLevel = 1;
    } else if (
      level === 2 &&
      !cdaLevel &&
      local === 'ClinicalDocument' &&
      ns === CDA_NS &&
      rootNs === XSLT_NS &&
      (rootLocal === 'stylesheet' || rootLocal === 'transform')
    ) {
      cdaLevel = 2;
    } else if (insideCda && level === cdaLevel + 1 && local === 'templateId' && ns === CDA_NS) {
      templateIds.push({ root: attrs.root ?? '', extension: attrs.extension ?? null });
    } else if (
      insideCda &&
      level === cdaLevel + 2 &&
      body === null &&
      path[cdaLevel] === 'component' &&
      ns === CDA_NS &&
      (local === 'structuredBody' || local === 'nonXMLBody')
    ) {
      body = local;
    }
    if (!selfClosing) {
      depth = level;
      path.push(local);
      scopes.push(scope);
    }
  }
  if (!rootLocal) return { ok: false, reason: 'not XML: no root element', line: null };
  const clinicalDocument = cdaLevel === 1 ? 'root' : cdaLevel === 2 ? 'in-stylesheet' : null;
  return { ok: true, rootLocal, rootNs, templateIds, body, clinicalDocument, maxDepth: max };
}
