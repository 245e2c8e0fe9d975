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
  r: Reading,
  page: Page,
  documentId: string,
  seen: Seen,
  typeChosenByUser: boolean,
): Promise<DocumentView> {
  const e = r.map.selectors.editor;
  const opt = (k: 'sendBoxLabel' | 'dmpMessage' | 'dmpAttempts' | 'ePrescriptionNumber') =>
    e[k] ? { [k]: norm(e[k], `editor.${k}`)! } : {};
  const plan: ReadPlan = {
    values: {
      type: norm(e.type, 'editor.type')!,
      typeCode: norm(e.typeCode, 'editor.typeCode')!,
      status: norm(e.status, 'editor.status')!,
      dmpStatus: norm(e.dmpStatus, 'editor.dmpStatus')!,
      ...opt('sendBoxLabel'),
      ...opt('dmpMessage'),
      ...opt('dmpAttempts'),
      ...opt('ePrescriptionNumber'),
    },
    checked: { sendBox: e.sendBox, ...Object.fromEntries(Object.entries(e.mask).map(([m, css]) => [`mask:${m}`, css])) },
    present: { panel: e.panel, ...(e.printed ? { printed: e.printed } : {}), ...(e.datamatrix ? { datamatrix: e.datamatrix } : {}) },
  };
  let res = await read(page, plan);
  if (!res.present.panel) {
    await one(page, 'editor.panel', e.panel, r.findMs);
    res = await read(page, plan);
  } // still loading: wait (bounded)
  const v = res.values;
  const declared = selfReported([
    ['type', e.type],
    ['typeCode', e.typeCode],
    ['status', e.status],
    ['sendToDmp.label', e.sendBoxLabel],
    ['dmp.status', e.dmpStatus],
    ['dmp.message', e.dmpMessage],
    ['dmp.attempts', e.dmpAttempts],
    ['printed.ePrescriptionNumber', e.ePrescriptionNumber],
  ]);
  // Who set the code follows from the code read.
  if (declared.includes('typeCode')) declared.push('typeCodeSetBy');
  for (const f of declared) seen.declared.add(f);
  const masked = Object.keys(e.mask).filter((m) => res.checked[`mask:${m}`] === true);
  const typeCode = v.typeCode || null;
  const printed = (res.present.printed ?? 0) > 0;
  return {
    documentId,
    type: v.type ?? '',
    typeCode,
    typeCodeSetBy: typeCode ? (typeChosenByUser ? 'user' : 'automatic') : null,
    status: v.status === 'validated' ? 'validated' : 'draft',
    sendToDmp: { checked: res.checked.sendBox === true, ...(v.sendBoxLabel ? { label: v.sendBoxLabel } : {}) },
    maskedFrom: masked,
    dmp: {
      status: (v.dmpStatus ?? 'not-sent') as DocumentView['dmp']['status'],
      ...(v.dmpMessage ? { message: v.dmpMessage } : {}),
      ...(v.dmpAttempts ? { attempts: Number(v.dmpAttempts) } : {}),
    },
    ...(printed ? { printed: { datamatrix: (res.present.datamatrix ?? 0) > 0, ePrescriptionNumber: v.ePrescriptionNumber ?? null } } : {}),
  };
}

/** The documents listed on a patient file (their ids, from `newDocument.documentLinks`). */
export async function documentIds(r: Reading, page: Page): Promise<string[]> {
  const re = r.map.ids.documentFromUrl;
  const hrefs = await page.evaluate(
    (css) => Array.from(document.querySelectorAll(css)).map((e) => (e as HTMLAnchorElement).href),
    r.map.selectors.newDocument.documentLinks,
  );
  return hrefs
    .map((h) => new RegExp(re).exec(h)?.[1])
    .filter((x): x is string => !!x)
    .map(decodeURIComponent);
}
