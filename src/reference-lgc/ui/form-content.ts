/** The editor's free-text box, read as the content object the API takes (then checked by parseContent). */
import type { DocumentType } from '../cda';

/** The editor's free text, read as the content object the API takes (then checked by parseContent). */
export function formContent(type: DocumentType, form: URLSearchParams): Record<string, unknown> {
  const text = (form.get('content') ?? '').replace(/\r\n/g, '\n');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const cells = (l: string): string[] => l.split(';').map((s) => s.trim());
  const content: Record<string, unknown> = {};
  const title = form.get('title')?.trim();
  if (title) content.title = title;
  const mt = form.get('medecinTraitant')?.trim();
  if (mt) content.medecinTraitant = mt;
  switch (type) {
    case 'prescription':
      content.lines = lines.map((l) => {
        const [product, dosage] = cells(l);
        return { product, ...(dosage ? { dosage } : {}) };
      });
      break;
    case 'vaccination-note':
      content.vaccinations = lines.map((l) => {
        const [vaccine, date, lot] = cells(l);
        return { vaccine, ...(date ? { date } : {}), ...(lot ? { lot } : {}) };
      });
      break;
    case 'vsm': {
      // « Traitement : … » and « Allergie : … » lines, as the editor shows them back; the rest are problems
      const tagged = (l: string, tag: string) => new RegExp(`^${tag}\\s*:\\s*`, 'i').test(l);
      const strip = (l: string) => l.replace(/^[^:]*:\s*/, '');
      content.treatments = lines.filter((l) => tagged(l, 'Traitement')).map(strip);
      content.allergies = lines.filter((l) => tagged(l, 'Allergie')).map(strip);
      content.problems = lines.filter((l) => !tagged(l, 'Traitement') && !tagged(l, 'Allergie'));
      break;
    }
    case 'consultation-report':
      if (text.trim()) content.text = text.trim();
      break;
  }
  return content;
}
