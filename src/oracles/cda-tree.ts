/**
 * Reading a parsed CDA (parseXmlSafely's tree: elements by local name, attributes as "@name",
 * text as "#text") the way the content oracles need it: sections by their LOINC code at any depth,
 * an element's whole text, and an entry's text including the narrative it references (#ID).
 */
export type XNode = Record<string, unknown>;

export const nodes = (v: unknown): XNode[] =>
  v === undefined || v === null ? [] : ((Array.isArray(v) ? v : [v]).filter((x) => x && typeof x === 'object') as XNode[]);
export const first = (n: XNode | undefined, k: string): XNode | undefined => nodes(n?.[k])[0];
export const attr = (n: XNode | undefined, a: string): string | undefined => {
  const value = n?.['@' + a];
  return value === undefined || value === null ? undefined : String(value);
};

/** Every text under a node, in document order as far as the tree keeps it, joined by spaces. */
export function textOf(node: unknown, out: string[] = []): string {
  if (Array.isArray(node)) for (const x of node) textOf(x, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as XNode)) if (!k.startsWith('@')) textOf(v, out);
  } else if (node !== undefined && node !== null && node !== '') out.push(String(node));
  return out.join(' ');
}

/** The text of each element of a child list (elements that are plain text included). */
export const textsOf = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]).map((x) => textOf(x));

/** Every descendant element of this local name (the node itself excluded). */
export function descendants(node: unknown, name: string, out: XNode[] = []): XNode[] {
  if (Array.isArray(node)) for (const x of node) descendants(x, name, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as XNode)) {
      if (k.startsWith('@') || k === '#text') continue;
      if (k === name) out.push(...nodes(v));
      descendants(v, name, out);
    }
  }
  return out;
}

/** The text of every descendant element of this local name, elements that hold only text included. */
export function descendantTexts(node: unknown, name: string, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) descendantTexts(x, name, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as XNode)) {
      if (k.startsWith('@') || k === '#text') continue;
      if (k === name) out.push(...textsOf(v));
      descendantTexts(v, name, out);
    }
  }
  return out;
}

/** The narrative elements carrying an ID attribute, by ID, with their text. */
export function narrativeIds(root: unknown): Map<string, string> {
  const ids = new Map<string, string>();
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as XNode;
    const id = attr(n, 'ID');
    if (id) ids.set(id, textOf(n));
    for (const [k, v] of Object.entries(n)) if (!k.startsWith('@')) walk(v);
  };
  walk(root);
  return ids;
}

/** An entry's own text plus the narrative it points to (reference/@value="#id"). */
export function entryText(entry: XNode, ids: Map<string, string>): string {
  const refs = descendants(entry, 'reference')
    .map((r) => attr(r, 'value'))
    .filter((v): v is string => !!v && v.startsWith('#'));
  return [textOf(entry), ...refs.map((r) => ids.get(r.slice(1)) ?? '')].join(' ');
}

/** Sections (at any depth) whose code/@code is one of `codes`. */
export function sectionsCoded(root: unknown, codes: string[]): XNode[] {
  return descendants(root, 'section').filter((s) => codes.includes(attr(first(s, 'code'), 'code') ?? ''));
}

/** The ClinicalDocument element of a parsed tree (or undefined: not a CDA document). */
export const clinicalDocument = (tree: XNode): XNode | undefined => first(tree, 'ClinicalDocument');
