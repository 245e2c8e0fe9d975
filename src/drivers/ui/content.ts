/**
 * A document's content as the target's editor takes it, from the selector map's declarative
 * templates (`newDocument.contentTemplates`): for each document type, which fields of the content,
 * one line per item, with placeholders, joined. For example the reference editor's prescription:
 *   { "items": [{ "from": "lines", "line": "{product}[ ; {dosage}]" }] }
 * Placeholders: `{product}` `{dosage}` (lines), `{vaccine}` `{code}` `{lot}` `{date}`
 * (vaccinations), `{value}` (title, text, medecinTraitant, and the items of problems, treatments,
 * allergies). A part in `[ ]` is left out when all its placeholders are empty. Nothing typed by the
 * feature is dropped: content that no template item (nor a separate field) writes is an error.
 */
import type { DocumentContent, DocumentType } from '../driver';
import type { ContentField, ContentTemplate } from './selector-map';

const PLACEHOLDERS: Record<ContentField, string[]> = {
  title: ['value'],
  text: ['value'],
  medecinTraitant: ['value'],
  problems: ['value'],
  treatments: ['value'],
  allergies: ['value'],
  lines: ['product', 'dosage'],
  vaccinations: ['vaccine', 'code', 'lot', 'date'],
};

const placeholders = (line: string) => [...line.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]);

/** Problems of the templates at load time ("<type>.items[i].line: …"); empty when they are usable. */
export function checkTemplates(templates: Record<string, ContentTemplate>): string[] {
  const out: string[] = [];
  for (const [type, t] of Object.entries(templates)) {
    t.items.forEach((it, i) => {
      const known = PLACEHOLDERS[it.from];
      for (const p of placeholders(it.line)) {
        if (!known.includes(p))
          out.push(
            `${type}.items[${i}].line: {${p}} is not a placeholder of "${it.from}" (known: ${known.map((k) => `{${k}}`).join(', ')})`,
          );
      }
      const depth = [...it.line].reduce((d, c) => (d < 0 ? d : c === '[' ? d + 1 : c === ']' ? d - 1 : d), 0);
      if (depth !== 0) out.push(`${type}.items[${i}].line: unbalanced [ ]`);
    });
  }
  return out;
}

/** The values of one item of `field`, by placeholder; empty when the content has none. */
function itemsOf(content: DocumentContent, field: ContentField): Record<string, string>[] {
  const text = (v: unknown) => (v == null ? '' : String(v));
  switch (field) {
    case 'lines':
      return (content.lines ?? []).map((l) => ({ product: text(l.product), dosage: text(l.dosage) }));
    case 'vaccinations':
      return (content.vaccinations ?? []).map((v) => ({
        vaccine: text(v.vaccine),
        code: text(v.code),
        lot: text(v.lot),
        date: text(v.date),
      }));
    case 'problems':
    case 'treatments':
    case 'allergies':
      return (content[field] ?? []).map((v) => ({ value: text(v) }));
    default: {
      const value = text(content[field]);
      return value ? [{ value }] : [];
    }
  }
}

/** One line: placeholders filled; an optional `[…]` part dropped when all its placeholders are empty. */
export function fillLine(line: string, values: Record<string, string>): string {
  const fillPart = (part: string) => part.replace(/\{([A-Za-z]+)\}/g, (_, k: string) => values[k] ?? '');
  let out = '';
  let i = 0;
  while (i < line.length) {
    const open = line.indexOf('[', i);
    if (open < 0) {
      out += fillPart(line.slice(i));
      break;
    }
    out += fillPart(line.slice(i, open));
    let depth = 0,
      close = open;
    for (; close < line.length; close++) {
      if (line[close] === '[') depth++;
      else if (line[close] === ']' && --depth === 0) break;
    }
    const inner = line.slice(open + 1, close);
    if (placeholders(inner).some((k) => (values[k] ?? '') !== '')) out += fillLine(inner, values);
    i = close + 1;
  }
  return out;
}

/**
 * The text to type in the editor's content field for `content`. `elsewhere`: the fields the
 * driver types into a field of their own (title, médecin traitant). Throws, naming what would be
 * lost, when the content holds something the template does not write.
 */
export function contentText(
  type: DocumentType,
  template: ContentTemplate,
  content: DocumentContent,
  elsewhere: ContentField[] = [],
): string {
  const lines: string[] = [];
  const lost: string[] = [];
  for (const it of template.items) {
    const used = new Set(placeholders(it.line));
    itemsOf(content, it.from).forEach((values, i) => {
      for (const [k, v] of Object.entries(values)) if (v !== '' && !used.has(k)) lost.push(`${it.from}[${i}].${k} « ${v} »`);
      lines.push(fillLine(it.line, values));
    });
  }
  const written = new Set<ContentField>([...template.items.map((it) => it.from), ...elsewhere]);
  for (const f of Object.keys(PLACEHOLDERS) as ContentField[]) {
    if (!written.has(f) && itemsOf(content, f).length) lost.push(`${f} (${itemsOf(content, f).length} item(s))`);
  }
  if (lost.length) {
    throw new Error(
      `selectors.newDocument.contentTemplates.${type} has no place for ${lost.join(', ')}: the editor would not get what the feature typed`,
    );
  }
  return lines.join(template.join ?? '\n');
}
