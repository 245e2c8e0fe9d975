import {
  OutgoingMessage,
  SentMessage,
  ThreadMessage,
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
  QualifyMethod,
  QualifyResult,
  ResetOptions,
  Settings,
  TargetError,
  TargetRefusal,
  Traits,
  ValidateHints,
  Workstation,
  ALL_FIELDS,
} from './driver';

/**
 * Drives an LGC through the Vigie test-driver API (docs/test-driver.openapi.yaml).
 * Every request is bounded by `actionTimeoutMs`; a timeout is a TargetError (could not run),
 * unless a step measures responsiveness itself (it races the action against its own bound).
 */
export class HttpDriver implements LgcDriver {
  readonly kind = 'http' as const;
  private readonly log: DriverExchange[] = [];
  private readonly controllers = new Set<AbortController>();
  private tenant = '';

  constructor(
    private readonly baseUrl: string,
    private readonly actionTimeoutMs = 10_000,
  ) {}

  async health(timeoutMs: number) {
    return this.call<{ name?: string; version?: string; contract: string }>('GET', '/testdriver/health', undefined, {
      timeoutMs,
      noTenant: true,
    });
  }

  async reset(opts: ResetOptions): Promise<void> {
    this.tenant = opts.tenant;
    const options = {
      insiTimeoutMs: opts.insiTimeoutMs,
      ePrescriptionTimeoutMs: opts.ePrescriptionTimeoutMs,
      dmpTimeoutMs: opts.dmpTimeoutMs,
    };
    const configured = opts.doubles;
    const doubles = {
      insi: { url: configured.insi },
      ...(configured.dmp ? { dmp: configured.dmp } : {}),
      ...(configured.eprescription ? { eprescription: { url: configured.eprescription } } : {}),
      ...(configured.mss ? { mss: configured.mss } : {}),
      ...(configured.tls ? { tls: configured.tls } : {}),
    };
    await this.call('POST', '/testdriver/reset', { doubles, options, ...(opts.workstations ? { workstations: opts.workstations } : {}) });
  }

  async createPatient(file: Traits, appointments?: string[]): Promise<string> {
    const created = await this.call<{ patientId: string }>('POST', '/testdriver/patients', { file, appointments });
    return created.patientId;
  }

  insertCarteVitale(workstation: Workstation, card: CarteVitale) {
    return this.timed(() => this.call<{ patientId: string }>('POST', '/testdriver/carte-vitale', { workstation, card }));
  }

  openPatientFile(workstation: Workstation, patientId: string) {
    return this.timed(() => this.call<IdentityView>('POST', `/testdriver/patients/${encodeURIComponent(patientId)}/open`, { workstation }));
  }

  startOfDay(workstation: Workstation, date: string) {
    return this.timed(() => this.call<{ patientsOfTheDay: number }>('POST', '/testdriver/start-of-day', { workstation, date }));
  }

  identity(patientId: string) {
    return this.timed(() => this.call<IdentityView>('GET', `/testdriver/patients/${encodeURIComponent(patientId)}/identity`));
  }

  qualify(workstation: Workstation, patientId: string, method: QualifyMethod, document?: string): Promise<Observed<QualifyResult>> {
    return this.timed(async () => {
      const path = `/testdriver/patients/${encodeURIComponent(patientId)}/qualify`;
      const { status, body } = await this.request('POST', path, { workstation, method, document }, { accept: [200, 422, 403, 409] });
      const answer = (body ?? {}) as Record<string, unknown>;
      if (status === 200 && answer.qualified === true) {
        return {
          qualified: true,
          clicks: Number(answer.clicks),
          screenChanges: Number(answer.screenChanges),
          shown: Array.isArray(answer.shown) ? (answer.shown as string[]) : [],
          ins: answer.ins as { status?: string },
        };
      }
      return {
        qualified: false,
        status,
        reason: String(answer.reason ?? answer.error ?? 'refused'),
        message: String(answer.message ?? ''),
      };
    });
  }

  settings(workstation: Workstation, settings: Settings) {
    return this.timed(() => this.call<{ applied: string[]; refused: string[] }>('POST', '/testdriver/settings', { workstation, settings }));
  }

  createDocument(workstation: Workstation, patientId: string, type: DocumentType, content: DocumentContent) {
    return this.timed(
      async () =>
        (
          await this.call<{ documents: DocumentView[] }>('POST', `/testdriver/patients/${encodeURIComponent(patientId)}/documents`, {
            workstation,
            type,
            content,
          })
        ).documents,
    );
  }

  document(documentId: string) {
    return this.timed(() => this.call<DocumentView>('GET', `/testdriver/documents/${encodeURIComponent(documentId)}`));
  }

  documentContent(documentId: string) {
    return this.timed(async () => {
      const content = await this.call<unknown>('GET', `/testdriver/documents/${encodeURIComponent(documentId)}/content`);
      if (typeof content !== 'string') throw new TargetError(`GET /testdriver/documents/${documentId}/content did not answer a document`);
      return content;
    });
  }

  doNotSend(workstation: Workstation, documentId: string) {
    return this.documentAction(workstation, documentId, 'do-not-send');
  }
  /** The test-driver API asks the user nothing: `hints` are not needed. */
  validate(workstation: Workstation, documentId: string, _hints?: ValidateHints) {
    return this.documentAction(workstation, documentId, 'validate');
  }
  mask(workstation: Workstation, documentId: string, maskedFrom: Masking[]) {
    return this.documentAction(workstation, documentId, 'masking', { maskedFrom });
  }

  consultDmp(workstation: Workstation, patientId: string, nonOpposition?: boolean) {
    return this.timed(() =>
      this.call<ConsultResult>(
        'POST',
        `/testdriver/patients/${encodeURIComponent(patientId)}/dmp/consult`,
        nonOpposition === undefined ? { workstation } : { workstation, nonOpposition },
      ),
    );
  }

  sendMessage(workstation: Workstation, message: OutgoingMessage) {
    return this.timed(() => this.call<SentMessage>('POST', '/testdriver/messages', { workstation, ...message }));
  }

  patientMessages(patientId: string) {
    return this.timed(() =>
      this.call<{ messages: ThreadMessage[]; ended?: boolean }>('GET', `/testdriver/patients/${encodeURIComponent(patientId)}/messages`),
    );
  }

  endExchange(workstation: Workstation, patientId: string) {
    return this.timed(() =>
      this.call<{ messageId?: string }>('POST', `/testdriver/patients/${encodeURIComponent(patientId)}/messages/end`, { workstation }),
    );
  }

  private documentAction(workstation: Workstation, documentId: string, action: string, extra: object = {}) {
    return this.timed(() =>
      this.call<ActionResult>('POST', `/testdriver/documents/${encodeURIComponent(documentId)}/${action}`, { workstation, ...extra }),
    );
  }

  exchanges(): DriverExchange[] {
    return this.log.slice();
  }

  async close(): Promise<void> {
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
  }

  /** Everything the test-driver API answers is the LGC's own report: declared evidence. */
  private async timed<T>(fn: () => Promise<T>): Promise<Observed<T>> {
    const t0 = performance.now();
    const value = await fn();
    return { value, ms: Math.round(performance.now() - t0), declaredFields: [ALL_FIELDS] };
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    options: { timeoutMs?: number; noTenant?: boolean } = {},
  ): Promise<T> {
    const { body: b } = await this.request(method, path, body, { ...options, accept: [200, 201] });
    return b as T;
  }

  private async request(
    method: string,
    path: string,
    body: unknown,
    options: { timeoutMs?: number; noTenant?: boolean; accept: number[] },
  ): Promise<{ status: number; body: unknown }> {
    const url = this.baseUrl.replace(/\/$/, '') + path;
    const ex: DriverExchange = { at: new Date().toISOString(), method, url, requestBody: body };
    this.log.push(ex);
    const ctl = new AbortController();
    this.controllers.add(ctl);
    const timeoutMs = options.timeoutMs ?? this.actionTimeoutMs;
    // eslint-disable-next-line no-restricted-syntax -- the request's bound: aborts the fetch, cleared in finally
    const timer = setTimeout(() => ctl.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const t0 = performance.now();
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (!options.noTenant) headers['x-vigie-tenant'] = this.tenant;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const send = () => fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: ctl.signal });
      // A keep-alive socket the target closed while idle fails before any byte of answer: the request
      // never reached it, so it is sent once more on a fresh connection.
      const res = await send().catch((e) => (closedBeforeAnswer(e) && !ctl.signal.aborted ? send() : Promise.reject(e)));
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* keep text as evidence */
      }
      ex.status = res.status;
      ex.responseBody = parsed;
      ex.ms = Math.round(performance.now() - t0);
      if (!options.accept.includes(res.status) && [403, 409, 422].includes(res.status)) {
        // A refusal the user would see (the contract: 403, 409, 422 with the text shown): the step judges it.
        const refusal = (parsed ?? {}) as { error?: string; reason?: string; message?: string };
        throw new TargetRefusal(
          `${method} ${path}`,
          res.status,
          String(refusal.reason ?? refusal.error ?? ''),
          String(refusal.message ?? (typeof parsed === 'string' ? parsed.slice(0, 300) : '')),
        );
      }
      if (!options.accept.includes(res.status)) {
        throw new TargetError(
          `${method} ${path} answered HTTP ${res.status}: ${typeof parsed === 'string' ? parsed.slice(0, 300) : JSON.stringify(parsed).slice(0, 300)}`,
        );
      }
      return { status: res.status, body: parsed };
    } catch (e) {
      if (e instanceof TargetError) throw e;
      const cause = ctl.signal.aborted ? String((ctl.signal.reason as Error)?.message ?? 'aborted') : describeFetchError(e);
      ex.error = cause;
      ex.ms = Math.round(performance.now() - t0);
      throw new TargetError(`${method} ${url}: ${cause}`);
    } finally {
      clearTimeout(timer);
      this.controllers.delete(ctl);
    }
  }
}

function closedBeforeAnswer(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

function describeFetchError(error: unknown): string {
  const err = error as { message?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED') return `connection refused (${err.cause?.message ?? ''})`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')
    return `the connection was closed by the target (${code}: ${err.cause?.message ?? ''})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${err.cause?.message ?? ''})`;
  return code ? `${code} (${err.cause?.message ?? ''})` : String(err.message ?? error);
}
