/**
 * The one headless Chromium of a worker (Debian's /usr/bin/chromium: Vigie never downloads a
 * browser). Scenarios each get a fresh context from it. A crash is said once, clearly, and every
 * later scenario of the worker errors with the same message instead of hanging.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright';
import { TargetError } from '../driver';

export const CHROMIUM_PATH = process.env.VIGIE_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The browser could not be started or died: the harness cannot run (exit 2), never a verdict. */
export class BrowserError extends TargetError {
  override name = 'BrowserError';
}

let shared: Promise<Browser> | undefined;
let crashed: string | undefined;
/**
 * Playwright keeps each traced context's call stacks in a temporary folder of its own, and leaves
 * it behind when a context is closed without saving its trace (every passing scenario): a run left
 * hundreds of empty playwright-tracing-* folders in /tmp. Given one folder, it works there, and
 * that folder goes with the browser.
 */
let tracesDir: string | undefined;
let tracesDirWatched = false;
function dropTracesDir(): void {
  if (tracesDir) rmSync(tracesDir, { recursive: true, force: true });
  tracesDir = undefined;
}

export function browserProblem(): string | undefined {
  if (!existsSync(CHROMIUM_PATH))
    return `no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium), or set VIGIE_CHROMIUM`;
  return undefined;
}

export function launchBrowser(timeoutMs = 20_000): Promise<Browser> {
  if (crashed) return Promise.reject(new BrowserError(crashed));
  shared ??= (async () => {
    const problem = browserProblem();
    if (problem) throw new BrowserError(problem);
    // Required lazily: the http driver never loads Playwright.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { chromium } = require('playwright') as typeof import('playwright');
    let browser: Browser;
    if (!tracesDir) {
      if (!tracesDirWatched) process.once('exit', dropTracesDir);
      tracesDirWatched = true;
      tracesDir = mkdtempSync(join(tmpdir(), 'vigie-traces-'));
    }
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: CHROMIUM_FLAGS,
        headless: true,
        timeout: timeoutMs,
        tracesDir,
      });
    } catch (e) {
      throw new BrowserError(`Chromium (${CHROMIUM_PATH}) did not start within ${timeoutMs} ms: ${(e as Error).message.split('\n')[0]}`);
    }
    browser.on('disconnected', () => {
      if (shared) crashed = `the browser (${CHROMIUM_PATH}) closed or crashed during the run`;
      shared = undefined;
    });
    return browser;
  })();
  shared.catch(() => {
    shared = undefined;
  });
  return shared;
}

export interface Prepared {
  context: BrowserContext;
  page: Page;
}
export interface ContextOptions {
  trace: boolean;
  traceSnapshots?: boolean;
  actionMs: number;
  /** a page of the UI's site, loaded beforehand so that its renderer process is up */ warmUrl?: string;
}
let spare: { key: string; ready: Promise<Prepared> } | undefined;

/**
 * A fresh context (and its first page) for a scenario. Creating one costs a couple of hundred
 * milliseconds on a small machine, so the next one is prepared while the scenario runs.
 */
export async function takeContext(options: ContextOptions): Promise<Prepared> {
  const key = JSON.stringify(options);
  const mine = spare?.key === key ? spare.ready : prepare(options);
  if (spare && spare.key !== key) void spare.ready.then((p) => p.context.close()).catch(() => undefined);
  const next = prepare(options);
  next.catch(() => undefined);
  spare = { key, ready: next };
  return mine;
}

async function prepare(options: ContextOptions): Promise<Prepared> {
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  context.setDefaultTimeout(options.actionMs);
  context.setDefaultNavigationTimeout(options.actionMs);
  // Counts changes of the document, so that an unchanged screen is not photographed twice.
  await context.addInitScript(() => {
    const win = window as unknown as { __vigieChanges: number };
    win.__vigieChanges = 0;
    new MutationObserver(() => {
      win.__vigieChanges++;
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  // DOM snapshots make a trace far richer, and the run a quarter slower: off unless asked (ui.traceSnapshots).
  if (options.trace) await context.tracing.start({ screenshots: false, snapshots: options.traceSnapshots === true });
  const page = await context.newPage();
  if (options.warmUrl) await page.goto(options.warmUrl, { waitUntil: 'commit', timeout: options.actionMs }).catch(() => undefined);
  return { context, page };
}

export async function closeBrowser(): Promise<void> {
  const leftSpare = spare;
  spare = undefined;
  if (leftSpare) await leftSpare.ready.then((p) => p.context.close()).catch(() => undefined);
  const launched = shared;
  shared = undefined;
  crashed = undefined;
  if (launched) await (await launched.catch(() => undefined))?.close().catch(() => undefined);
  dropTracesDir();
}
