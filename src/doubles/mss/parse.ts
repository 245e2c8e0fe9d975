/**
 * A received message as the double reads it: mailparser's view (subject, ids, addresses, text,
 * attachments) within a time limit, the headers read from the raw bytes (readRawHeaders, which never
 * fails), and what the rules need even when mailparser gave up (subject as sent, body text, refs).
 */
import { simpleParser, type AddressObject } from 'mailparser';
import { exactHeader, messageIds, readRawHeaders } from './mime';
import type { MssParsed } from './types';

export interface ReadMessage {
  parsed?: MssParsed;
  /** Set when mailparser could not parse the message (or gave no result in time). */
  parseError?: string;
  headers: Record<string, string>;
  /** Decoded. */
  subject: string | undefined;
  /** MSS-07 compares the subject as sent (trailing white space included); encoded words are compared decoded. */
  exactSubject: string | undefined;
  /** The text body (the raw body when mailparser could not read the message), for the TEST check. */
  text: string;
  messageId: string | undefined;
  /** Message-IDs of In-Reply-To then References. */
  refs: string[];
}

export async function readMessage(raw: Buffer, parseTimeoutMs: number): Promise<ReadMessage> {
  const { parsed, parseError } = await parse(raw, parseTimeoutMs);
  const headers = parsed?.headers ?? readRawHeaders(raw);
  const subject = parsed?.subject ?? headers['subject'];
  const rawSubject = exactHeader(raw, 'subject');
  return {
    ...(parsed ? { parsed } : {}),
    ...(parseError !== undefined ? { parseError } : {}),
    headers,
    subject,
    exactSubject: rawSubject !== undefined && rawSubject.includes('=?') ? subject : rawSubject,
    text: parsed?.text ?? rawBody(raw),
    messageId: parsed?.messageId ?? headers['message-id'],
    refs: [...messageIds(parsed?.inReplyTo ?? headers['in-reply-to']), ...messageIds(parsed?.references ?? headers['references'])],
  };
}

/** mailparser's view of the message, or why there is none (its error, or no result within parseTimeoutMs). */
export async function parse(raw: Buffer, parseTimeoutMs: number): Promise<{ parsed?: MssParsed; parseError?: string }> {
  const headers = readRawHeaders(raw);
  let timer: NodeJS.Timeout | undefined;
  try {
    const parsing = simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
    parsing.catch(() => undefined); // may settle after a timeout
    const mail = await Promise.race([
      parsing,
      new Promise<never>((_, reject) => {
        // eslint-disable-next-line no-restricted-syntax -- the parse's bound: cleared in finally
        timer = setTimeout(() => reject(new Error(`mailparser gave no result within ${parseTimeoutMs} ms`)), parseTimeoutMs);
      }),
    ]);
    const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
      (a === undefined ? [] : Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((v) => v.address ?? '')).filter(Boolean);
    const parsed: MssParsed = {
      headers,
      attachments: mail.attachments.map((a) => ({
        ...(a.filename !== undefined ? { filename: a.filename } : {}),
        contentType: a.contentType,
        size: a.size,
        content: a.content,
      })),
    };
    if (mail.subject !== undefined) parsed.subject = mail.subject;
    if (mail.messageId !== undefined) parsed.messageId = mail.messageId;
    if (mail.inReplyTo !== undefined) parsed.inReplyTo = mail.inReplyTo;
    if (mail.references !== undefined) parsed.references = messageIds(mail.references).map((r) => `<${r}>`);
    const from = mail.from?.value[0]?.address;
    if (from) parsed.from = from;
    parsed.to = addresses(mail.to);
    if (mail.text !== undefined) parsed.text = mail.text;
    return { parsed };
  } catch (err) {
    return { parseError: err instanceof Error ? err.message : String(err) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** The body of a message mailparser could not read, as text (for the TEST check only). */
function rawBody(raw: Buffer): string {
  const text = raw.toString('latin1');
  const sep = /\r?\n\r?\n/.exec(text);
  return sep ? text.slice(sep.index + sep[0].length) : '';
}
