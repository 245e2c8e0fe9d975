import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Parses XML that came from a target, safely: any DOCTYPE or ENTITY declaration is refused
 * before parsing (no entity expansion, no external entity), size is bounded, and a malformed
 * document is an error with the parser's reason.
 */
export function parseXmlSafely(input: Buffer | string, maxBytes = 50 * 1024 * 1024): Record<string, unknown> {
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (Buffer.byteLength(text) > maxBytes) throw new Error(`XML larger than ${maxBytes} bytes`);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Error('XML with a DOCTYPE or entity declaration is refused');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, processEntities: false }).parse(
    text,
  ) as Record<string, unknown>;
}

/** How many elements of this local name the parsed tree holds (at any depth). */
export function countElements(node: unknown, name: string): number {
  if (Array.isArray(node)) return node.reduce((n, x) => n + countElements(x, name), 0);
  if (!node || typeof node !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === name) n += Array.isArray(v) ? v.length : 1;
    n += countElements(v, name);
  }
  return n;
}

/** How many `child` elements sit directly under a `parent` element (at any depth), e.g. entry/substanceAdministration. */
export function countChildren(node: unknown, parent: string, child: string): number {
  if (Array.isArray(node)) return node.reduce((n, x) => n + countChildren(x, parent, child), 0);
  if (!node || typeof node !== 'object') return 0;
  let n = 0;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === parent) {
      for (const p of Array.isArray(v) ? v : [v]) {
        const children = p && typeof p === 'object' ? (p as Record<string, unknown>)[child] : undefined;
        if (children !== undefined) n += Array.isArray(children) ? children.length : 1;
      }
    }
    n += countChildren(v, parent, child);
  }
  return n;
}
