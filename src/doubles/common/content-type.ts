/**
 * Content-Type headers, parsed by Node's own WHATWG MIME type parser (util.MIMEType): the type
 * lower-cased, parameter names lower-cased, quoted values unquoted, the first of a repeated
 * parameter kept. A header that does not parse gives type '' (and no parameters).
 */
import { MIMEType } from 'node:util';

export interface ContentType {
  /** "type/subtype", lower-cased; '' when absent or unreadable. */
  type: string;
  params: Record<string, string>;
}

export function parseContentType(value: string | undefined): ContentType {
  try {
    const mime = new MIMEType(value ?? '');
    return { type: mime.essence, params: Object.fromEntries(mime.params) };
  } catch {
    return { type: '', params: {} };
  }
}
