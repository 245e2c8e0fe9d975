/**
 * The document editor, as its user sees it: type and type code, status, the send-to-DMP box (its
 * checked state), the masking boxes, whether it was printed and with a 2D code (an element shown),
 * the DMP status, message and attempts. Who set the type code is what the driver did: the user
 * when the driver had to choose it at a prompt, else the LGC.
 */
import type { Page } from 'playwright';
import type { DocumentView } from '../driver';
import { norm, ReadPlan } from './in-page';
import type { Seen } from './presses';
import { Reading, one, read } from './screen';
import { selfReported } from './selector-map';

export async function readDocument(
  reading: Reading,
  page: Page,
  documentId: string,
  seen: Seen,
  typeChosenByUser: boolean,
): Promise<DocumentView> {
  const editor = reading.map.selectors.editor;
  const opt = (k: 'sendBoxLabel' | 'dmpMessage' | 'dmpAttempts' | 'ePrescriptionNumber') =>
    editor[k] ? { [k]: norm(editor[k], `editor.${k}`)! } : {};
  const plan: ReadPlan = {
    values: {
      type: norm(editor.type, 'editor.type')!,
      typeCode: norm(editor.typeCode, 'editor.typeCode')!,
      status: norm(editor.status, 'editor.status')!,
      dmpStatus: norm(editor.dmpStatus, 'editor.dmpStatus')!,
      ...opt('sendBoxLabel'),
      ...opt('dmpMessage'),
      ...opt('dmpAttempts'),
      ...opt('ePrescriptionNumber'),
    },
    checked: { sendBox: editor.sendBox, ...Object.fromEntries(Object.entries(editor.mask).map(([m, css]) => [`mask:${m}`, css])) },
    present: {
      panel: editor.panel,
      ...(editor.printed ? { printed: editor.printed } : {}),
      ...(editor.datamatrix ? { datamatrix: editor.datamatrix } : {}),
    },
  };
  let res = await read(page, plan);
  if (!res.present.panel) {
    await one(page, 'editor.panel', editor.panel, reading.findMs);
    res = await read(page, plan);
  } // still loading: wait (bounded)
  const values = res.values;
  const declared = selfReported([
    ['type', editor.type],
    ['typeCode', editor.typeCode],
    ['status', editor.status],
    ['sendToDmp.label', editor.sendBoxLabel],
    ['dmp.status', editor.dmpStatus],
    ['dmp.message', editor.dmpMessage],
    ['dmp.attempts', editor.dmpAttempts],
    ['printed.ePrescriptionNumber', editor.ePrescriptionNumber],
  ]);
  // Who set the code follows from the code read.
  if (declared.includes('typeCode')) declared.push('typeCodeSetBy');
  for (const f of declared) seen.declared.add(f);
  const masked = Object.keys(editor.mask).filter((m) => res.checked[`mask:${m}`] === true);
  const typeCode = values.typeCode || null;
  const printed = (res.present.printed ?? 0) > 0;
  return {
    documentId,
    type: values.type ?? '',
    typeCode,
    typeCodeSetBy: typeCode ? (typeChosenByUser ? 'user' : 'automatic') : null,
    status: values.status === 'validated' ? 'validated' : 'draft',
    sendToDmp: { checked: res.checked.sendBox === true, ...(values.sendBoxLabel ? { label: values.sendBoxLabel } : {}) },
    maskedFrom: masked,
    dmp: {
      status: (values.dmpStatus ?? 'not-sent') as DocumentView['dmp']['status'],
      ...(values.dmpMessage ? { message: values.dmpMessage } : {}),
      ...(values.dmpAttempts ? { attempts: Number(values.dmpAttempts) } : {}),
    },
    ...(printed
      ? { printed: { datamatrix: (res.present.datamatrix ?? 0) > 0, ePrescriptionNumber: values.ePrescriptionNumber ?? null } }
      : {}),
  };
}

/** The documents listed on a patient file (their ids, from `newDocument.documentLinks`). */
export async function documentIds(reading: Reading, page: Page): Promise<string[]> {
  const re = reading.map.ids.documentFromUrl;
  const hrefs = await page.evaluate(
    (css) => Array.from(document.querySelectorAll(css)).map((e) => (e as HTMLAnchorElement).href),
    reading.map.selectors.newDocument.documentLinks,
  );
  return hrefs
    .map((h) => new RegExp(re).exec(h)?.[1])
    .filter((x): x is string => !!x)
    .map(decodeURIComponent);
}
