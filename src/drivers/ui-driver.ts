/**
 * The ui driver: the public class UiDriver, with the LgcDriver actions as a user does them on the
 * screen, and the protected helpers page objects build on. A little over 300 lines because those
 * two belong together (a page object overrides an action with the same helpers the actions use);
 * the machinery is in src/drivers/ui/: the browser session, the presses and prompts, one reader per
 * screen, the content templates, the selector map.
 */
import type { Page } from 'playwright';
import {
  ActionResult,
  CarteVitale,
  ConsultResult,
  DocumentContent,
  DocumentType,
  DocumentView,
  DriverExchange,
  IdentityView,
  LgcDriver,
  Masking,
  Observed,
  OutgoingMessage,
  QualifyMethod,
  QualifyResult,
  ResetOptions,
  Settings,
  TargetError,
  TargetRefusal,
  ThreadMessage,
  Traits,
  ValidateHints,
  Workstation,
} from './driver';
import { HttpDriver } from './http-driver';
import { contentText } from './ui/content';
import type { Located } from './ui/dom';
import { ReadPlan, ReadResult, norm } from './ui/in-page';
import { Act, Presses, Seen } from './ui/presses';
import { readConsult } from './ui/read-consultation';
import { documentIds, readDocument } from './ui/read-document';
import { readIdentity } from './ui/read-identity';
import { readMessages } from './ui/read-messages';
import {
  Option,
  Reading,
  UiSelectorError,
  byCode,
  byLabel,
  byValue,
  chooseIn,
  firstOffered,
  one,
  present,
  read,
  refusalText,
  textOf,
  typeInto,
} from './ui/screen';
import { SelectorMap, fill, screenUrl, workstationOf } from './ui/selector-map';
import { UiSession, samePlace } from './ui/session';

export { UiSelectorError, samePlace };
export type { Act, Seen };

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
 * (action, goto, click, prompts, type, choose, read, view, readDocument, result, …) count clicks
 * and read screens the same way.
 */
export type UiDriverClass = new (o: UiDriverOptions) => UiDriver;

/**
 * Drives an LGC through its web UI in headless Chromium, as a person would: it goes to a screen,
 * types, selects, presses, and answers what the UI asks in between (the map's prompts). Every
 * action reports its clicks (every press: src/drivers/ui/presses.ts) and screen changes from its
 * first press, and what the user then sees, read from the screen (src/drivers/ui/read-*.ts). A
 * value the selector map reads from an attribute the LGC wrote about itself is reported among the
 * result's `declaredFields`; the rest was observed.
 *
 * Set-up has no screen (reset, seeding patients, settings, outgoing mail, the CDA bytes): it goes
 * through the target's test-driver API, as with the http driver.
 */
export class UiDriver implements LgcDriver {
  readonly kind = 'ui' as const;
  onPress?: () => void;
  checkResponsiveness?: boolean;
  protected readonly session: UiSession;
  protected readonly presses: Presses;
  protected readonly reading: Reading;
  private tenant = '';
  private readonly findMs: number;
  private readonly typeChosenByUser = new Set<string>();

  constructor(protected readonly o: UiDriverOptions) {
    this.findMs = o.findMs ?? Math.min(5000, o.actionMs);
    this.session = new UiSession({
      uiBaseUrl: o.uiBaseUrl,
      actionMs: o.actionMs,
      busy: o.map.busy,
      trace: o.trace,
      traceSnapshots: o.traceSnapshots,
    });
    this.presses = new Presses(this.session, this.findMs, () => this.onPress);
    this.reading = {
      map: o.map,
      findMs: this.findMs,
      actionMs: o.actionMs,
      url: (key, vars) => this.url(key, undefined, vars),
      lookAt: (url) => this.session.lookAt(url),
    };
  }

  /** The step being run (set by the hooks), named in errors. */
  get step(): string | undefined {
    return this.session.step;
  }
  set step(step: string | undefined) {
    this.session.step = step;
  }

  protected get s() {
    return this.o.map.selectors;
  }

  // --- set-up, through the test-driver API -----------------------------------------------------

  health(timeoutMs: number) {
    return this.o.api.health(timeoutMs);
  }
  async reset(opts: ResetOptions): Promise<void> {
    this.tenant = opts.tenant;
    await this.o.api.reset(opts);
  }
  createPatient(file: Traits, appointments?: string[]) {
    return this.o.api.createPatient(file, appointments);
  }
  settings(ws: Workstation, settings: Settings) {
    return this.o.api.settings(ws, settings);
  }
  documentContent(documentId: string) {
    return this.o.api.documentContent(documentId);
  }
  sendMessage(ws: Workstation, message: OutgoingMessage) {
    return this.o.api.sendMessage(ws, message);
  }
  endExchange(ws: Workstation, patientId: string) {
    return this.o.api.endExchange(ws, patientId);
  }

  // --- actions on the screen -------------------------------------------------------------------

  insertCarteVitale(ws: Workstation, card: CarteVitale) {
    return this.action('read the Carte Vitale', async (a, page) => {
      await this.goto(page, this.url('patientList', ws), true);
      const selectors = this.s.carteVitale;
      await this.type(page, 'carteVitale.matricule', selectors.matricule, card.matricule);
      if (selectors.key && card.key) await this.type(page, 'carteVitale.key', selectors.key, card.key);
      await this.type(page, 'carteVitale.birthName', selectors.birthName, card.birthName);
      await this.type(page, 'carteVitale.firstName', selectors.firstName, card.firstName);
      await this.type(page, 'carteVitale.birthDate', selectors.birthDate, card.birthDate);
      await this.click(a, page, 'carteVitale.submit', selectors.submit);
      await this.prompts(a, page);
      await this.probe(page);
      const id = new RegExp(this.o.map.ids.patientFromUrl).exec(page.url())?.[1];
      if (!id)
        throw new TargetError(
          `after reading the Carte Vitale the screen is ${page.url()}, not a patient file (ids.patientFromUrl)${await refusalText(page, this.s.identity.refusal)}`,
        );
      return { patientId: decodeURIComponent(id) };
    });
  }

  openPatientFile(ws: Workstation, patientId: string) {
    return this.action('open the patient file', async (a, page) => {
      await this.goto(page, this.url('patientList', ws), true);
      await this.click(a, page, 'patientList.patientLink', fill(this.s.patientList.patientLink, { patientId }, 'css'));
      await this.prompts(a, page);
      await this.probe(page);
      // The panel as opened; what lies behind its qualification controls is read when a step asks
      // for it (identity()), not inside the user's action: that exploration is the driver's cost,
      // and counted in the action it took a slowed-down open past its bound (matrix shards 2 and 4).
      return this.readIdentity(page, patientId, a, { explore: false });
    });
  }

  startOfDay(ws: Workstation, date: string) {
    return this.action('start the day', async (a, page) => {
      await this.goto(page, this.url('patientList', ws), true);
      await this.type(page, 'startOfDay.date', this.s.startOfDay.date, date);
      await this.click(a, page, 'startOfDay.submit', this.s.startOfDay.submit);
      await this.prompts(a, page);
      await this.probe(page);
      const read = await this.read(page, { values: { result: norm(this.s.startOfDay.result, 'startOfDay.result')! } });
      const n = Number(read.values.result);
      if (!Number.isFinite(n))
        throw new TargetError(`start of day: no number of patients shown (startOfDay.result read ${JSON.stringify(read.values.result)})`);
      return { patientsOfTheDay: n };
    });
  }

  identity(patientId: string) {
    return this.view(this.url('patientFile', undefined, { patientId }), (page, seen) => this.readIdentity(page, patientId, seen));
  }

  qualify(ws: Workstation, patientId: string, method: QualifyMethod, document?: string): Promise<Observed<QualifyResult>> {
    return this.action(`qualify the INS (${method})`, async (a, page): Promise<QualifyResult> => {
      await this.goto(page, this.url('patientFile', ws, { patientId }));
      const id = this.s.identity;
      await this.one(page, 'identity.panel', id.panel);
      const control = method === 'document' ? id.qualifyWithDocument : id.qualifyException;
      if (!(await present(page, id.offer)) || !(await present(page, control))) {
        return {
          qualified: false,
          status: 0,
          reason: 'not-offered',
          message: `the identity panel offers no ${method === 'document' ? 'qualification by document' : 'exception procedure'} to this workstation`,
        };
      }
      if (method === 'document' && (await present(page, id.documentSelect)))
        await this.choose(page, 'identity.documentSelect', id.documentSelect, document ?? '');
      if (method === 'exception') a.shown.push(await textOf(page, control));
      await this.click(a, page, method === 'document' ? 'identity.qualifyWithDocument' : 'identity.qualifyException', control);
      // What the UI asks next (a second screen, a confirmation): the identity document, when it asks for one.
      await this.prompts(
        a,
        page,
        method === 'document' ? byLabel(document ?? '') : firstOffered,
        method === 'document' ? `« ${document} »` : 'offered',
      );
      const view = await this.readIdentity(page, patientId, a, { explore: false });
      // Qualified or not is what the panel shows: as self-reported as the INS status it is read from.
      if (a.declared.has('ins.status')) a.declared.add('qualified');
      if (view.ins.status === 'qualified') {
        return { qualified: true, clicks: a.clicks.length, screenChanges: this.presses.screenChanges(a), shown: a.shown, ins: view.ins };
      }
      const why = await refusalText(page, id.refusal);
      return {
        qualified: false,
        status: 0,
        reason: 'refused',
        message: why.replace(/^: /, '') || `the INS is still « ${view.ins.status} » on the identity panel`,
      };
    });
  }

  createDocument(ws: Workstation, patientId: string, type: DocumentType, content: DocumentContent) {
    return this.action(`write a ${type}`, async (a, page) => {
      const n = this.s.newDocument;
      const fileUrl = this.url('patientFile', ws, { patientId });
      const text = contentText(type, n.contentTemplates[type], content, [
        ...(n.title ? ['title' as const] : []),
        ...(n.medecinTraitant ? ['medecinTraitant' as const] : []),
      ]);
      const several = (content.vaccinations?.length ?? 0) > 1;
      // The list of documents matters only when one action makes several (one note per vaccination).
      await this.goto(page, fileUrl, several);
      const before = several ? await documentIds(this.reading, page) : [];
      await this.choose(page, 'newDocument.type', n.type, n.typeOptions[type], 'value');
      if (n.title && content.title) await this.type(page, 'newDocument.title', n.title, content.title);
      await this.type(page, 'newDocument.content', n.content, text);
      if (n.medecinTraitant && content.medecinTraitant)
        await this.type(page, 'newDocument.medecinTraitant', n.medecinTraitant, content.medecinTraitant);
      await this.click(a, page, 'newDocument.submit', n.submit);
      await this.prompts(a, page);
      const first = new RegExp(this.o.map.ids.documentFromUrl).exec(page.url())?.[1];
      if (!first)
        throw new TargetError(
          `after « Nouveau document » the screen is ${page.url()}, not a document editor (ids.documentFromUrl)${await refusalText(page, this.s.identity.refusal)}`,
        );
      const ids = [decodeURIComponent(first)];
      if (several) {
        // One note per vaccination: the others are found in the patient's file.
        for (const id of await documentIds(this.reading, await this.session.lookAt(fileUrl)))
          if (!before.includes(id) && !ids.includes(id)) ids.push(id);
      }
      const views = [await this.readDocument(page, ids[0], a)];
      for (const id of ids.slice(1)) {
        const observed = await this.document(id);
        for (const f of observed.declaredFields ?? []) a.declared.add(f);
        views.push(observed.value);
      }
      return views;
    });
  }

  document(documentId: string) {
    return this.view(this.url('document', undefined, { documentId }), (page, seen) => this.readDocument(page, documentId, seen));
  }

  doNotSend(ws: Workstation, documentId: string) {
    return this.action('do not send to the DMP', async (a, page) => {
      await this.goto(page, this.url('document', ws, { documentId }));
      await this.click(a, page, 'editor.doNotSend', this.s.editor.doNotSend);
      await this.prompts(a, page);
      return this.result(a, page, documentId);
    });
  }

  mask(ws: Workstation, documentId: string, maskedFrom: Masking[]) {
    return this.action('set the masking', async (a, page) => {
      await this.goto(page, this.url('document', ws, { documentId }));
      for (const [m, css] of Object.entries(this.s.editor.mask) as [Masking, string][]) {
        await this.one(page, `editor.mask.${m}`, css);
        const checked = (await this.read(page, { checked: { box: css } })).checked.box;
        // A box ticked or unticked is a press of the user: a click.
        if (checked !== maskedFrom.includes(m)) await this.click(a, page, `editor.mask.${m}`, css);
      }
      await this.prompts(a, page);
      return this.result(a, page, documentId);
    });
  }

  validate(ws: Workstation, documentId: string, hints: ValidateHints = {}) {
    return this.action('validate and print', async (a, page) => {
      await this.goto(page, this.url('document', ws, { documentId }));
      await this.click(a, page, 'editor.validate', this.s.editor.validate);
      // A choice the UI asks for at validation is the document's type: the feature's code, else the first offered.
      const met = await this.prompts(a, page, byCode(hints.typeCode), hints.typeCode ? `with the type code ${hints.typeCode}` : 'offered');
      if (met.some((p) => p.chose)) this.typeChosenByUser.add(documentId);
      await this.probe(page);
      await this.refusedOnScreen(page, 'validate and print', this.s.editor.refusal);
      return this.result(a, page, documentId);
    });
  }

  /**
   * A refusal the user reads on the screen after an action (the map's refusal element): the same
   * TargetRefusal the http driver raises on a 422, for the step to judge.
   */
  protected async refusedOnScreen(page: Page, action: string, css?: string): Promise<void> {
    if (!css || !(await present(page, css).catch(() => false))) return;
    const text = (await textOf(page, css).catch(() => '')).trim();
    if (text) throw new TargetRefusal(action, 422, 'refused-on-screen', text);
  }

  consultDmp(ws: Workstation, patientId: string, nonOpposition?: boolean) {
    return this.action('consult the DMP', async (a, page): Promise<ConsultResult> => {
      await this.goto(page, this.url('patientFile', ws, { patientId }), true);
      const selectors = this.s.dmpConsultation;
      // No prompt answered here: what the UI asks now is the question under judgement.
      await this.click(a, page, 'dmpConsultation.consult', selectors.consult);
      let consult = await readConsult(this.reading, page, a);
      if (consult.asked && nonOpposition !== undefined) {
        await this.click(
          a,
          page,
          nonOpposition ? 'dmpConsultation.yes' : 'dmpConsultation.no',
          nonOpposition ? selectors.yes : selectors.no,
        );
        await this.prompts(a, page);
        consult = await readConsult(this.reading, page, a);
      }
      return consult;
    });
  }

  patientMessages(patientId: string) {
    // The messages screen reads the mailbox when it opens: every read opens it again.
    return this.view(this.url('messages', undefined, { patientId }), (page, seen) => this.readMessages(page, seen), true);
  }

  // --- evidence --------------------------------------------------------------------------------

  exchanges(): DriverExchange[] {
    return [...this.o.api.exchanges(), ...this.session.log].sort((x, y) => x.at.localeCompare(y.at));
  }

  /** A picture (JPEG) of the user's screen now (none before the first screen). */
  screenshot(): Promise<Buffer | undefined> {
    return this.session.screenshot();
  }

  /** Ends the scenario's browser context; returns its Playwright trace when asked (a failure). */
  async finish(keepTrace: boolean): Promise<Buffer | undefined> {
    await this.o.api.close();
    return this.session.finish(keepTrace);
  }

  pageErrorsSeen(): string[] {
    return this.session.pageErrorsSeen();
  }

  async close(): Promise<void> {
    await this.o.api.close();
    await this.session.close();
  }

  // --- helpers for the actions and for page objects ----------------------------------------------

  /** The screen `key` of the map for the workstation `w` (default: the professional's). */
  protected url(key: keyof SelectorMap['urls'], workstation?: Workstation, vars: Record<string, string> = {}): string {
    return screenUrl(this.o.map, this.o.uiBaseUrl, key, { tenant: this.tenant, ws: workstationOf(this.o.map, workstation), ...vars });
  }

  /** A user action on the user's tab (clicks and screen changes counted from its first press). */
  protected action<T>(name: string, fn: (a: Act, page: Page) => Promise<T>): Promise<Observed<T>> {
    return this.presses.act(name, fn);
  }
  /** A look at the screen `url` (the user's tab, or the read-only one while an action runs). */
  protected view<T>(url: string, reader: (page: Page, seen: Seen) => Promise<T>, reload = false): Promise<Observed<T>> {
    return this.presses.look(url, reader, reload);
  }
  protected goto(page: Page, url: string, force = false): Promise<void> {
    return this.session.goto(page, url, force);
  }
  /** A press of the user: one click of `a`. */
  protected click(act: Act, page: Page, key: string, css: string): Promise<void> {
    return this.presses.press(act, page, key, css);
  }
  /** Answers the map's prompts after a press (each one more click); `pick` chooses in a prompt's <select>. */
  protected prompts(act: Act, page: Page, pick: (o: Option[]) => Option | undefined = firstOffered, wanted = 'offered') {
    return this.presses.prompts(act, page, this.s.prompts, pick, wanted);
  }
  protected one(page: Page, key: string, css: string): Promise<Located> {
    return one(page, key, css, this.findMs);
  }
  protected type(page: Page, key: string, css: string, value: string): Promise<void> {
    return typeInto(page, key, css, value, this.findMs);
  }
  protected read(page: Page, plan: ReadPlan): Promise<ReadResult> {
    return read(page, plan);
  }

  /** Chooses an option of a <select> (data entry, not a click) by its label, value or a code it contains. */
  protected async choose(page: Page, key: string, css: string, wanted: string, by: 'label' | 'value' | 'code' = 'label'): Promise<void> {
    await chooseIn(page, key, css, (by === 'value' ? byValue : by === 'code' ? byCode : byLabel)(wanted), `« ${wanted} »`, this.findMs);
    await this.session.settle(page);
  }

  protected readIdentity(page: Page, patientId: string, seen: Seen, options: { explore?: boolean } = {}): Promise<IdentityView> {
    return readIdentity(this.reading, this.presses, page, patientId, seen, options);
  }
  protected readDocument(page: Page, documentId: string, seen: Seen): Promise<DocumentView> {
    return readDocument(this.reading, page, documentId, seen, this.typeChosenByUser.has(documentId));
  }
  protected readConsult(page: Page, seen: Seen): Promise<ConsultResult> {
    return readConsult(this.reading, page, seen);
  }
  protected readMessages(page: Page, seen: Seen): Promise<{ messages: ThreadMessage[]; ended?: boolean }> {
    return readMessages(this.reading, page, seen);
  }

  /** What a document action ends with: its clicks, screen changes, and the editor as shown then. */
  protected async result(act: Act, page: Page, documentId: string): Promise<ActionResult> {
    const document = await this.readDocument(page, documentId, act);
    return {
      clicks: act.clicks,
      screenChanges: this.presses.screenChanges(act),
      ...(document.printed ? { printed: document.printed } : {}),
      document,
    };
  }

  /** While a double holds its answer (checkResponsiveness): is the LGC still usable? Its time counts in the action's. */
  protected async probe(page: Page): Promise<void> {
    if (this.checkResponsiveness) await this.session.stillUsable(page, this.o.map.typingProbes ?? [], this.url('patientList'));
  }
}
