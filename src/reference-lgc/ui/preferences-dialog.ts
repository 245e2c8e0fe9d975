/**
 * Seeded defect masking-dialog-renamed: validating opens a prompt « Préférences d'affichage » the
 * user must click through (a masking dialog under another name, SEND-01/SEND-06). Drawn by the
 * UI's prompt helper (html.ts: data-role prompt / prompt-text / prompt-continue) and added to
 * the editor panel the pages render.
 *
 * Selector: [data-testid=preferences-dialog] (the prompt), [data-testid=preferences-dialog-ok]
 * (its one button « Continuer », which validates and prints).
 */
import type { DocumentRecord } from '../documents';
import { PREFERENCES_DIALOG } from '../documents';
import { prompt, type Nav } from './html';

export function preferencesDialog(nav: Nav, doc: DocumentRecord, typeChosen: boolean): string {
  return prompt({
    id: 'preferences-dialog',
    title: PREFERENCES_DIALOG,
    text: 'Affichage du document dans Mon espace santé : paramètres par défaut.',
    form: { method: 'post', action: `/ui/documents/${encodeURIComponent(doc.id)}/validate${nav.q}`, inplace: true },
    fields: `<input type="hidden" name="preferencesDone" value="1">${typeChosen ? '<input type="hidden" name="typeChosen" value="1">' : ''}`,
    continueLabel: 'Continuer',
  });
}

/** `html` (the editor panel, or a page ending with it) with the prompt inside the panel's region. */
export function withPreferencesDialog(html: string, dialog: string): string {
  const at = html.lastIndexOf('</section>');
  return at < 0 ? html + dialog : html.slice(0, at) + dialog + html.slice(at);
}
