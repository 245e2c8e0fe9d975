/**
 * Just enough MIME for MTOM/XOP (multipart/related, RFC 2387 + XOP): part splitting on the boundary,
 * part headers, Content-Transfer-Encoding, cid: references; and the single-part MTOM answer.
 *
 * Hand-written on purpose. The multipart parsers on npm (busboy, formidable, dicer) read
 * multipart/form-data uploads: they know no root part named by `start`, no Content-ID to resolve an
 * xop:Include against, and they either reject or silently repair what real clients send — the DRIMbox
 * publication sample indents its boundary delimiters and part headers. Here such deviations are
 * tolerated and reported as anomalies (evidence for the reviewer), never silently; and a truncated
 * body or a broken part is a clear fault. Content-Type headers are parsed by Node (common/content-type.ts).
 */
import { parseContentType, type ContentType } from '../common/content-type';

export { parseContentType, type ContentType } from '../common/content-type';

export class MimeError extends Error {}

export interface MimePart {
  index: number;
  headers: Record<string, string>; // lower-cased names
  contentId?: string; // without angle brackets
  contentType: ContentType;
  transferEncoding: string; // lower-cased, 'binary' when absent
  body: Buffer; // decoded content
}

export interface Multipart {
  parts: MimePart[];
  anomalies: string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Strips `<...>` around a Content-ID / start parameter. */
export function bareContentId(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1).trim() : trimmed;
}

/**
 * Splits a multipart body. Throws MimeError when the boundary never occurs, when the closing delimiter
 * is missing (a truncated body), when a part has no header/body separator or an unsupported or broken
 * Content-Transfer-Encoding.
 */
export function splitMultipart(body: Buffer, boundary: string): Multipart {
  if (!boundary) throw new MimeError('multipart/related without a boundary parameter');
  if (boundary.length > 200) throw new MimeError('MIME boundary longer than 200 characters');
  const anomalies: string[] = [];
  // latin1 maps bytes 1:1 to UTF-16 code units, so string offsets are byte offsets.
  const text = body.toString('latin1');
  const delimiter = new RegExp(`(?:^|\\r?\\n)([ \\t]*)--${escapeRegExp(boundary)}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const marks: Array<{ start: number; end: number; close: boolean; indent: string }> = [];
  for (let m = delimiter.exec(text); m; m = delimiter.exec(text)) {
    marks.push({ start: m.index, end: m.index + m[0].length, close: m[2] === '--', indent: m[1] });
    if (m[2] === '--') break;
    // A delimiter consumed the line end that may begin the next one: step back over it.
    if (m[0].endsWith('\n')) delimiter.lastIndex = m.index + m[0].length - (m[0].endsWith('\r\n') ? 2 : 1);
  }
  if (marks.length === 0) throw new MimeError(`the boundary "${boundary}" does not occur in the body`);
  if (!marks[marks.length - 1].close) throw new MimeError(`no closing delimiter "--${boundary}--" (truncated body?)`);
  if (marks.some((m) => m.indent !== '')) anomalies.push('MIME boundary delimiters are indented (not RFC 2046 conformant); tolerated');

  const parts: MimePart[] = [];
  for (let i = 0; i + 1 < marks.length; i++) {
    // marks[i].end is just after the delimiter line's own line end; the CRLF before the next delimiter
    // belongs to that delimiter (RFC 2046 §5.1.1), so it is not part of the content.
    parts.push(parsePart(body, text, marks[i].end, marks[i + 1].start, i, anomalies));
  }
  if (parts.length === 0) throw new MimeError('the multipart body has no part');
  return { parts, anomalies };
}

function parsePart(body: Buffer, text: string, from: number, to: number, index: number, anomalies: string[]): MimePart {
  const headers: Record<string, string> = {};
  let pos = from;
  let sawIndentedHeader = false;
  let lastName: string | null = null;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0 || nl >= to) throw new MimeError(`MIME part #${index + 1} has no blank line between its headers and its content`);
    const line = text.slice(pos, nl).replace(/\r$/, '');
    pos = nl + 1;
    if (line.trim() === '') break;
    const header = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*:(.*)$/.exec(line);
    if (header) {
      if (/^\s/.test(line)) sawIndentedHeader = true;
      lastName = header[1].toLowerCase();
      headers[lastName] = Buffer.from(header[2].trim(), 'latin1').toString('utf8');
    } else if (lastName && /^\s/.test(line)) {
      headers[lastName] += ' ' + line.trim(); // folded header
    } else {
      throw new MimeError(`MIME part #${index + 1}: malformed header line "${line.slice(0, 80)}"`);
    }
  }
  if (sawIndentedHeader) anomalies.push(`MIME part #${index + 1}: indented header lines; tolerated`);
  const rawContent = body.subarray(pos, to);
  const transferEncoding = (headers['content-transfer-encoding'] ?? 'binary').trim().toLowerCase();
  let decoded: Buffer;
  switch (transferEncoding) {
    case 'binary':
    case '8bit':
    case '7bit':
      decoded = rawContent;
      break;
    case 'base64':
      decoded = decodeBase64(rawContent.toString('latin1'), `MIME part #${index + 1}`);
      break;
    default:
      throw new MimeError(`MIME part #${index + 1}: unsupported Content-Transfer-Encoding "${transferEncoding}"`);
  }
  const cid = headers['content-id'];
  return {
    index,
    headers,
    contentId: cid === undefined ? undefined : bareContentId(cid),
    contentType: parseContentType(headers['content-type']),
    transferEncoding,
    body: decoded,
  };
}

/** Strict base64 (whitespace allowed): anything else is an error rather than silently skipped bytes. */
export function decodeBase64(text: string, what: string): Buffer {
  const compact = text.replace(/[\s]+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new MimeError(`${what}: content is not valid base64`);
  }
  return Buffer.from(compact, 'base64');
}

/** Resolves an XOP `cid:` reference (RFC 2392: URL-encoded Content-ID) against the parts. */
export function findByCid(parts: MimePart[], href: string): MimePart | undefined {
  if (!/^cid:/i.test(href)) return undefined;
  let id = href.slice(4);
  try {
    id = decodeURIComponent(id);
  } catch {
    /* keep it verbatim */
  }
  id = bareContentId(id);
  return parts.find((p) => p.contentId === id) ?? parts.find((p) => p.contentId?.toLowerCase() === id.toLowerCase());
}

export interface MultipartOut {
  contentType: string;
  body: Buffer;
}

/** A single-part MTOM message wrapping a SOAP 1.2 envelope, shaped like the DMP's own answers. */
export function mtomEnvelope(xml: string, boundary: string, action?: string): MultipartOut {
  const rootId = 'root.message@vigie.double';
  const actionParam = action ? `; action="${action}"` : '';
  const body =
    `--${boundary}\r\n` +
    `Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"${actionParam}\r\n` +
    'Content-Transfer-Encoding: binary\r\n' +
    `Content-ID: <${rootId}>\r\n\r\n` +
    `${xml}\r\n--${boundary}--\r\n`;
  return {
    contentType: `multipart/related; type="application/xop+xml"; boundary="${boundary}"; start="<${rootId}>"; start-info="application/soap+xml"`,
    body: Buffer.from(body, 'utf8'),
  };
}
