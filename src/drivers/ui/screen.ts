/**
 * Looking at a screen and filling it, as its user would: exactly one visible element per
 * selector where the driver acts, values read in one round trip (src/drivers/ui/in-page.ts),
 * fields set as typing sets them. Nothing here presses anything (src/drivers/ui/presses.ts counts
 * presses) or navigates (src/drivers/ui/session.ts).
 */
import type { Page } from 'playwright';
import { TargetError } from '../driver';
import { LocateError, Located, enterInPage, locate, optionsInPage, typeKeys } from './dom';
import { ReadPlan, ReadResult, readInPage } from './in-page';
import type { SelectorMap } from './selector-map';

/** A selector that matched nothing, or several elements, where the driver needed exactly one. */
export class UiSelectorError extends TargetError {
  override name = 'UiSelectorError';
}

/** What a screen reader needs besides the page: the map, the bounds, where the screens are, the read-only tab. */
export interface Reading {
  readonly map: SelectorMap;
  readonly findMs: number;
  readonly actionMs: number;
  url(key: keyof SelectorMap['urls'], vars?: Record<string, string>): string;
  /** The read-only tab (it can never change the target's state), freshly at `url`. */
  lookAt(url: string): Promise<Page>;
}

/** Reads `plan` on the page; a read that a navigation interrupts is made again on the new screen. */
export async function read(page: Page, plan: ReadPlan): Promise<ReadResult> {
  let result: ReadResult | undefined;
  for (let i = 0; !result; i++) {
    try {
      result = await page.evaluate(readInPage, plan);
    } catch (e) {
      if (i < 3 && /context was destroyed|navigat/i.test((e as Error).message)) {
        await page.waitForLoadState('domcontentloaded');
        continue;
      }
      throw e;
    }
  }
  if (result.ambiguous.length)
    throw new UiSelectorError(`on the screen ${result.url} « ${result.screen} »: ${result.ambiguous.join('; ')} — one was expected`);
  if (result.unmapped.length) throw new UiSelectorError(`on the screen ${result.url} « ${result.screen} »: ${result.unmapped.join('; ')}`);
  return result;
}

/** Exactly one visible, enabled, uncovered element for `css` (waiting for it, up to `findMs`). */
export async function one(page: Page, key: string, css: string, findMs: number): Promise<Located> {
  try {
    return await locate(page, key, css, findMs);
  } catch (e) {
    if (e instanceof LocateError)
      throw new UiSelectorError(`${e.message}, on the screen ${page.url()} « ${await page.title().catch(() => '?')} »`);
    throw e;
  }
}

export async function present(page: Page, css: string): Promise<boolean> {
  return (await read(page, { present: { x: css } })).present.x > 0;
}

export async function textOf(page: Page, css: string): Promise<string> {
  return (await read(page, { values: { t: { css } } })).values.t ?? '';
}

export function screenText(page: Page): Promise<string> {
  return page.evaluate(() => (document.body?.innerText ?? '').replace(/\s+/g, ' ').trim());
}

/** The text of the refusal shown (`css`), as « : text », or ''. */
export async function refusalText(page: Page, css?: string): Promise<string> {
  if (!css || !(await present(page, css).catch(() => false))) return '';
  return ': ' + (await textOf(page, css).catch(() => ''));
}

/** Sets a field as typing would (data entry, not a click). */
export async function typeInto(page: Page, key: string, css: string, value: string, findMs: number): Promise<void> {
  let problem = await page.evaluate(enterInPage, { css, value });
  if (problem?.startsWith('matched 0 ')) {
    await one(page, key, css, findMs);
    problem = await page.evaluate(enterInPage, { css, value });
  }
  if (problem) throw new UiSelectorError(`selector ${key} (${css}) ${problem}, on the screen ${page.url()}`);
}

export interface Option {
  value: string;
  label: string;
}

/**
 * Chooses an option of a <select> (data entry, not a click): the one `pick` designates among those
 * offered; `wanted` names it in the error when there is none.
 */
export async function chooseIn(
  page: Page,
  key: string,
  css: string,
  pick: (options: Option[]) => Option | undefined,
  wanted: string,
  findMs: number,
): Promise<Option> {
  await one(page, key, css, findMs);
  const options = await page.evaluate(optionsInPage, css);
  if (typeof options === 'string') throw new UiSelectorError(`selector ${key} (${css}) ${options}, on the screen ${page.url()}`);
  const hit = pick(options);
  if (!hit) throw new UiSelectorError(`${key} (${css}): no option ${wanted} (offered: ${options.map((o) => `« ${o.label} »`).join(', ')})`);
  await typeInto(page, key, css, hit.value, findMs);
  return hit;
}

const n = (x: string) => x.normalize('NFC').replace(/\s+/g, ' ').trim();
/** Option pickers: by label, by value, by a code its value is or its label contains (none given: the first offered). */
export const firstOffered = (os: Option[]) => os.find((o) => o.value !== '');
export const byLabel = (label: string) => (os: Option[]) => os.find((o) => n(o.label) === n(label));
export const byValue = (value: string) => (os: Option[]) => os.find((o) => o.value === value);
export const byCode = (code: string | undefined) => (os: Option[]) =>
  code ? os.find((o) => o.value === code || o.label.includes(code)) : firstOffered(os);

/**
 * While a national service holds its answer: does the screen still take typing? The first
 * `probes` field shown gets a key, then is put back. Undefined when no such field is shown.
 */
export async function takesTyping(page: Page, probes: string[]): Promise<{ css: string; ok: boolean } | undefined> {
  for (const css of probes) {
    if (!(await present(page, css))) continue;
    const before = await page.evaluate((c) => {
      const i = document.querySelector(c) as HTMLInputElement;
      i.focus();
      i.setSelectionRange?.(i.value.length, i.value.length);
      return i.value;
    }, css);
    await typeKeys(page, 'x');
    // Read back and put the field as it was, in one round trip.
    const ok = await page.evaluate(
      ({ c, v }) => {
        const i = document.querySelector(c) as HTMLInputElement;
        const took = i.value === v + 'x';
        i.value = v;
        i.blur();
        return took;
      },
      { c: css, v: before },
    );
    return { css, ok };
  }
  return undefined;
}
