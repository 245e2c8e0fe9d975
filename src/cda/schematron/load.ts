import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cloneEl, isSch, parseXmlFile, schChildren, XEl, XNode } from './dom';

/**
 * Loading a Schematron schema the way the ISO pre-processing chain does it (include, then abstract
 * pattern expansion), written from the ISO/IEC 19757-3 semantics:
 *  - `<include href="f[#id]">` is replaced by the included document's root element when it is a
 *    Schematron element (or by its Schematron children otherwise; by the element with that id when a
 *    fragment is given), relative to the file holding the include, recursively. A file that cannot
 *    be read is skipped with a warning (as the reference chain does: its XSLT 1 `document()` recovers).
 *  - `<pattern is-a="a" id="i"><param name value/>…` becomes a copy of every pattern with id `a`,
 *    with id `i`, where `$name` is replaced textually (parameters in document order) in the
 *    `test`, `context`, `select` and `path` attributes and in the text of every descendant.
 *    Abstract patterns are removed.
 */
export interface LoadedSchema {
  schema: XEl;
  /** Every file read (main file first), absolute paths. */
  files: string[];
  warnings: string[];
}

export function loadSchema(mainFile: string): LoadedSchema {
  const files: string[] = [];
  const warnings: string[] = [];
  const cache = new Map<string, XEl | null>();
  const read = (f: string): XEl | null => {
    if (cache.has(f)) return cache.get(f)!;
    let el: XEl | null = null;
    if (!existsSync(f)) warnings.push(`included file not found: ${f}`);
    else {
      try {
        el = parseXmlFile(f);
        files.push(f);
      } catch (e) {
        warnings.push(`included file unreadable: ${(e as Error).message}`);
      }
    }
    cache.set(f, el);
    return el;
  };
  const main = resolve(mainFile);
  const root = read(main);
  if (!root) throw new Error(warnings.join('; ') || `cannot read ${main}`);
  if (!isSch(root, 'schema')) throw new Error(`${main}: the root element is not an ISO Schematron <schema>`);
  const included = expandIncludes(root, read, [main]);
  const expanded = expandAbstractPatterns(included);
  return { schema: expanded, files, warnings };
}

function expandIncludes(el: XEl, read: (f: string) => XEl | null, stack: string[]): XEl {
  const children: XNode[] = [];
  for (const c of el.children) {
    if (c.kind === 'el' && isSch(c, 'include')) {
      const href = (c.attrs.href ?? '').trim();
      if (!href) continue;
      const [docPart, frag] = href.split('#', 2);
      const target = docPart ? resolve(dirname(c.file), decodeURI(docPart)) : c.file;
      if (stack.includes(target) && !frag) throw new Error(`include cycle: ${[...stack, target].join(' -> ')}`);
      const doc = docPart ? read(target) : read(c.file);
      if (!doc) continue;
      let parts: XEl[];
      if (frag) {
        const found = findById(doc, frag);
        parts = found ? [found] : [];
      } else if (isSch(doc)) parts = [doc];
      else parts = schChildren(doc);
      for (const p of parts) children.push(expandIncludes(p, read, [...stack, target]));
    } else if (c.kind === 'el') children.push(expandIncludes(c, read, stack));
    else children.push(c);
  }
  return { ...el, children };
}

function findById(el: XEl, id: string): XEl | null {
  if (isSch(el) && el.attrs.id === id) return el;
  for (const c of el.children) {
    if (c.kind === 'el') {
      const found = findById(c, id);
      if (found) return found;
    }
  }
  return null;
}

function allPatterns(el: XEl, out: XEl[] = []): XEl[] {
  if (isSch(el, 'pattern')) out.push(el);
  for (const c of el.children) if (c.kind === 'el') allPatterns(c, out);
  return out;
}

const MACRO_ATTRS = new Set(['test', 'context', 'select', 'path']);

function expandAbstractPatterns(schema: XEl): XEl {
  const patterns = allPatterns(schema);
  const walk = (el: XEl): XNode[] => {
    if (isSch(el, 'pattern') && el.attrs.abstract === 'true') return [];
    if (isSch(el, 'pattern') && el.attrs['is-a'] !== undefined) {
      const isA = el.attrs['is-a'];
      const params = schChildren(el, 'param').map((p) => ({ name: p.attrs.name ?? '', value: p.attrs.value ?? '' }));
      const expand = (s: string): string => {
        for (const p of params) if (p.name) s = s.split('$' + p.name).join(p.value);
        return s;
      };
      const callerId = el.attrs.id ?? '';
      return patterns
        .filter((p) => p.attrs.id === isA)
        .map((abs, i) => {
          const copy: XEl = {
            ...abs,
            attrs: { id: callerId || `abstract${i}-${isA}` },
            children: abs.children.map((c) =>
              c.kind === 'text' ? c : cloneEl(c, (name, v) => (MACRO_ATTRS.has(name) ? expand(v) : v), expand),
            ),
          };
          return copy;
        });
    }
    const children: XNode[] = [];
    for (const c of el.children) {
      if (c.kind === 'el') children.push(...walk(c));
      else children.push(c);
    }
    return [{ ...el, children }];
  };
  return walk(schema)[0] as XEl;
}
