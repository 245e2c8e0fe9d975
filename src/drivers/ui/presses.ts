/**
 * What the user did and how long it took: an action (its presses and screen changes, counted from
 * its first press), a look (a read of a screen), and the prompts the UI puts between a press and
 * its result.
 *
 * Every press the driver makes in an action is a click of the user and is counted: a button, a
 * link, a checkbox (a masking box too), a prompt's continue button, a browser confirm()/alert()
 * (accepted). Typing and choosing an option are data entry. Each click says what it was for (the
 * selector map's key, e.g. `editor.validate`, `prompts.dialog`) and the element's visible text.
 * Presses in the read-only tab (following a control to see what it offers) are looks, not the
 * user's clicks: they are listed in the exchanges, never counted.
 */
import { within } from '../../harness/wait';
import type { Dialog, Page } from 'playwright';
import type { Click, DriverExchange, Observed } from '../driver';
import { pressAt } from './dom';
import { Option, UiSelectorError, chooseIn, one, read } from './screen';
import type { Prompt } from './selector-map';
import type { UiSession } from './session';

/** What a reading took from the LGC's self-report rather than from the screen (field names, see LgcDriver). */
export interface Seen {
  declared: Set<string>;
}

/** One user action in progress: its presses (clicks), what the UI showed at its prompts, its self-reported fields. */
/**
 * `startedAt`: the user's first press; `answeredAt`: when the screen had settled after the last
 * press — the LGC's answer time is the span between them (what the driver then reads or probes is
 * its own cost, not the LGC's).
 */
export interface Act extends Seen {
  name: string;
  clicks: Click[];
  navAtClick?: number;
  startedAt?: number;
  answeredAt?: number;
  shown: string[];
}

/** How many prompts one action answers at most before the driver says the UI keeps asking. */
export const MAX_PROMPTS = 6;

export class Presses {
  private current?: Act;
  private inFlight = 0;
  /** The user's last action, while it runs (left running by a scenario while a double holds). */
  private running?: Promise<unknown>;

  /** `onPress`: called at an action's first press (the user's clock starts there). */
  constructor(
    private readonly session: UiSession,
    private readonly findMs: number,
    private readonly onPress: () => (() => void) | undefined,
  ) {
    session.onDialog = (d) => this.dialog(d);
  }

  /** Runs a user action on the user's tab: timed from its first press; its clicks and screen changes logged. */
  async act<T>(name: string, fn: (a: Act, page: Page) => Promise<T>): Promise<Observed<T>> {
    // A user does not act on a screen still on its way from the last action: give that screen a
    // bounded moment to land (a navigation in flight aborted the next goto, matrix shards 2 and 8),
    // then act anyway, as a user facing a frozen screen would.
    const previous = this.running;
    if (previous) await within(previous, this.findMs);
    const run = this.actNow(name, fn);
    this.running = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async actNow<T>(name: string, fn: (a: Act, page: Page) => Promise<T>): Promise<Observed<T>> {
    const act: Act = { name, clicks: [], shown: [], declared: new Set() };
    const ex: DriverExchange = {
      at: new Date().toISOString(),
      method: 'UI',
      url: '',
      requestBody: { action: name, step: this.session.step },
    };
    this.session.log.push(ex);
    const t0 = performance.now();
    this.inFlight++;
    this.current = act;
    try {
      const page = await this.session.mainPage();
      const value = await fn(act, page);
      const ms = Math.round((act.answeredAt ?? performance.now()) - (act.startedAt ?? t0));
      Object.assign(ex, {
        url: page.url(),
        status: 200,
        ms,
        responseBody: { clicks: act.clicks, screenChanges: this.screenChanges(act), declared: [...act.declared] },
      });
      return { value, ms, declaredFields: [...act.declared] };
    } catch (e) {
      const err = this.session.explain(e, name);
      Object.assign(ex, {
        url: this.session.currentUrl(),
        error: err.message,
        ms: Math.round(performance.now() - t0),
        responseBody: { clicks: act.clicks },
      });
      throw err;
    } finally {
      this.inFlight--;
      if (this.current === act) this.current = undefined;
    }
  }

  /**
   * A look at a screen, as the user would: on the user's own tab (brought to `url` if it shows
   * another screen, or reloaded with `reload`), or in the read-only tab while an action still runs there.
   */
  async look<T>(url: string, reader: (page: Page, seen: Seen) => Promise<T>, reload = false): Promise<Observed<T>> {
    this.onPress()?.(); // a look at the screen: the clock starts at once
    const t0 = performance.now();
    const seen: Seen = { declared: new Set() };
    const ex: DriverExchange = { at: new Date().toISOString(), method: 'UI-READ', url, requestBody: { step: this.session.step } };
    try {
      let page: Page;
      if (this.inFlight === 0) {
        page = await this.session.mainPage();
        await this.session.goto(page, url, reload);
      } else page = await this.session.lookAt(url);
      // The screen answered once loaded; reading it is the driver's own cost.
      const answered = performance.now();
      const value = await reader(page, seen);
      ex.ms = Math.round(answered - t0);
      return { value, ms: ex.ms, declaredFields: [...seen.declared] };
    } catch (e) {
      const err = this.session.explain(e, `read ${url}`);
      ex.error = err.message;
      ex.ms = Math.round(performance.now() - t0);
      this.session.log.push(ex);
      throw err;
    }
  }

  /** Screen changes of `a` since its first press. */
  screenChanges(act: Act): number {
    return this.session.navs - (act.navAtClick ?? this.session.navs);
  }

  /** A press of the user (one click of `a`), then the wait for what it caused (a new screen, the UI no longer busy). */
  async press(act: Act, page: Page, key: string, css: string): Promise<void> {
    const at = await one(page, key, css, this.findMs);
    act.clicks.push({ purpose: key, label: at.label.slice(0, 200) });
    if (act.startedAt === undefined) {
      act.startedAt = performance.now();
      this.onPress()?.();
    }
    act.navAtClick ??= this.session.navs;
    const navsBefore = this.session.navs;
    const { navigating } = await pressAt(page, at);
    if (navigating) await this.session.navigated(navsBefore, `${key} (${css})`);
    await this.session.settle(page);
    act.answeredAt = performance.now();
  }

  /**
   * Answers what the UI asks after a press (the map's `prompts`), each answer one more click:
   * fills the prompt's <select> with `pick`'s option, notes its text as shown, presses on. Bounded:
   * a UI still asking after MAX_PROMPTS answers stops the action, naming the last prompt.
   * Answers the names of the prompts met, with the option chosen at each.
   */
  async prompts(
    act: Act,
    page: Page,
    prompts: Record<string, Prompt> | undefined,
    pick: (o: Option[]) => Option | undefined,
    wanted: string,
  ): Promise<{ name: string; chose?: Option }[]> {
    const all = Object.entries(prompts ?? {});
    const met: { name: string; chose?: Option }[] = [];
    if (!all.length) return met;
    let last = '';
    for (let i = 0; i <= MAX_PROMPTS; i++) {
      const seen = await read(page, {
        present: Object.fromEntries(all.flatMap(([k, p]) => [[k, p.when ?? p.press], ...(p.choose ? [[`${k}:choose`, p.choose]] : [])])),
        values: Object.fromEntries(all.filter(([, p]) => p.text).map(([k, p]) => [k, { css: p.text, name: `prompts.${k}.text` }])),
      });
      const hit = all.find(([k]) => seen.present[k] > 0);
      if (!hit) return met;
      const [name, p] = hit;
      const text = seen.values[name] ?? '';
      if (i === MAX_PROMPTS) {
        throw new UiSelectorError(
          `the UI was still asking after ${MAX_PROMPTS} prompts answered: prompts.${name} (${p.when ?? p.press}) is on the screen ${page.url()} « ${text || last} »`,
        );
      }
      const step: { name: string; chose?: Option } = { name };
      if (p.choose && seen.present[`${name}:choose`] > 0)
        step.chose = await chooseIn(page, `prompts.${name}.choose`, p.choose, pick, wanted, this.findMs);
      if (text) act.shown.push(text);
      last = text || name;
      met.push(step);
      await this.press(act, page, `prompts.${name}`, p.press);
    }
    return met;
  }

  /** Looks behind a control in the read-only tab (never counted): whether the press led to another screen. */
  async follow(page: Page, key: string, css: string, actionMs: number): Promise<boolean> {
    const at = await one(page, key, css, this.findMs).catch(() => undefined);
    if (!at) return false;
    const before = page.url();
    this.session.log.push({
      at: new Date().toISOString(),
      method: 'UI-LOOK',
      url: before,
      requestBody: { followed: key, label: at.label, step: this.session.step },
    });
    const { navigating } = await pressAt(page, at);
    if (!navigating) return false; // an in-place action (and blocked in this tab): nothing more to see
    await page.waitForURL((u) => u.href !== before, { waitUntil: 'domcontentloaded', timeout: actionMs }).catch(() => undefined);
    return page.url() !== before;
  }

  /** A browser confirm()/alert() on the user's tab is one more click: accepted, counted in the action under way. */
  private dialog(dialog: Dialog): void {
    const act = this.current;
    if (act) {
      act.clicks.push({ purpose: `browser ${dialog.type()} dialog`, label: dialog.message().slice(0, 200) });
      act.shown.push(dialog.message());
    } else
      this.session.log.push({
        at: new Date().toISOString(),
        method: 'UI-DIALOG',
        url: this.session.currentUrl(),
        requestBody: { type: dialog.type(), message: dialog.message(), step: this.session.step },
      });
    void dialog.accept().catch(() => undefined);
  }
}
