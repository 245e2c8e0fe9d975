/**
 * Reading a message as it arrived, where mailparser (src/doubles/mss/parse.ts) does not help:
 * - readRawHeaders: the header block of a message mailparser gave up on (broken MIME, 8-bit garbage,
 *   its time limit), never throwing — mailparser exposes no header reader of its own;
 * - exactHeader: a header value as sent, trailing white space kept (MSS-07: "[FIN] " is not "[FIN]"),
 *   which every parser trims;
 * - Message-IDs and addresses named in headers (addresses through nodemailer's addressparser).
 */
import addressparser from 'nodemailer/lib/addressparser';

/** The header block of a raw message (up to the first empty line), as bytes. */
export function headerBlock(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf >= 0 ? crlf + 2 : -1, lf >= 0 ? lf + 1 : -1].filter((i) => i >= 0);
  return ends.length ? raw.subarray(0, Math.min(...ends)) : raw;
}

/** Reads headers without ever throwing: unfolded, lower-cased names, repeated headers joined with "\n". */
export function readRawHeaders(raw: Buffer): Record<string, string> {
  const block = headerBlock(raw);
  const text = block.toString('utf8').includes('\ufffd') ? block.toString('latin1') : block.toString('utf8');
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  const logical: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && logical.length) logical[logical.length - 1] += ` ${line.trim()}`;
    else if (line !== '') logical.push(line);
  }
  for (const l of logical) {
    const colon = l.indexOf(':');
    if (colon <= 0) continue;
    const name = l.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    const value = l.slice(colon + 1).trim();
    out[name] = name in out ? `${out[name]}\n${value}` : value;
  }
  return out;
}

/** Message-IDs named in a header value (In-Reply-To, References), without angle brackets. */
export function messageIds(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const ids = [...text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (ids.length) return ids;
  return text.split(/\s+/).filter((t) => t.includes('@'));
}

export function bareId(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

/** The first address in an address header ("Name <a@b>" or "a@b"). */
export function firstAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const first = addressparser(value, { flatten: true }).find((a) => a.address.includes('@'));
  return first?.address;
}

/**
 * The value of a header as sent: unfolded, leading white space dropped, trailing white space KEPT
 * (MSS-07: "[FIN] " is not "[FIN]"). Undefined when absent; the first occurrence only.
 */
export function exactHeader(raw: Buffer, name: string): string | undefined {
  const text = headerBlock(raw).toString('utf8');
  const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}[ \\t]*:([^\\r\\n]*(?:\\r?\\n[ \\t][^\\r\\n]*)*)`, 'im');
  const match = re.exec(text);
  if (!match) return undefined;
  return match[1]!.replace(/\r?\n(?=[ \t])/g, '').replace(/^[ \t]+/, '');
}
