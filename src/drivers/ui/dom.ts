/**
 * How the ui driver finds, presses and fills elements: a script in the page finds the element
 * (CSS selectors; only what is visible counts), then a real mouse press is sent through the
 * DevTools protocol at its centre, as a person's click would arrive.
 *
 * Why not Playwright's locators: each new document costs them 100–200 ms on a small machine
 * (their selector engine is injected into every page), and a UI run opens hundreds of
 * documents. Whether a press started a navigation is known the way Playwright knows it: the
 * browser reports `Page.frameRequestedNavigation` before it answers a round trip sent after
 * the press.
 */
import type { CDPSession, Page } from 'playwright';
import { pause } from '../../harness/wait';

export class LocateError extends Error {
  constructor(
    message: string,
    readonly count: number,
  ) {
    super(message);
  }
}

export interface Located {
  x: number;
  y: number;
  label: string;
}
interface Probe {
  found: number;
  visible: number;
  x?: number;
  y?: number;
  label?: string;
  covered?: string | null;
  disabled?: boolean;
}

function probeInPage(css: string): Probe {
  let all: Element[];
  try {
    all = Array.from(document.querySelectorAll(css));
  } catch (e) {
    return { found: -1, visible: 0, label: (e as Error).message };
  }
  const vis = all.filter((e) => (e as HTMLElement).getClientRects().length > 0);
  if (vis.length !== 1) return { found: all.length, visible: vis.length };
  const el = vis[0] as HTMLElement;
  el.scrollIntoView({ block: 'center', inline: 'center' });
  const rect = el.getBoundingClientRect();
  const centerX = rect.left + rect.width / 2,
    centerY = rect.top + rect.height / 2;
  const hit = document.elementFromPoint(centerX, centerY);
  const label = (el.innerText || (el as HTMLInputElement).value || el.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim();
  const ok = !!hit && (hit === el || el.contains(hit) || (hit as HTMLElement).closest('label')?.contains(el) === true);
  const covered = ok
    ? null
    : hit
      ? `${hit.tagName.toLowerCase()}${hit.id ? '#' + hit.id : ''}${hit.getAttribute('data-testid') ? `[data-testid=${hit.getAttribute('data-testid')}]` : ''}`
      : 'nothing (off screen)';
  return { found: all.length, visible: 1, x: centerX, y: centerY, label, covered, disabled: (el as HTMLButtonElement).disabled === true };
}

/** Waits (bounded) until `css` designates exactly one visible, enabled, uncovered element. */
export async function locate(page: Page, key: string, css: string, findMs: number): Promise<Located> {
  const until = performance.now() + findMs;
  for (;;) {
    const probe = await page.evaluate(probeInPage, css);
    if (probe.found < 0) throw new LocateError(`selector ${key} (${css}) is not a valid CSS selector: ${probe.label}`, -1);
    if (probe.visible > 1)
      throw new LocateError(`selector ${key} (${css}) matched ${probe.visible} visible elements, one was expected`, probe.visible);
    if (probe.visible === 1 && !probe.covered && !probe.disabled) return { x: probe.x!, y: probe.y!, label: probe.label ?? '' };
    if (performance.now() >= until) {
      const why =
        probe.visible === 0
          ? probe.found
            ? `matched ${probe.found} element(s), none visible`
            : 'matched nothing'
          : probe.disabled
            ? 'matched one element, disabled'
            : `matched one element, covered by ${probe.covered}`;
      throw new LocateError(`selector ${key} (${css}) ${why} within ${findMs} ms`, probe.visible);
    }
    await pause(25);
  }
}

const sessions = new WeakMap<Page, Promise<{ cdp: CDPSession; requested: () => number }>>();

function session(page: Page): Promise<{ cdp: CDPSession; requested: () => number }> {
  let ready = sessions.get(page);
  if (!ready) {
    ready = (async () => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Page.enable');
      const main = (await cdp.send('Page.getFrameTree')).frameTree.frame.id;
      let n = 0;
      cdp.on('Page.frameRequestedNavigation', (e) => {
        if (e.frameId === main) n++;
      });
      return { cdp, requested: () => n };
    })();
    sessions.set(page, ready);
  }
  return ready;
}

/** A left click at (x, y). Answers whether it started a navigation of the page. */
export async function pressAt(page: Page, at: { x: number; y: number }): Promise<{ navigating: boolean }> {
  const { cdp, requested } = await session(page);
  const before = requested();
  const base = { x: at.x, y: at.y, button: 'left' as const, clickCount: 1 };
  await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...base });
  await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...base });
  await cdp.send('Page.enable'); // a round trip through the page: navigation requests are reported before its answer
  return { navigating: requested() > before };
}

/** Keys typed into the focused element, through the protocol (a person typing). */
export async function typeKeys(page: Page, text: string): Promise<void> {
  const { cdp } = await session(page);
  await cdp.send('Input.insertText', { text });
}

/** Sets a field's value as typing would (input and change events; works with framework-controlled inputs). */
export function enterInPage(args: { css: string; value: string }): string | null {
  const all = Array.from(document.querySelectorAll(args.css)).filter((e) => (e as HTMLElement).getClientRects().length > 0);
  if (all.length !== 1) return `matched ${all.length} visible elements, one was expected`;
  const el = all[0] as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
  el.focus();
  const proto =
    el instanceof HTMLTextAreaElement
      ? HTMLTextAreaElement.prototype
      : el instanceof HTMLSelectElement
        ? HTMLSelectElement.prototype
        : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(el, args.value);
  if (el.value !== args.value) return `does not take the value « ${args.value} »`;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
  return null;
}

export function optionsInPage(css: string): { value: string; label: string }[] | string {
  const all = Array.from(document.querySelectorAll(css)).filter((e) => (e as HTMLElement).getClientRects().length > 0);
  if (all.length !== 1 || !(all[0] instanceof HTMLSelectElement))
    return `matched ${all.length} visible elements, one <select> was expected`;
  return Array.from((all[0] as HTMLSelectElement).options).map((o) => ({
    value: o.value,
    label: (o.label || o.text).replace(/\s+/g, ' ').trim(),
  }));
}
