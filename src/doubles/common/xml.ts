/**
 * Safe XML handling for the SOAP doubles (INSi, DMP): DTD rejection, well-formedness check, parsing into a small
 * namespace-resolved tree, and escaping.
 *
 * fast-xml-parser is used with processEntities:false, so no entity (internal or external) is ever
 * expanded; DOCTYPE/ENTITY declarations are refused before the parser even sees the text.
 * Prefixes are kept (removeNSPrefix:false) and resolved here, because the double must tell a SOAP 1.1
 * envelope from a SOAP 1.2 one and check the namespace of the body element.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  ns: string | null;
  local: string;
  attrs: Record<string, string>; // qualified attribute name -> decoded value (xmlns declarations included)
  children: XmlElement[];
  text: string; // concatenated, decoded, trimmed text content of this element only
}

export class XmlInputError extends Error {}

const DTD_PATTERN = /<!\s*(DOCTYPE|ENTITY)/i;

/** True when the text declares a DTD or an entity (rejected whatever its position, even in CDATA). */
export function declaresDtd(text: string): boolean {
  return DTD_PATTERN.test(text);
}

export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** Decodes only the five predefined entities and character references; anything else is left verbatim. */
export function decodeXmlText(value: string): string {
  return value.replace(/&(lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, (whole, name: string) => {
    switch (name) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const code = name.startsWith('#x') ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: false,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type OrderedNode = Record<string, unknown>;

/** Parses a document; throws XmlInputError with a readable message when it is refused or malformed. */
export function parseXml(text: string): XmlElement {
  if (declaresDtd(text)) throw new XmlInputError('DTD and entity declarations are not accepted');
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw new XmlInputError(`Malformed XML: ${msg} (line ${line}, column ${col})`);
  }
  const nodes = parser.parse(text) as OrderedNode[];
  const roots = nodes.filter((n) => elementName(n) !== null);
  if (roots.length !== 1) throw new XmlInputError('Malformed XML: expected exactly one root element');
  return toElement(roots[0], new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
}

function elementName(node: OrderedNode): string | null {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text') ?? null;
}

function toElement(node: OrderedNode, inherited: Map<string, string>): XmlElement {
  const qname = elementName(node) as string;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const attrs: Record<string, string> = {};
  const scope = new Map(inherited);
  for (const [name, value] of Object.entries(rawAttrs)) {
    const decoded = decodeXmlText(String(value));
    attrs[name] = decoded;
    if (name === 'xmlns') scope.set('', decoded);
    else if (name.startsWith('xmlns:')) scope.set(name.slice(6), decoded);
  }
  const colon = qname.indexOf(':');
  const prefix = colon >= 0 ? qname.slice(0, colon) : '';
  const local = colon >= 0 ? qname.slice(colon + 1) : qname;
  const ns = scope.get(prefix) || null;
  if (prefix && ns === null) throw new XmlInputError(`Malformed XML: undeclared namespace prefix "${prefix}"`);
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[qname] ?? []) as OrderedNode[]) {
    if ('#text' in child) text += String(child['#text']);
    else if (elementName(child) !== null) children.push(toElement(child, scope));
  }
  return { ns, local, attrs, children, text: decodeXmlText(text).trim() };
}

/** First child with this local name (and namespace, when given). */
export function child(el: XmlElement | undefined, local: string, ns?: string): XmlElement | undefined {
  return el?.children.find((c) => c.local === local && (ns === undefined || c.ns === ns));
}

export function childText(el: XmlElement | undefined, local: string): string | undefined {
  const found = child(el, local);
  return found ? found.text : undefined;
}
