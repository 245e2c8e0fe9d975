import type { BrowserContext, Dialog, Page } from 'playwright';
import {
  ActionResult, CarteVitale, Click, ComparisonRow, ConsultResult, DocumentContent, DocumentType, DocumentView, DriverExchange, IdentityView,
  InsiOutcome, LgcDriver, Masking, Observed, OutgoingMessage, QualifyMethod, QualifyResult, ResetOptions, Settings, TargetError, ThreadMessage, Traits, Workstation,
} from './driver';
import { HttpDriver } from './http-driver';
import { BrowserError, takeContext } from './ui/browser';
import { LocateError, Located, enterInPage, locate, optionsInPage, pressAt, typeKeys } from './ui/dom';
import { ReadPlan, ReadResult, norm, readInPage } from './ui/in-page';
import { SelectorMap, fill } from './ui/selector-map';

/** A selector that matched nothing, or several elements, where the driver needed exactly one. */
export class UiSelectorError extends TargetError { override name = 'UiSelectorError'; }

/** The type codes a document must carry (SEND-05), for a UI that makes the user choose one. */
const EXPECTED_TYPE_CODES: Record<DocumentType, string> = {
  prescription: '57833-6', 'consultation-report': '11488-4', 'vaccination-note': '87273-9', vsm: '60591-5',
};
const TRAITS = ['birthName', 'firstName', 'birthDate', 'sex'] as const;

/** One user action in progress: its presses (clicks) and what was shown when it confirmed. */
export interface Act { name: string; clicks: Click[]; navAtClick?: number; startedAt?: number; shown: string[] }

export interface UiDriverOptions {
  /** The target's test-driver API: set-up (reset, patients, settings) and what has no screen. */
  api: HttpDriver;
  map: SelectorMap;
  /** Where the web UI answers (the map's baseUrl, else the target's). */
  uiBaseUrl: string;
  actionMs: number;
  /** How long to wait for an element to appear before saying the selector matched nothing. */
  findMs?: number;
  /** Record a Playwright trace (kept for failed scenarios): actions, network, console. */
  trace?: boolean;
  /** Add DOM snapshots to the trace (much richer, a quarter slower). */
  traceSnapshots?: boolean;
}

/**
 * A target's page objects: a module whose default export is a subclass of UiDriver, for a UI
 * whose flow the selector map cannot describe (see docs/ui-driver.md). Its protected helpers
 * (action, goto, click, type, choose, read, view, …) count clicks and read screens the same way.
 */
export type UiDriverClass = new (o: UiDriverOptions) => UiDriver;

/**
 * Drives an LGC through its web UI in headless Chromium, as a person would: it goes to a
 * screen, types, selects, clicks. Every action reports the clicks it took (presses on buttons,
 * links, checkboxes, and browser confirm dialogs) and the screen changes (main-frame
 * navigations) from its first click; what the user then sees is read from the screen.
 *
 * One page is the user's screen. Reads that the user would make elsewhere (another file,
 * while the screen is still loading) go to a second tab that can never write: every request
 * from it other than GET is aborted.
 *
 * Set-up has no screen (reset, seeding patients, settings, outgoing mail, the CDA bytes): it
 * goes through the target's test-driver API, as with the http driver.
 */
export class UiDriver implements LgcDriver {
  readonly kind = 'ui' as const;
  /** The step being run (set by the hooks), named in errors. */
  step?: string;
  onPress?: () => void;
  checkResponsiveness?: boolean;
  private context?: BrowserContext;
  private page?: Page;
  private observer?: Page;
  private tenant = '';
  private inFlight = 0;
  private navs = 0;
  private current?: Act;
  private crash?: string;
  private readonly log: DriverExchange[] = [];
  private readonly typeChosenByUser = new Set<string>();
  private readonly pageErrors: string[] = [];
  private readonly findMs: number;
  private lastShot?: { key: string; png: Buffer };
  private readonly navWaiters = new Set<() => void>();

  constructor(protected readonly o: UiDriverOptions) {
    this.findMs = o.findMs ?? Math.min(5000, o.actionMs);
  }

  protected get s() { return this.o.map.selectors; }

  // --- set-up, through the test-driver API -----------------------------------------------------

  health(timeoutMs: number) { return this.o.api.health(timeoutMs); }

  async reset(opts: ResetOptions): Promise<void> {
    this.tenant = opts.tenant;
    await this.o.api.reset(opts);
  }

  createPatient(file: Traits, appointments?: string[]) { return this.o.api.createPatient(file, appointments); }
  settings(ws: Workstation, settings: Settings) { return this.o.api.settings(ws, settings); }
  documentContent(documentId: string) { return this.o.api.documentContent(documentId); }
  sendMessage(ws: Workstation, message: OutgoingMessage) { return this.o.api.sendMessage(ws, message); }
  endExchange(ws: Workstation, patientId: string) { return this.o.api.endExchange(ws, patientId); }

  // --- actions on the screen -------------------------------------------------------------------

  insertCarteVitale(ws: Workstation, card: CarteVitale) {
    return this.action('read the Carte Vitale', async (a, page) => {
      await this.goto(page, this.url('patientList', ws), true);
      const c = this.s.carteVitale;
      await this.type(page, 'carteVitale.matricule', c.matricule, card.matricule);
      if (c.key && card.key) await this.type(page, 'carteVitale.key', c.key, card.key);
      await this.type(page, 'carteVitale.birthName', c.birthName, card.birthName);
      await this.type(page, 'carteVitale.firstName', c.firstName, card.firstName);
      await this.type(page, 'carteVitale.birthDate', c.birthDate, card.birthDate);
      await this.click(a, page, 'carteVitale.submit', c.submit);
      await this.probe(page);
      const id = new RegExp(this.o.map.ids.patientFromUrl).exec(page.url())?.[1];
      if (!id) throw new TargetError(`after reading the Carte Vitale the screen is ${page.url()}, not a patient file (ids.patientFromUrl)${await this.refusalText(page, this.s.identity.refusal)}`);
      return { patientId: decodeURIComponent(id) };
    });
  }

  openPatientFile(ws: Workstation, patientId: string) {
    return this.action('open the patient file', async (a, page) => {
      await this.goto(page, this.url('patientList', ws), true);
      await this.click(a, page, 'patientList.patientLink', fill(this.s.patientList.patientLink, { patientId }, 'css'));
      await this.probe(page);
      return this.readIdentity(page, patientId);
    });
  }

  startOfDay(ws: Workstation, date: string) {
    return this.action('start the day', async (a, page) => {
      await this.goto(page, this.url('patientList', ws), true);
      await this.type(page, 'startOfDay.date', this.s.startOfDay.date, date);
      await this.click(a, page, 'startOfDay.submit', this.s.startOfDay.submit);
      await this.probe(page);
      const r = await this.read(page, { values: { result: norm(this.s.startOfDay.result)! } });
      const n = Number(r.values.result);
      if (!Number.isFinite(n)) throw new TargetError(`start of day: no number of patients shown (startOfDay.result read ${JSON.stringify(r.values.result)})`);
      return { patientsOfTheDay: n };
    });
  }

  identity(patientId: string) {
    return this.view(this.url('patientFile', undefined, { patientId }), (page) => this.readIdentity(page, patientId));
  }

  qualify(ws: Workstation, patientId: string, method: QualifyMethod, document?: string): Promise<Observed<QualifyResult>> {
    return this.action(`qualify the INS (${method})`, async (a, page): Promise<QualifyResult> => {
      await this.goto(page, this.url('patientFile', ws, { patientId }));
      const id = this.s.identity;
      const steps = this.s.qualifySteps ?? {};
      await this.one(page, 'identity.panel', id.panel);
      const control = method === 'document' ? id.qualifyWithDocument : id.qualifyException;
      if (!(await this.present(page, id.offer)) || !(await this.present(page, control))) {
        return { qualified: false, status: 0, reason: 'not-offered', message: `the identity panel offers no ${method === 'document' ? 'qualification by document' : 'exception procedure'} to this workstation` };
      }
      if (method === 'document') {
        if (await this.present(page, id.documentSelect)) await this.choose(page, 'identity.documentSelect', id.documentSelect, document ?? '');
        await this.click(a, page, 'identity.qualifyWithDocument', control);
      } else {
        a.shown.push(await this.textOf(page, control));
        await this.click(a, page, 'identity.qualifyException', control);
      }
      // Further steps the UI asks for, each one more click (a second screen, a confirmation).
      for (let i = 0; i < 4; i++) {
        if (steps.next && await this.present(page, steps.next)) {
          if (method === 'document' && steps.documentSelect && await this.present(page, steps.documentSelect)) {
            await this.choose(page, 'qualifySteps.documentSelect', steps.documentSelect, document ?? '');
          }
          a.shown.push(await this.screenText(page));
          await this.click(a, page, 'qualifySteps.next', steps.next);
        } else if (steps.confirm && await this.present(page, steps.confirm)) {
          a.shown.push(await this.screenText(page));
          await this.click(a, page, 'qualifySteps.confirm', steps.confirm);
        } else break;
      }
      const v = await this.readIdentity(page, patientId, { explore: false });
      if (v.ins.status === 'qualified') {
        return { qualified: true, clicks: a.clicks.length, screenChanges: this.navs - (a.navAtClick ?? this.navs), shown: a.shown, ins: v.ins };
      }
      const why = await this.refusalText(page, id.refusal);
      return { qualified: false, status: 0, reason: 'refused', message: why.replace(/^: /, '') || `the INS is still « ${v.ins.status} » on the identity panel` };
    });
  }

  createDocument(ws: Workstation, patientId: string, type: DocumentType, content: DocumentContent) {
    return this.action(`write a ${type}`, async (a, page) => {
      const n = this.s.newDocument;
      const fileUrl = this.url('patientFile', ws, { patientId });
      const several = (content.vaccinations?.length ?? 0) > 1;
      // The list of documents matters only when one action makes several (one note per vaccination).
      await this.goto(page, fileUrl, several);
      const before = several ? await this.documentIds(page) : [];
      await this.choose(page, 'newDocument.type', n.type, n.typeOptions[type], 'value');
      if (n.title && content.title) await this.type(page, 'newDocument.title', n.title, content.title);
      await this.type(page, 'newDocument.content', n.content, editorText(type, content));
      if (n.medecinTraitant && content.medecinTraitant) await this.type(page, 'newDocument.medecinTraitant', n.medecinTraitant, content.medecinTraitant);
      await this.click(a, page, 'newDocument.submit', n.submit);
      const first = new RegExp(this.o.map.ids.documentFromUrl).exec(page.url())?.[1];
      if (!first) throw new TargetError(`after « Nouveau document » the screen is ${page.url()}, not a document editor (ids.documentFromUrl)${await this.refusalText(page, this.s.identity.refusal)}`);
      const ids = [decodeURIComponent(first)];
      if (several) {
        // One note per vaccination: the others are found in the patient's file.
        const obs = await this.observerPage();
        await this.goto(obs, fileUrl, true);
        for (const id of await this.documentIds(obs)) if (!before.includes(id) && !ids.includes(id)) ids.push(id);
      }
      const views = [await this.readDocument(page, ids[0])];
      for (const id of ids.slice(1)) views.push((await this.document(id)).value);
      return views;
    });
  }

  document(documentId: string) {
    return this.view(this.url('document', undefined, { documentId }), (page) => this.readDocument(page, documentId));
  }

  doNotSend(ws: Workstation, documentId: string) {
    return this.action('do not send to the DMP', async (a, page) => {
      await this.goto(page, this.url('document', ws, { documentId }));
      const e = this.s.editor;
      await this.click(a, page, 'editor.doNotSend', e.doNotSend);
      if (e.doNotSendConfirm && await this.present(page, e.doNotSendConfirm)) await this.click(a, page, 'editor.doNotSendConfirm', e.doNotSendConfirm);
      return this.result(a, page, documentId);
    });
  }

  mask(ws: Workstation, documentId: string, maskedFrom: Masking[]) {
    return this.action('set the masking', async (a, page) => {
      await this.goto(page, this.url('document', ws, { documentId }));
      // Ticking a masking box is data entry, not a click (src/reference-lgc/ui/README.md).
      for (const [m, css] of Object.entries(this.s.editor.mask) as [Masking, string][]) {
        await this.one(page, `editor.mask.${m}`, css);
        const checked = (await this.read(page, { checked: { box: css } })).checked.box;
        if (checked !== maskedFrom.includes(m)) await this.click(undefined, page, `editor.mask.${m}`, css);
      }
      return this.result(a, page, documentId);
    });
  }

  validate(ws: Workstation, documentId: string) {
    return this.action('validate and print', async (a, page) => {
      await this.goto(page, this.url('document', ws, { documentId }));
      const e = this.s.editor;
      await this.click(a, page, 'editor.validate', e.validate);
      for (let i = 0; i < 4; i++) {
        if (e.typeChoiceConfirm && await this.present(page, e.typeChoiceConfirm)) {
          const type = (await this.read(page, { values: { type: norm(e.type)! } })).values.type as DocumentType;
          if (e.typeChoiceSelect) await this.choose(page, 'editor.typeChoiceSelect', e.typeChoiceSelect, EXPECTED_TYPE_CODES[type] ?? '', 'code');
          this.typeChosenByUser.add(documentId);
          await this.click(a, page, 'editor.typeChoiceConfirm', e.typeChoiceConfirm);
        } else if (e.maskingDialogOk && await this.present(page, e.maskingDialogOk)) {
          await this.click(a, page, 'editor.maskingDialogOk', e.maskingDialogOk);
        } else break;
      }
      await this.probe(page);
      return this.result(a, page, documentId);
    });
  }

  sendToDmp(ws: Workstation, documentId: string) {
    return this.action('send to the DMP', async (a, page) => {
      await this.goto(page, this.url('document', ws, { documentId }));
      const b = this.s.editor.sendToDmpButton;
      if (!b) throw new UiSelectorError('editor.sendToDmpButton: not in the selector map, and this UI has no separate send button to press');
      await this.click(a, page, 'editor.sendToDmpButton', b);
      return this.result(a, page, documentId);
    });
  }

  consultDmp(ws: Workstation, patientId: string, nonOpposition?: boolean) {
    return this.action('consult the DMP', async (a, page): Promise<ConsultResult> => {
      await this.goto(page, this.url('patientFile', ws, { patientId }), true);
      const d = this.s.dmpConsultation;
      await this.click(a, page, 'dmpConsultation.consult', d.consult);
      let r = await this.readConsult(page);
      if (r.asked && nonOpposition !== undefined) {
        await this.click(a, page, nonOpposition ? 'dmpConsultation.yes' : 'dmpConsultation.no', nonOpposition ? d.yes : d.no);
        r = await this.readConsult(page);
      }
      return r;
    });
  }

  patientMessages(patientId: string) {
    // The messages screen reads the mailbox when it opens: every read opens it again.
    return this.view(this.url('messages', undefined, { patientId }), (page) => this.readMessages(page), true);
  }

  // --- evidence --------------------------------------------------------------------------------

  exchanges(): DriverExchange[] {
    return [...this.o.api.exchanges(), ...this.log].sort((x, y) => x.at.localeCompare(y.at));
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

  /** Ends the scenario's browser context; returns its Playwright trace when asked (a failure). */
  async finish(keepTrace: boolean): Promise<Buffer | undefined> {
    const ctx = this.context;
    if (!ctx) return undefined;
    let trace: Buffer | undefined;
    if (this.o.trace) {
      try {
        if (keepTrace) {
          const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
          const { join } = await import('node:path');
          const { tmpdir } = await import('node:os');
          const dir = mkdtempSync(join(tmpdir(), 'vigie-trace-'));
          await withTimeout(ctx.tracing.stop({ path: join(dir, 'trace.zip') }), 10_000, 'saving the trace');
          trace = readFileSync(join(dir, 'trace.zip'));
          rmSync(dir, { recursive: true, force: true });
        }
      } catch { /* a trace is a bonus; the screenshot and exchanges remain */ }
    }
    if (trace === undefined && !keepTrace) {
      // Nothing more to keep: the context (and its unsaved trace) is thrown away while the next
      // scenario starts; a failure to close is of no consequence (the browser closes at the end).
      this.context = undefined; this.page = undefined; this.observer = undefined;
      await this.o.api.close();
      void withTimeout(ctx.close(), 5_000, 'closing the browser context').catch(() => undefined);
      return undefined;
    }
    await this.close();
    return trace;
  }

  pageErrorsSeen(): string[] { return this.pageErrors.slice(); }

  async close(): Promise<void> {
    const ctx = this.context;
    this.context = undefined; this.page = undefined; this.observer = undefined;
    await this.o.api.close();
    if (ctx) await withTimeout(ctx.close(), 5_000, 'closing the browser context').catch(() => undefined);
  }

  // --- the machinery ---------------------------------------------------------------------------

  protected ws(w?: Workstation): string {
    if (!w) return this.o.map.workstations.PS;
    const key = w.role === 'PS' ? 'PS' : w.card === 'CPE-nominative' ? 'secretariat-nominative' : 'secretariat-anonymous';
    return this.o.map.workstations[key];
  }

  protected url(key: keyof SelectorMap['urls'], w?: Workstation, vars: Record<string, string> = {}): string {
    const path = fill(this.o.map.urls[key], { tenant: this.tenant, ws: this.ws(w), ...vars }, 'url');
    return /^https?:/.test(path) ? path : this.o.uiBaseUrl.replace(/\/$/, '') + path;
  }

  protected async mainPage(): Promise<Page> {
    if (this.crash) throw new BrowserError(this.crash);
    if (this.page && !this.page.isClosed()) return this.page;
    let page: Page;
    if (!this.context) {
      const p = await takeContext({ trace: !!this.o.trace, traceSnapshots: this.o.traceSnapshots, actionMs: this.o.actionMs, warmUrl: new URL(this.o.uiBaseUrl).origin + '/' });
      this.context = p.context;
      page = p.page;
    } else {
      page = await this.context.newPage();
    }
    page.on('framenavigated', (f) => { if (f === page.mainFrame()) { this.navs++; for (const w of [...this.navWaiters]) w(); } });
    page.on('crash', () => { this.crash = `the browser page crashed (step "${this.step ?? '?'}")`; });
    page.on('pageerror', (e) => { if (this.pageErrors.length < 20) this.pageErrors.push(e.message); });
    page.on('dialog', (d) => this.onDialog(d));
    this.page = page;
    return page;
  }

  /** A second tab for reading elsewhere; it can never change the target's state. */
  protected async observerPage(): Promise<Page> {
    if (this.observer && !this.observer.isClosed()) return this.observer;
    await this.mainPage();
    const obs = await this.context!.newPage();
    await obs.route('**/*', (r) => (['GET', 'HEAD'].includes(r.request().method()) ? r.continue() : r.abort('blockedbyclient')));
    obs.on('dialog', (d) => void d.dismiss().catch(() => undefined));
    this.observer = obs;
    return obs;
  }

  /** A browser confirm()/alert() is one more click for the user; accept it and count it. */
  protected onDialog(d: Dialog): void {
    const a = this.current;
    if (a) { a.clicks.push({ purpose: `browser ${d.type()} dialog`, label: d.message().slice(0, 200) }); a.shown.push(d.message()); }
    void d.accept().catch(() => undefined);
  }

  protected async action<T>(name: string, fn: (a: Act, page: Page) => Promise<T>): Promise<Observed<T>> {
    const a: Act = { name, clicks: [], shown: [] };
    const ex: DriverExchange = { at: new Date().toISOString(), method: 'UI', url: '', requestBody: { action: name, step: this.step } };
    this.log.push(ex);
    const t0 = performance.now();
    this.inFlight++;
    this.current = a;
    try {
      const page = await this.mainPage();
      const value = await fn(a, page);
      const ms = Math.round(performance.now() - (a.startedAt ?? t0));
      Object.assign(ex, { url: page.url(), status: 200, ms, responseBody: { clicks: a.clicks, screenChanges: this.navs - (a.navAtClick ?? this.navs) } });
      return { value, ms };
    } catch (e) {
      const err = this.explain(e, name);
      Object.assign(ex, { url: this.page?.url() ?? '', error: err.message, ms: Math.round(performance.now() - t0), responseBody: { clicks: a.clicks } });
      throw err;
    } finally {
      this.inFlight--;
      if (this.current === a) this.current = undefined;
    }
  }

  /**
   * Reads a screen as the user would look at it: on the user's own tab (going to `url` if it shows
   * another screen), or, while an action is still running there, in the read-only tab.
   */
  protected async view<T>(url: string, reader: (page: Page) => Promise<T>, reload = false): Promise<Observed<T>> {
    this.onPress?.(); // a look at the screen: the clock starts at once
    const t0 = performance.now();
    const ex: DriverExchange = { at: new Date().toISOString(), method: 'UI-READ', url, requestBody: { step: this.step } };
    try {
      // The user's own screen, brought to `url` if needed, unless an action is still running on it.
      let page: Page;
      if (this.inFlight === 0) { page = await this.mainPage(); await this.goto(page, url, reload); }
      else { page = await this.observerPage(); await this.goto(page, url, true); }
      const value = await reader(page);
      ex.ms = Math.round(performance.now() - t0);
      return { value, ms: ex.ms };
    } catch (e) {
      const err = this.explain(e, `read ${url}`);
      ex.error = err.message; ex.ms = Math.round(performance.now() - t0);
      this.log.push(ex);
      throw err;
    }
  }

  protected async goto(page: Page, url: string, force = false): Promise<void> {
    if (!force && samePlace(page.url(), url)) return;
    const res = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: this.o.actionMs });
    if (res && res.status() >= 400) {
      const text = (await this.screenText(page).catch(() => '')).slice(0, 300);
      throw new TargetError(`the screen ${url} answered HTTP ${res.status()}: ${text}`);
    }
    await this.settle(page);
  }

  /** Waits until the screen is loaded and no longer busy with the user's last action. */
  protected async settle(page: Page): Promise<void> {
    await page.waitForLoadState('domcontentloaded', { timeout: this.o.actionMs });
    const busy = this.o.map.busy;
    if (!busy) return;
    if (await page.evaluate((sel) => !document.querySelector(sel), busy).catch(() => false)) return;
    for (let i = 0; ; i++) {
      try {
        await page.waitForFunction((sel) => !document.querySelector(sel), busy, { timeout: this.o.actionMs, polling: 10 });
        return;
      } catch (e) {
        // A navigation replaced the document while waiting: wait on the new one.
        if (i < 3 && /context was destroyed|navigat/i.test((e as Error).message)) { await page.waitForLoadState('domcontentloaded'); continue; }
        throw e;
      }
    }
  }

  /** Exactly one visible element for `css` (waiting, bounded, for it to appear). */
  protected async one(page: Page, key: string, css: string): Promise<Located> {
    try { return await locate(page, key, css, this.findMs); } catch (e) {
      if (e instanceof LocateError) throw new UiSelectorError(`${e.message}, on the screen ${page.url()} « ${await page.title().catch(() => '?')} »`);
      throw e;
    }
  }

  protected async present(page: Page, css: string): Promise<boolean> {
    return (await this.read(page, { present: { x: css } })).present.x > 0;
  }

  /** A press the user makes (counted when `a` is given), then the wait for what it caused. */
  protected async click(a: Act | undefined, page: Page, key: string, css: string): Promise<void> {
    const at = await this.one(page, key, css);
    if (a) {
      a.clicks.push({ purpose: key, label: at.label.slice(0, 200) });
      if (a.startedAt === undefined) { a.startedAt = performance.now(); this.onPress?.(); }
      a.navAtClick ??= this.navs;
    }
    const navsBefore = this.navs;
    const { navigating } = await pressAt(page, at);
    if (navigating) await this.navigated(navsBefore);
    await this.settle(page);
  }

  /** Resolves once the main frame has committed a navigation after `navsBefore` (bounded). */
  protected navigated(navsBefore: number): Promise<void> {
    if (this.navs > navsBefore) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.navWaiters.delete(check); reject(new TargetError(`the screen did not change within ${this.o.actionMs} ms of the press`)); }, this.o.actionMs);
      const check = () => { if (this.navs > navsBefore) { clearTimeout(timer); this.navWaiters.delete(check); resolve(); } };
      this.navWaiters.add(check);
    });
  }

  protected async type(page: Page, key: string, css: string, value: string): Promise<void> {
    let problem = await page.evaluate(enterInPage, { css, value });
    if (problem?.startsWith('matched 0 ')) { await this.one(page, key, css); problem = await page.evaluate(enterInPage, { css, value }); }
    if (problem) throw new UiSelectorError(`selector ${key} (${css}) ${problem}, on the screen ${page.url()}`);
  }

  /** Chooses an option of a <select> (data entry, not a click) by its label, value or a code it contains. */
  protected async choose(page: Page, key: string, css: string, wanted: string, by: 'label' | 'value' | 'code' = 'label'): Promise<void> {
    await this.one(page, key, css);
    const options = await page.evaluate(optionsInPage, css);
    if (typeof options === 'string') throw new UiSelectorError(`selector ${key} (${css}) ${options}, on the screen ${page.url()}`);
    const n = (x: string) => x.normalize('NFC').replace(/\s+/g, ' ').trim();
    const hit = by === 'value' ? options.find((o) => o.value === wanted)
      : by === 'code' ? options.find((o) => o.value === wanted || o.label.includes(wanted)) ?? options.find((o) => o.value !== '')
        : options.find((o) => n(o.label) === n(wanted));
    if (!hit) throw new UiSelectorError(`${key} (${css}): no option « ${wanted} » (offered: ${options.map((o) => `« ${o.label} »`).join(', ')})`);
    await this.type(page, key, css, hit.value);
    await this.settle(page);
  }

  /**
   * While a national service holds its answer: is the LGC still usable? A text input of the
   * screen accepts typing (then is put back); on a screen without one, another screen of the LGC
   * (the patient list, in the read-only tab) still loads. Its time counts in the action's.
   */
  protected async probe(page: Page): Promise<void> {
    if (!this.checkResponsiveness) return;
    for (const css of this.o.map.typingProbes ?? []) {
      if (!(await this.present(page, css))) continue;
      const before = await page.evaluate((c) => { const i = document.querySelector(c) as HTMLInputElement; i.focus(); i.setSelectionRange?.(i.value.length, i.value.length); return i.value; }, css);
      await typeKeys(page, 'x');
      // Read back and put the field as it was, in one round trip.
      const took = await page.evaluate(({ c, v }) => { const i = document.querySelector(c) as HTMLInputElement; const ok = i.value === v + 'x'; i.value = v; i.blur(); return ok; }, { c: css, v: before });
      if (!took) throw new TargetError(`the screen did not accept typing in ${css}`);
      return;
    }
    await this.goto(await this.observerPage(), this.url('patientList'), true);
  }

  protected async read(page: Page, plan: ReadPlan): Promise<ReadResult> {
    let r: ReadResult | undefined;
    for (let i = 0; !r; i++) {
      try { r = await page.evaluate(readInPage, plan); } catch (e) {
        if (i < 3 && /context was destroyed|navigat/i.test((e as Error).message)) { await page.waitForLoadState('domcontentloaded'); continue; }
        throw e;
      }
    }
    if (r.ambiguous.length) throw new UiSelectorError(`on the screen ${r.url} « ${r.screen} »: ${r.ambiguous.join('; ')} — one was expected`);
    return r;
  }

  protected async textOf(page: Page, css: string): Promise<string> {
    return (await this.read(page, { values: { t: { css } } })).values.t ?? '';
  }

  protected async screenText(page: Page): Promise<string> {
    return page.evaluate(() => (document.body?.innerText ?? '').replace(/\s+/g, ' ').trim());
  }

  protected async refusalText(page: Page, css?: string): Promise<string> {
    if (!css || !(await this.present(page, css).catch(() => false))) return '';
    return ': ' + (await this.textOf(page, css).catch(() => ''));
  }

  protected async documentIds(page: Page): Promise<string[]> {
    const re = this.o.map.ids.documentFromUrl;
    const hrefs = await page.evaluate((css) => Array.from(document.querySelectorAll(css)).map((e) => (e as HTMLAnchorElement).href), this.s.newDocument.documentLinks);
    return hrefs.map((h) => new RegExp(re).exec(h)?.[1]).filter((x): x is string => !!x).map(decodeURIComponent);
  }

  protected async readIdentity(page: Page, patientId: string, o: { explore?: boolean } = {}): Promise<IdentityView> {
    const id = this.s.identity;
    const groups: ReadPlan['groups'] = {};
    for (const t of TRAITS) {
      groups[t] = { css: fill(id.traitRow, { trait: t }, 'css'), fields: { file: { css: id.traitFile }, insi: { css: id.traitInsi } }, flag: id.traitHighlighted };
    }
    const plan: ReadPlan = {
      values: {
        insStatus: norm(id.insStatus)!, insNumber: norm(id.insNumber)!, insiOutcome: norm(id.insiOutcome)!, concordance: norm(id.concordance)!,
        ...(id.qualifiedBy ? { qualifiedBy: norm(id.qualifiedBy)! } : {}),
        ...(id.insiTrigger ? { insiTrigger: norm(id.insiTrigger)! } : {}),
        ...(id.insiMessage ? { insiMessage: norm(id.insiMessage)! } : {}),
        attestation: { css: id.qualifyException },
      },
      present: { panel: id.panel, offer: id.offer, exception: id.qualifyException, byDocument: id.qualifyWithDocument },
      options: { documents: id.documentSelect },
      groups,
    };
    let r = await this.read(page, plan);
    if (!r.present.panel) { await this.one(page, 'identity.panel', id.panel); r = await this.read(page, plan); } // still loading: wait (bounded)
    const v = r.values;
    const rows = TRAITS.flatMap((t) => r.groups[t].map((g) => ({ trait: t, ...g })));
    // Highlighted = flagged AND drawn differently from the rows that are not flagged.
    const plain = new Set(rows.filter((x) => !x.flagged).map((x) => x.style));
    const comparison: ComparisonRow[] = rows.map((x) => ({ trait: x.trait, file: x.fields.file ?? '', insi: x.fields.insi ?? '', differs: x.flagged && !plain.has(x.style) }));
    const status = (['none', 'recovered', 'qualified'] as const).find((s) => s === v.insStatus) ?? 'none';
    const number = (v.insNumber ?? '').replace(/\s/g, '');
    const outcome = v.insiOutcome && v.insiOutcome !== 'none' ? (v.insiOutcome as InsiOutcome) : undefined;
    const [code, ...msg] = (v.insiMessage ?? '').split(' — ');
    let documents = r.options.documents ?? undefined;
    let attestation = r.present.exception ? v.attestation : null;
    if (r.present.offer && o.explore !== false && (documents === undefined)) {
      // The panel does not list the documents itself: see what its controls lead to (read-only tab).
      const more = await this.exploreOffer(patientId, !!r.present.byDocument, !!r.present.exception);
      documents = more.documents ?? documents;
      attestation = more.attestation ?? attestation;
    }
    return {
      patientId,
      file: fileTraits(comparison),
      ins: { status, ...(number ? { matricule: number.slice(0, 13), key: number.slice(13) || undefined } : {}), ...(v.qualifiedBy ? { qualifiedBy: v.qualifiedBy } : {}) },
      insi: { lastCall: outcome ? { outcome, ...(v.insiTrigger ? { trigger: v.insiTrigger } : {}), ...(code ? { code } : {}), ...(msg.length ? { message: msg.join(' — ') } : {}) } : null },
      qualification: {
        offered: r.present.offer > 0,
        concordant: v.concordance == null ? null : v.concordance === 'true',
        comparison,
        ...(documents ? { documents } : {}),
        exceptionProcedure: { offered: r.present.exception > 0, attestation },
      },
    };
  }

  /** Follows the qualification controls in the read-only tab to see what they offer next. */
  protected async exploreOffer(patientId: string, byDocument: boolean, exception: boolean): Promise<{ documents?: string[]; attestation?: string }> {
    const steps = this.s.qualifySteps ?? {};
    const obs = await this.observerPage();
    const out: { documents?: string[]; attestation?: string } = {};
    const follow = async (control: string, then: (p: Page) => Promise<void>) => {
      await this.goto(obs, this.url('patientFile', undefined, { patientId }), true);
      const at = await locate(obs, 'qualification control', control, this.findMs).catch(() => undefined);
      if (!at) return;
      const before = obs.url();
      const { navigating } = await pressAt(obs, at);
      if (!navigating) return; // an in-place action (and blocked in this tab): the panel was the whole offer
      await obs.waitForURL((u) => u.href !== before, { waitUntil: 'domcontentloaded', timeout: this.o.actionMs }).catch(() => undefined);
      await then(obs);
    };
    if (byDocument && steps.documentSelect) {
      await follow(this.s.identity.qualifyWithDocument, async (p) => {
        out.documents = (await this.read(p, { options: { d: steps.documentSelect! } })).options.d ?? undefined;
      });
    }
    if (exception && steps.attestation) {
      await follow(this.s.identity.qualifyException, async (p) => {
        out.attestation = (await this.read(p, { values: { a: { css: steps.attestation! } } })).values.a ?? undefined;
      });
    }
    return out;
  }

  protected async readDocument(page: Page, documentId: string): Promise<DocumentView> {
    const e = this.s.editor;
    const opt = (k: keyof typeof e) => (e[k] ? { [k]: norm(e[k] as string)! } : {});
    const plan: ReadPlan = {
      values: { type: norm(e.type)!, typeCode: norm(e.typeCode)!, status: norm(e.status)!, dmpStatus: norm(e.dmpStatus)!, ...opt('sendBoxLabel'), ...opt('dmpMessage'), ...opt('dmpAttempts'), ...opt('printed'), ...opt('ePrescriptionNumber') },
      checked: { sendBox: e.sendBox, ...Object.fromEntries(Object.entries(e.mask).map(([m, css]) => [`mask:${m}`, css])) },
      present: { panel: e.panel },
    };
    let r = await this.read(page, plan);
    if (!r.present.panel) { await this.one(page, 'editor.panel', e.panel); r = await this.read(page, plan); } // still loading: wait (bounded)
    const v = r.values;
    const masked = Object.keys(e.mask).filter((m) => r.checked[`mask:${m}`] === true);
    const typeCode = v.typeCode || null;
    return {
      documentId, type: v.type ?? '', typeCode,
      typeCodeSetBy: typeCode ? (this.typeChosenByUser.has(documentId) ? 'user' : 'automatic') : null,
      status: v.status === 'validated' ? 'validated' : 'draft',
      sendToDmp: { checked: r.checked.sendBox === true, ...(v.sendBoxLabel ? { label: v.sendBoxLabel } : {}) },
      maskedFrom: masked,
      dmp: { status: (v.dmpStatus ?? 'not-sent') as DocumentView['dmp']['status'], ...(v.dmpMessage ? { message: v.dmpMessage } : {}), ...(v.dmpAttempts ? { attempts: Number(v.dmpAttempts) } : {}) },
      ...(v.printed != null ? { printed: { datamatrix: v.printed === 'true', ePrescriptionNumber: v.ePrescriptionNumber ?? null } } : {}),
    };
  }

  protected async result(a: Act, page: Page, documentId: string): Promise<ActionResult> {
    const document = await this.readDocument(page, documentId);
    return { clicks: a.clicks, screenChanges: this.navs - (a.navAtClick ?? this.navs), ...(document.printed ? { printed: document.printed } : {}), document };
  }

  protected async readConsult(page: Page): Promise<ConsultResult> {
    const d = this.s.dmpConsultation;
    const r = await this.read(page, {
      values: { question: { css: d.question }, ...(d.error ? { error: { css: d.error } } : {}) },
      present: { question: d.question, ...(d.refused ? { refused: d.refused } : {}), ...(d.error ? { error: d.error } : {}) },
      groups: { documents: { css: d.documents, fields: { text: {} } } },
    });
    const asked = r.present.question > 0;
    const refused = (r.present.refused ?? 0) > 0;
    const error = r.values.error ?? undefined;
    const documents = r.groups.documents.map((g) => {
      const m = /^(.*?)\s*\(([^()]*)\)\s*$/.exec(g.fields.text ?? '');
      return m ? { title: m[1], typeCode: m[2] } : { title: g.fields.text ?? '' };
    });
    return {
      asked, ...(asked ? { question: r.values.question ?? '', reminder: r.values.question ?? '' } : {}),
      consulted: !asked && !refused && !error, ...(!asked && !refused && !error ? { documents } : {}), ...(error ? { error } : {}),
    };
  }

  protected async readMessages(page: Page): Promise<{ messages: ThreadMessage[]; ended?: boolean }> {
    const m = this.s.messages;
    await this.one(page, 'messages.list', m.list);
    const fields: Record<string, ReturnType<typeof norm> & object> = { id: norm(m.rowId)!, status: norm(m.rowStatus)! };
    if (m.rowDirection) fields.direction = norm(m.rowDirection)!;
    if (m.rowBounce) fields.bounce = { css: m.rowBounce };
    if (m.rowRead) fields.read = { css: m.rowRead };
    const r = await this.read(page, { groups: { rows: { css: m.row, fields } }, ...(m.ended ? { present: { ended: m.ended } } : {}) });
    const messages = r.groups.rows.map((g): ThreadMessage => ({
      messageId: g.fields.id ?? '',
      direction: g.fields.direction === 'in' ? 'in' : 'out',
      status: (g.fields.status ?? 'sent') as ThreadMessage['status'],
      ...(g.fields.bounce ? { bounce: { text: g.fields.bounce } } : {}),
      ...(g.fields.read ? { readAt: g.fields.read } : {}),
    }));
    return { messages, ...(m.ended ? { ended: (r.present.ended ?? 0) > 0 } : {}) };
  }

  protected explain(e: unknown, action: string): Error {
    if (this.crash) return new BrowserError(`${this.crash}, during « ${action} »`);
    if (e instanceof TargetError) {
      if (this.step && !e.message.startsWith('step ')) e.message = `step « ${this.step} », ${action}: ${e.message}`;
      return e;
    }
    const msg = ((e as Error)?.message ?? String(e)).split('\n')[0];
    const closed = /Target page, context or browser has been closed|Browser has been closed/i.test(msg);
    const Err = closed ? BrowserError : TargetError;
    return new Err(`${this.step ? `step « ${this.step} », ` : ''}${action}: ${msg}`);
  }
}

/** Same screen: same path (and hash), and no query parameter the two URLs both carry differs. */
export function samePlace(current: string, wanted: string): boolean {
  let a: URL, b: URL;
  try { a = new URL(current); b = new URL(wanted); } catch { return false; }
  if (a.origin !== b.origin || a.pathname !== b.pathname || a.hash !== b.hash) return false;
  for (const [k, v] of b.searchParams) if (a.searchParams.has(k) && a.searchParams.get(k) !== v) return false;
  return true;
}

/** What the editor's content field takes, per type (the format is the reference UI's; see its README). */
export function editorText(type: DocumentType, c: DocumentContent): string {
  switch (type) {
    case 'prescription': return (c.lines ?? []).map((l) => (l.dosage ? `${l.product} ; ${l.dosage}` : l.product)).join('\n');
    case 'vaccination-note': return (c.vaccinations ?? []).map((v) => [v.vaccine, v.date ?? '', v.lot ?? ''].join(' ; ')).join('\n');
    case 'vsm': return [...(c.problems ?? []), ...(c.treatments ?? []).map((t) => `Traitement : ${t}`), ...(c.allergies ?? []).map((x) => `Allergie : ${x}`)].join('\n');
    case 'consultation-report': return c.text ?? '';
  }
}

function fileTraits(rows: ComparisonRow[]): Traits {
  const get = (t: ComparisonRow['trait']) => rows.find((r) => r.trait === t)?.file ?? '';
  return { birthName: get('birthName'), firstName: get('firstName'), birthDate: get('birthDate'), sex: (get('sex') || 'I') as Traits['sex'] };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what}: no end within ${ms} ms`)), ms).unref())]);
}
