/**
 * The browser side of one scenario: its context (from src/drivers/ui/browser.ts), the user's tab,
 * the read-only tab, navigations (counted: a screen change is a navigation of the user's tab's main
 * frame), waiting for a screen to load and for the UI to stop being busy, screenshots, the
 * Playwright trace, and the log of what the driver did (for the scenario's exchanges).
 */
import type { BrowserContext, Dialog, Page } from 'playwright';
import { within } from '../../harness/wait';
import { DriverExchange, TargetError } from '../driver';
import { BrowserError, takeContext } from './browser';
import { screenText, takesTyping } from './screen';

export interface SessionOptions {
  /** Where the web UI answers. */
  uiBaseUrl: string;
  actionMs: number;
  /** Present while the UI works on the user's last action (the map's `busy`). */
  busy?: string;
  trace?: boolean;
  traceSnapshots?: boolean;
}

export class UiSession {
  /** The step being run (named in errors). */
  step?: string;
  /** Main-frame navigations of the user's tab so far. */
  navs = 0;
  /** A browser dialog (confirm, alert) on the user's tab: the presses module counts it. */
  onDialog: (d: Dialog) => void = (d) => void d.accept().catch(() => undefined);
  readonly log: DriverExchange[] = [];
  private context?: BrowserContext;
  private page?: Page;
  private observer?: Page;
  private crash?: string;
  private readonly pageErrors: string[] = [];
  private readonly navWaiters = new Set<() => void>();
  private lastShot?: { key: string; png: Buffer };

  constructor(readonly o: SessionOptions) {}

  /** The user's tab (the scenario's context is made on first use). */
  async mainPage(): Promise<Page> {
    if (this.crash) throw new BrowserError(this.crash);
    if (this.page && !this.page.isClosed()) return this.page;
    let page: Page;
    if (!this.context) {
      const prepared = await takeContext({
        trace: !!this.o.trace,
        traceSnapshots: this.o.traceSnapshots,
        actionMs: this.o.actionMs,
        warmUrl: new URL(this.o.uiBaseUrl).origin + '/',
      });
      this.context = prepared.context;
      page = prepared.page;
    } else {
      page = await this.context.newPage();
    }
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) {
        this.navs++;
        for (const w of [...this.navWaiters]) w();
      }
    });
    page.on('crash', () => {
      this.crash = `the browser page crashed (step "${this.step ?? '?'}")`;
    });
    page.on('pageerror', (e) => {
      if (this.pageErrors.length < 20) this.pageErrors.push(e.message);
    });
    page.on('dialog', (d) => this.onDialog(d));
    this.page = page;
    return page;
  }

  /** A second tab for reading elsewhere; it can never change the target's state. */
  async observerPage(): Promise<Page> {
    if (this.observer && !this.observer.isClosed()) return this.observer;
    await this.mainPage();
    const obs = await this.context!.newPage();
    await obs.route('**/*', (r) => (['GET', 'HEAD'].includes(r.request().method()) ? r.continue() : r.abort('blockedbyclient')));
    obs.on('dialog', (d) => void d.dismiss().catch(() => undefined));
    this.observer = obs;
    return obs;
  }

  /** The read-only tab, loaded afresh at `url`. */
  async lookAt(url: string): Promise<Page> {
    const obs = await this.observerPage();
    await this.goto(obs, url, true);
    return obs;
  }

  currentUrl(): string {
    return this.page?.url() ?? '';
  }

  async goto(page: Page, url: string, force = false): Promise<void> {
    if (!force && samePlace(page.url(), url)) return;
    const res = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: this.o.actionMs }).catch(async (e: Error) => {
      // The screen was still on its way somewhere (a redirect, a script after the last press, or an
      // earlier action left running while a double held its answer, whose page lands just then and
      // aborts this one): let that navigation land, then go where the user goes. Once: a screen
      // that keeps moving is an error.
      if (!/interrupted by another navigation|net::ERR_ABORTED/i.test(e.message)) throw e;
      await page.waitForLoadState('domcontentloaded', { timeout: this.o.actionMs });
      return page.goto(url, { waitUntil: 'domcontentloaded', timeout: this.o.actionMs });
    });
    if (res && res.status() >= 400) {
      const text = (await screenText(page).catch(() => '')).slice(0, 300);
      throw new TargetError(`the screen ${url} answered HTTP ${res.status()}: ${text}`);
    }
    await this.settle(page);
  }

  /** Waits until the screen is loaded and no longer busy with the user's last action (bounded by actionMs). */
  async settle(page: Page): Promise<void> {
    await page.waitForLoadState('domcontentloaded', { timeout: this.o.actionMs });
    const busy = this.o.busy;
    if (!busy) return;
    if (await page.evaluate((sel) => !document.querySelector(sel), busy).catch(() => false)) return;
    for (let i = 0; ; i++) {
      try {
        await page.waitForFunction((sel) => !document.querySelector(sel), busy, { timeout: this.o.actionMs, polling: 10 });
        return;
      } catch (e) {
        // A navigation replaced the document while waiting: wait on the new one.
        if (i < 3 && /context was destroyed|navigat/i.test((e as Error).message)) {
          await page.waitForLoadState('domcontentloaded');
          continue;
        }
        if (/timeout/i.test((e as Error).message))
          throw new TargetError(`the screen ${page.url()} was still busy (${busy}) ${this.o.actionMs} ms after the user's last action`);
        throw e;
      }
    }
  }

  /**
   * While a national service holds its answer: is the LGC still usable? A text input of the
   * screen (the first of `probes` shown) takes typing, then is put back; on a screen without one,
   * another screen of the LGC (`elsewhere`, in the read-only tab) still loads.
   */
  async stillUsable(page: Page, probes: string[], elsewhere: string): Promise<void> {
    const typed = await takesTyping(page, probes);
    if (typed && !typed.ok) throw new TargetError(`the screen did not accept typing in ${typed.css}`);
    if (!typed) await this.lookAt(elsewhere);
  }

  /** Resolves once the user's tab has committed a navigation after `navsBefore` (bounded by actionMs). */
  navigated(navsBefore: number, after: string): Promise<void> {
    if (this.navs > navsBefore) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // eslint-disable-next-line no-restricted-syntax -- the navigation's bound: cleared by check() once the tab navigated
      const timer = setTimeout(() => {
        this.navWaiters.delete(check);
        reject(
          new TargetError(`the screen did not change within ${this.o.actionMs} ms of the press on ${after} (still ${this.currentUrl()})`),
        );
      }, this.o.actionMs);
      const check = () => {
        if (this.navs > navsBefore) {
          clearTimeout(timer);
          this.navWaiters.delete(check);
          resolve();
        }
      };
      this.navWaiters.add(check);
    });
  }

  /** An error of the driver, said with the step and the action (a crashed browser says so). */
  explain(error: unknown, action: string): Error {
    if (this.crash) return new BrowserError(`${this.crash}, during « ${action} »`);
    if (error instanceof TargetError) {
      if (this.step && !error.message.startsWith('step ')) error.message = `step « ${this.step} », ${action}: ${error.message}`;
      return error;
    }
    const msg = ((error as Error)?.message ?? String(error)).split('\n')[0];
    const closed = /Target page, context or browser has been closed|Browser has been closed/i.test(msg);
    const Err = closed ? BrowserError : TargetError;
    return new Err(`${this.step ? `step « ${this.step} », ` : ''}${action}: ${msg}`);
  }

  /** A picture (JPEG) of the user's screen now (none before the first screen). */
  async screenshot(): Promise<Buffer | undefined> {
    const page = this.page;
    if (!page || page.isClosed() || page.url() === 'about:blank') return undefined;
    // The same screen, unchanged since the last picture, is not photographed again.
    const changes = await page.evaluate(() => (window as unknown as { __vigieChanges?: number }).__vigieChanges ?? -1).catch(() => -1);
    const key = `${this.navs}|${page.url()}|${changes}`;
    if (changes >= 0 && this.lastShot?.key === key) return this.lastShot.png;
    // caret and animations left as they are: hiding them costs Playwright a script per page (twice the time).
    const png = await page.screenshot({ type: 'jpeg', quality: 80, timeout: 3000, caret: 'initial' }).catch(() => undefined);
    if (png) this.lastShot = { key, png };
    return png;
  }

  /** Ends the browser context; returns its Playwright trace when asked (a failure). */
  async finish(keepTrace: boolean): Promise<Buffer | undefined> {
    const ctx = this.context;
    if (!ctx) return undefined;
    let trace: Buffer | undefined;
    if (this.o.trace && keepTrace) {
      try {
        const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
        const { join } = await import('node:path');
        const { tmpdir } = await import('node:os');
        const dir = mkdtempSync(join(tmpdir(), 'vigie-trace-'));
        await withTimeout(ctx.tracing.stop({ path: join(dir, 'trace.zip') }), 10_000, 'saving the trace');
        trace = readFileSync(join(dir, 'trace.zip'));
        rmSync(dir, { recursive: true, force: true });
      } catch {
        /* a trace is a bonus; the screenshot and exchanges remain */
      }
    }
    this.context = undefined;
    this.page = undefined;
    this.observer = undefined;
    const closing = withTimeout(ctx.close(), 5_000, 'closing the browser context').catch(() => undefined);
    // Nothing more to keep: the context is closed while the next scenario starts (the browser closes at the end anyway).
    if (keepTrace) await closing;
    return trace;
  }

  pageErrorsSeen(): string[] {
    return this.pageErrors.slice();
  }

  async close(): Promise<void> {
    const ctx = this.context;
    this.context = undefined;
    this.page = undefined;
    this.observer = undefined;
    if (ctx) await withTimeout(ctx.close(), 5_000, 'closing the browser context').catch(() => undefined);
  }
}

/** Same screen: same path (and hash), and no query parameter the two URLs both carry differs. */
export function samePlace(current: string, wanted: string): boolean {
  let currentUrl: URL, wantedUrl: URL;
  try {
    currentUrl = new URL(current);
    wantedUrl = new URL(wanted);
  } catch {
    return false;
  }
  if (currentUrl.origin !== wantedUrl.origin || currentUrl.pathname !== wantedUrl.pathname || currentUrl.hash !== wantedUrl.hash)
    return false;
  for (const [k, v] of wantedUrl.searchParams) if (currentUrl.searchParams.has(k) && currentUrl.searchParams.get(k) !== v) return false;
  return true;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const outcome = await within(promise, ms);
  if (!outcome.settled) throw new Error(`${what}: no end within ${ms} ms`);
  return outcome.value;
}
