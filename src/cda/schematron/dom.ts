import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

/** A small, namespace-aware element tree, enough for Schematron sources. Comments and PIs are dropped. */
export interface XEl {
  kind: 'el';
  /** The name as written (with its prefix, if any). */
  qname: string;
  local: string;
  /** Namespace URI ('' when none). */
  ns: string;
  /** Attributes as written (xmlns declarations included), values with entities resolved. */
  attrs: Record<string, string>;
  children: XNode[];
  /** Namespace bindings in scope on this element (prefix '' = default namespace). */
  scope: Record<string, string>;
  /** The file the element was read from (includes keep their own file, for relative hrefs). */
  file: string;
}
export interface XText {
  kind: 'text';
  text: string;
}
export type XNode = XEl | XText;

export const SCH_NS = 'http://purl.oclc.org/dsdl/schematron';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: true,
  ignorePiTags: true,
  ignoreDeclaration: true,
});

type Raw = Record<string, unknown>;

function build(raw: Raw, parentScope: Record<string, string>, file: string): XNode | null {
  if ('#text' in raw) return { kind: 'text', text: String(raw['#text']) };
  const qname = Object.keys(raw).find((k) => k !== ':@');
  if (!qname || qname.startsWith('?') || qname === '#comment') return null;
  const attrs: Record<string, string> = {};
  const rawAttrs = (raw[':@'] ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = String(v);
  let scope = parentScope;
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (scope === parentScope) scope = { ...parentScope };
      scope[k === 'xmlns' ? '' : k.slice(6)] = v;
    }
  }
  const colon = qname.indexOf(':');
  const prefix = colon >= 0 ? qname.slice(0, colon) : '';
  const local = colon >= 0 ? qname.slice(colon + 1) : qname;
  const el: XEl = { kind: 'el', qname, local, ns: scope[prefix] ?? '', attrs, children: [], scope, file };
  for (const c of (raw[qname] as Raw[]) ?? []) {
    const n = build(c, scope, file);
    if (n) el.children.push(n);
  }
  return el;
}

/** Parses an XML file into an element tree; throws with the file name on malformed input. */
export function parseXmlFile(file: string): XEl {
  const text = readFileSync(file, 'utf8');
  return parseXmlText(text, file);
}

export function parseXmlText(text: string, file: string): XEl {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Error(`${file}: DOCTYPE/ENTITY declarations are not accepted in rule files`);
  let raws: Raw[];
  try {
    raws = parser.parse(text) as Raw[];
  } catch (e) {
    throw new Error(`${file}: not well-formed XML: ${(e as Error).message}`);
  }
  for (const r of raws) {
    const n = build(r, { xml: 'http://www.w3.org/XML/1998/namespace' }, file);
    if (n && n.kind === 'el') return n;
  }
  throw new Error(`${file}: no root element`);
}

export function elements(el: XEl): XEl[] {
  return el.children.filter((c): c is XEl => c.kind === 'el');
}

export function isSch(n: XNode, local?: string): boolean {
  return n.kind === 'el' && n.ns === SCH_NS && (local === undefined || n.local === local);
}

export function schChildren(el: XEl, local?: string): XEl[] {
  return el.children.filter((c): c is XEl => c.kind === 'el' && isSch(c, local));
}

/** Deep copy; `mapAttr`/`mapText` may rewrite attribute values and text nodes on the way. */
export function cloneEl(el: XEl, mapAttr?: (name: string, v: string) => string, mapText?: (t: string) => string): XEl {
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(el.attrs)) attrs[k] = mapAttr ? mapAttr(k, v) : v;
  return {
    ...el,
    attrs,
    children: el.children.map((c) =>
      c.kind === 'text' ? { kind: 'text', text: mapText ? mapText(c.text) : c.text } : cloneEl(c, mapAttr, mapText),
    ),
  };
}

export function textContent(n: XNode): string {
  return n.kind === 'text' ? n.text : n.children.map(textContent).join('');
}
