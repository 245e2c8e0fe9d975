/**
 * Seeded defect masking-dialog-renamed: validating opens a dialog « Préférences d'affichage » the
 * user must click through (a masking dialog under another name, SEND-01/SEND-06). Kept out of
 * pages.ts: the dialog is added to the editor panel the pages render.
 *
 * Selector: [data-testid=preferences-dialog] (the dialog), [data-testid=preferences-dialog-ok]
 * (its one button, a generic "continue": it validates and prints).
 */
import type { DocumentRecord } from '../documents';
import { PREFERENCES_DIALOG } from '../documents';
import { esc, tid, type Nav } from './html';

export function preferencesDialog(nav: Nav, d: DocumentRecord, typeChosen: boolean): string {
  const action = esc(`/ui/documents/${encodeURIComponent(d.id)}/validate${nav.q}`);
  return (
    `<div class="dialog" ${tid('preferences-dialog')}><h3>${esc(PREFERENCES_DIALOG)}</h3>` +
    `<form method="post" action="${action}" data-inplace><input type="hidden" name="preferencesDone" value="1">` +
    `${typeChosen ? '<input type="hidden" name="typeChosen" value="1">' : ''}` +
    `<p>Affichage du document dans Mon espace santé : paramètres par défaut.</p>` +
    `<button type="submit" ${tid('preferences-dialog-ok')}>Continuer</button></form></div>`
  );
}

/** `html` (the editor panel, or a page ending with it) with the dialog inside the panel's region. */
export function withPreferencesDialog(html: string, dialog: string): string {
  const at = html.lastIndexOf('</section>');
  return at < 0 ? html + dialog : html.slice(0, at) + dialog + html.slice(at);
}
