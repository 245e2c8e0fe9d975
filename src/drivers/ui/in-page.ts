/**
 * What the ui driver reads from a screen, in one round trip: a plan of values, presences,
 * checkboxes, select options and row groups, evaluated inside the page. Only what is visible
 * counts (an element without layout boxes is not "shown"). Kept free of imports and helpers
 * from outside: Playwright serialises the function into the page.
 */
import type { ValueSpec } from './selector-map';

/** How one value is read; `name` (the map key) is what an error names. */
export interface NormSpec {
  name?: string;
  css?: string;
  attr?: string;
  pattern?: string;
  map?: Record<string, string>;
}
export interface ReadPlan {
  values?: Record<string, NormSpec>;
  present?: Record<string, string>;
  checked?: Record<string, string>;
  options?: Record<string, string>;
  groups?: Record<string, { css: string; fields: Record<string, NormSpec>; flag?: string }>;
}
export interface GroupRow {
  fields: Record<string, string | null>;
  flagged: boolean;
  style: string;
}
export interface ReadResult {
  values: Record<string, string | null>;
  present: Record<string, number>;
  checked: Record<string, boolean | null>;
  options: Record<string, string[] | null>;
  groups: Record<string, GroupRow[]>;
  /** Selectors that matched several elements where one was expected. */
  ambiguous: string[];
  /** Words shown that a value's `map` does not list. */
  unmapped: string[];
  url: string;
  screen: string;
}

/** The reading of a map value (`name` is its key, for errors). */
export const norm = (s: ValueSpec | undefined, name?: string): NormSpec | undefined =>
  s === undefined ? undefined : { ...(typeof s === 'string' ? { css: s } : s), ...(name ? { name } : {}) };

export function readInPage(plan: ReadPlan): ReadResult {
  const ambiguous: string[] = [];
  const unmapped: string[] = [];
  const visible = (e: Element) => (e as HTMLElement).getClientRects().length > 0;
  const all = (root: ParentNode, css: string) => Array.from(root.querySelectorAll(css)).filter(visible);
  const clean = (s: string | null | undefined) => (s == null ? null : s.replace(/\s+/g, ' ').trim());
  const readOne = (root: Element | Document, key: string, spec: NormSpec): string | null => {
    let el: Element | null = root instanceof Document ? root.documentElement : root;
    if (spec.css) {
      const found = all(root, spec.css);
      if (found.length === 0) return null;
      if (found.length > 1) ambiguous.push(`${spec.name ?? key} (${spec.css}) matched ${found.length} elements`);
      el = found[0];
    }
    let value = clean(spec.attr ? el.getAttribute(spec.attr) : ((el as HTMLElement).innerText ?? el.textContent));
    if (value != null && spec.pattern) {
      const match = new RegExp(spec.pattern).exec(value);
      value = match ? (match[1] ?? match[0]) : null;
    }
    if (value != null && spec.map) {
      // The words shown, as the map's table reads them (exact text, spaces collapsed).
      const nfc = (x: string) => x.normalize('NFC');
      const hit = Object.entries(spec.map).find(([shown]) => nfc(clean(shown) ?? '') === nfc(value as string));
      if (!hit) {
        unmapped.push(
          `${spec.name ?? key} shows « ${value} », which its map does not list (${Object.keys(spec.map)
            .map((k) => `« ${k} »`)
            .join(', ')})`,
        );
        return null;
      }
      value = hit[1];
    }
    return value;
  };
  const styleOf = (el: Element | null) => {
    if (!el) return '';
    const style = getComputedStyle(el);
    return [
      style.backgroundColor,
      style.color,
      style.fontWeight,
      style.fontStyle,
      style.outlineStyle,
      style.outlineColor,
      style.borderTopStyle,
      style.borderTopColor,
      style.textDecorationLine,
    ].join('|');
  };
  const result: ReadResult = {
    values: {},
    present: {},
    checked: {},
    options: {},
    groups: {},
    ambiguous,
    unmapped,
    url: location.href,
    screen: document.title,
  };
  for (const [k, s] of Object.entries(plan.values ?? {})) result.values[k] = readOne(document, k, s);
  for (const [k, css] of Object.entries(plan.present ?? {})) result.present[k] = all(document, css).length;
  for (const [k, css] of Object.entries(plan.checked ?? {})) {
    const found = all(document, css);
    if (found.length > 1) ambiguous.push(`${k} (${css}) matched ${found.length} elements`);
    result.checked[k] = found.length ? !!(found[0] as HTMLInputElement).checked : null;
  }
  for (const [k, css] of Object.entries(plan.options ?? {})) {
    const found = all(document, css);
    if (found.length > 1) ambiguous.push(`${k} (${css}) matched ${found.length} elements`);
    const sel = found[0] as HTMLSelectElement | undefined;
    result.options[k] = sel
      ? Array.from(sel.options)
          .filter((o) => o.value !== '')
          .map((o) => clean(o.label || o.text) ?? '')
      : null;
  }
  for (const [k, g] of Object.entries(plan.groups ?? {})) {
    result.groups[k] = all(document, g.css).map((row) => {
      const fields: Record<string, string | null> = {};
      for (const [f, s] of Object.entries(g.fields)) fields[f] = readOne(row, `${k}.${f}`, s);
      const flagged = !!g.flag && (row.matches(g.flag) || !!row.querySelector(g.flag));
      const cell = row.firstElementChild;
      return { fields, flagged, style: `${styleOf(row)}#${styleOf(cell)}#${styleOf(cell?.nextElementSibling ?? null)}` };
    });
  }
  return result;
}
