/**
 * Consulting the patient's DMP, as its user sees it: the non-opposition question, the reminder that
 * the patient must be informed (an element of its own, `dmpConsultation.reminder`), and what came
 * of it (the documents listed, an error, the consultation not made).
 */
import type { Page } from 'playwright';
import type { ConsultResult } from '../driver';
import type { Seen } from './presses';
import { Reading, read } from './screen';

export async function readConsult(r: Reading, page: Page, _seen: Seen): Promise<ConsultResult> {
  const d = r.map.selectors.dmpConsultation;
  const res = await read(page, {
    values: {
      question: { css: d.question, name: 'dmpConsultation.question' },
      ...(d.reminder ? { reminder: { css: d.reminder, name: 'dmpConsultation.reminder' } } : {}),
      ...(d.error ? { error: { css: d.error, name: 'dmpConsultation.error' } } : {}),
    },
    present: { question: d.question, ...(d.refused ? { refused: d.refused } : {}), ...(d.error ? { error: d.error } : {}) },
    groups: { documents: { css: d.documents, fields: { text: {} } } },
  });
  // Everything here is text shown and elements present: nothing self-reported to declare.
  const asked = res.present.question > 0;
  const refused = (res.present.refused ?? 0) > 0;
  const error = res.values.error ?? undefined;
  const documents = res.groups.documents.map((g) => {
    const m = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(g.fields.text ?? '');
    return m ? { title: m[1], typeCode: m[2] } : { title: g.fields.text ?? '' };
  });
  const consulted = !asked && !refused && !error;
  return {
    asked,
    ...(asked ? { question: res.values.question ?? '', ...(res.values.reminder ? { reminder: res.values.reminder } : {}) } : {}),
    consulted,
    ...(consulted ? { documents } : {}),
    ...(error ? { error } : {}),
  };
}
