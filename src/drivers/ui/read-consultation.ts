/**
 * Consulting the patient's DMP, as its user sees it: the non-opposition question, the reminder that
 * the patient must be informed (an element of its own, `dmpConsultation.reminder`), and what came
 * of it (the documents listed, an error, the consultation not made).
 */
import type { Page } from 'playwright';
import type { ConsultResult } from '../driver';
import type { Seen } from './presses';
import { Reading, read } from './screen';

export async function readConsult(reading: Reading, page: Page, _seen: Seen): Promise<ConsultResult> {
  const selectors = reading.map.selectors.dmpConsultation;
  const res = await read(page, {
    values: {
      question: { css: selectors.question, name: 'dmpConsultation.question' },
      ...(selectors.reminder ? { reminder: { css: selectors.reminder, name: 'dmpConsultation.reminder' } } : {}),
      ...(selectors.error ? { error: { css: selectors.error, name: 'dmpConsultation.error' } } : {}),
    },
    present: {
      question: selectors.question,
      ...(selectors.refused ? { refused: selectors.refused } : {}),
      ...(selectors.error ? { error: selectors.error } : {}),
    },
    groups: { documents: { css: selectors.documents, fields: { text: {} } } },
  });
  // Everything here is text shown and elements present: nothing self-reported to declare.
  const asked = res.present.question > 0;
  const refused = (res.present.refused ?? 0) > 0;
  const error = res.values.error ?? undefined;
  const documents = res.groups.documents.map((g) => {
    const match = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(g.fields.text ?? '');
    return match ? { title: match[1], typeCode: match[2] } : { title: g.fields.text ?? '' };
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
