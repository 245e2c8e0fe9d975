/**
 * The identity panel of a patient file, as its user sees it: the INS status and number, the last
 * INSi call, the traits side by side (a difference is flagged *and* drawn differently), the
 * qualification offer, its identity documents and the exception procedure's sentence. Where the
 * panel does not list the documents itself, its controls are followed in the read-only tab, and
 * the prompt they lead to is read (its <select>, its text).
 */
import type { Page } from 'playwright';
import type { ComparisonRow, IdentityView, InsiOutcome, Traits } from '../driver';
import { norm, ReadPlan } from './in-page';
import type { Presses, Seen } from './presses';
import { Reading, one, read } from './screen';
import { fill, selfReported } from './selector-map';

const TRAITS = ['birthName', 'firstName', 'birthDate', 'sex'] as const;

export async function readIdentity(
  reading: Reading,
  presses: Presses,
  page: Page,
  patientId: string,
  seen: Seen,
  options: { explore?: boolean } = {},
): Promise<IdentityView> {
  const id = reading.map.selectors.identity;
  const groups: ReadPlan['groups'] = {};
  for (const t of TRAITS) {
    groups[t] = {
      css: fill(id.traitRow, { trait: t }, 'css'),
      fields: { file: { css: id.traitFile }, insi: { css: id.traitInsi } },
      flag: id.traitHighlighted,
    };
  }
  const opt = (k: 'qualifiedBy' | 'insiTrigger' | 'insiMessage') => (id[k] ? { [k]: norm(id[k], `identity.${k}`)! } : {});
  const plan: ReadPlan = {
    values: {
      insStatus: norm(id.insStatus, 'identity.insStatus')!,
      insNumber: norm(id.insNumber, 'identity.insNumber')!,
      insiOutcome: norm(id.insiOutcome, 'identity.insiOutcome')!,
      concordance: norm(id.concordance, 'identity.concordance')!,
      ...opt('qualifiedBy'),
      ...opt('insiTrigger'),
      ...opt('insiMessage'),
      attestation: { css: id.qualifyException, name: 'identity.qualifyException' },
    },
    present: { panel: id.panel, offer: id.offer, exception: id.qualifyException, byDocument: id.qualifyWithDocument },
    options: { documents: id.documentSelect },
    groups,
  };
  let res = await read(page, plan);
  if (!res.present.panel) {
    await one(page, 'identity.panel', id.panel, reading.findMs);
    res = await read(page, plan);
  } // still loading: wait (bounded)
  const values = res.values;
  for (const f of selfReported([
    ['ins.status', id.insStatus],
    ['ins.matricule', id.insNumber],
    ['ins.qualifiedBy', id.qualifiedBy],
    ['insi.lastCall.outcome', id.insiOutcome],
    ['insi.lastCall.trigger', id.insiTrigger],
    ['insi.lastCall.message', id.insiMessage],
    ['qualification.concordant', id.concordance],
  ]))
    seen.declared.add(f);
  const rows = TRAITS.flatMap((t) => res.groups[t].map((g) => ({ trait: t, ...g })));
  // Highlighted = flagged AND drawn differently from the rows that are not flagged.
  const plain = new Set(rows.filter((x) => !x.flagged).map((x) => x.style));
  const comparison: ComparisonRow[] = rows.map((x) => ({
    trait: x.trait,
    file: x.fields.file ?? '',
    insi: x.fields.insi ?? '',
    differs: x.flagged && !plain.has(x.style),
  }));
  const status = (['none', 'recovered', 'qualified'] as const).find((s) => s === values.insStatus) ?? 'none';
  const number = (values.insNumber ?? '').replace(/\s/g, '');
  const outcome = values.insiOutcome && values.insiOutcome !== 'none' ? (values.insiOutcome as InsiOutcome) : undefined;
  const [code, ...msg] = (values.insiMessage ?? '').split(' — ');
  let documents = res.options.documents ?? undefined;
  let attestation = res.present.exception ? values.attestation : null;
  if (res.present.offer && options.explore !== false && documents === undefined) {
    // The panel does not list the documents itself: see what its controls lead to (read-only tab).
    const more = await exploreOffer(reading, presses, patientId, !!res.present.byDocument, !!res.present.exception);
    documents = more.documents ?? documents;
    attestation = more.attestation ?? attestation;
  }
  return {
    patientId,
    file: fileTraits(comparison),
    ins: {
      status,
      ...(number ? { matricule: number.slice(0, 13), key: number.slice(13) || undefined } : {}),
      ...(values.qualifiedBy ? { qualifiedBy: values.qualifiedBy } : {}),
    },
    insi: {
      lastCall: outcome
        ? {
            outcome,
            ...(values.insiTrigger ? { trigger: values.insiTrigger } : {}),
            ...(code ? { code } : {}),
            ...(msg.length ? { message: msg.join(' — ') } : {}),
          }
        : null,
    },
    qualification: {
      offered: res.present.offer > 0,
      concordant: values.concordance == null ? null : values.concordance === 'true',
      comparison,
      ...(documents ? { documents } : {}),
      exceptionProcedure: { offered: res.present.exception > 0, attestation },
    },
  };
}

/**
 * Follows the qualification controls in the read-only tab (never counted as clicks; its requests
 * other than GET are blocked) and reads the prompt they lead to: the identity documents its
 * <select> offers, the exception procedure's sentence in its text.
 */
async function exploreOffer(
  reading: Reading,
  presses: Presses,
  patientId: string,
  byDocument: boolean,
  exception: boolean,
): Promise<{ documents?: string[]; attestation?: string }> {
  const id = reading.map.selectors.identity;
  const prompts = Object.entries(reading.map.selectors.prompts ?? {});
  const out: { documents?: string[]; attestation?: string } = {};
  const follow = async (key: string, control: string): Promise<{ documents: string[] | null; text: string | null } | undefined> => {
    const page = await reading.lookAt(reading.url('patientFile', { patientId }));
    if (!(await presses.follow(page, key, control, reading.actionMs))) return undefined;
    const seen = await read(page, {
      present: Object.fromEntries(prompts.map(([k, p]) => [k, p.when ?? p.press])),
      options: Object.fromEntries(prompts.filter(([, p]) => p.choose).map(([k, p]) => [k, p.choose!])),
      values: Object.fromEntries(prompts.filter(([, p]) => p.text).map(([k, p]) => [k, { css: p.text, name: `prompts.${k}.text` }])),
    });
    const hit = prompts.find(([k]) => seen.present[k] > 0);
    return hit ? { documents: seen.options[hit[0]] ?? null, text: seen.values[hit[0]] ?? null } : undefined;
  };
  if (byDocument) out.documents = (await follow('identity.qualifyWithDocument', id.qualifyWithDocument))?.documents ?? undefined;
  if (exception) out.attestation = (await follow('identity.qualifyException', id.qualifyException))?.text ?? undefined;
  return out;
}

function fileTraits(rows: ComparisonRow[]): Traits {
  const get = (t: ComparisonRow['trait']) => rows.find((x) => x.trait === t)?.file ?? '';
  return {
    birthName: get('birthName'),
    firstName: get('firstName'),
    birthDate: get('birthDate'),
    sex: (get('sex') || 'I') as Traits['sex'],
  };
}
