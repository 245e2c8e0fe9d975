/**
 * The INSi double: a real SOAP 1.2 server on loopback playing the CNAM INSi teleservice
 * (rechercherInsAvecCarteVitale / rechercherInsAvecTraitsIdentite), one programmable tenant per URL.
 * It answers from the people it was given (Vigie's invented ones), then from CNAM's published test
 * population as recorded (cnam.ts); every SOAP fault goes with HTTP 500, as CNAM's service sends it.
 */
import { stripBom } from '../common/body';
import { HttpDouble, type Incoming } from '../common/http-double';
import { ExchangeTenant } from '../common/tenant';
import { send } from '../common/http-server';
import { CNAM_FAULTS, type CnamRow, cnamAnswer, cnamFault, loadCnamPopulation, servedRows } from './cnam';
import { lookup } from './lookup';
import { contentTypeAction, interpret, soapActionHeader, type InterpretedRequest } from './request';
import { SOAP12_CONTENT_TYPE, fault, faultEnvelope, resultEnvelope, resultatXml, type SoapFault } from './soap';
import { XmlInputError, parseXml } from '../common/xml';
import type { InsiBehaviour, InsiDoubleOptions, InsiExchange, InsiPerson, InsiTenant } from './types';

const DEFAULT_MAX_BODY = 1024 * 1024;
/** An oversized body is discarded (not stored) up to this many times the limit, so the client can read the 413. */
const DRAIN_FACTOR = 8;
/** How much of an oversized body is kept in the exchange record. */
const OVERSIZE_RAW_KEPT = 64 * 1024;
const TEXT = 'text/plain; charset=utf-8';

type TenantState = ExchangeTenant<InsiExchange, InsiBehaviour>;

export class InsiDouble extends HttpDouble<TenantState> {
  private readonly people: InsiPerson[];
  private readonly cnamRows: CnamRow[];
  /** CNAM's persons with an INS, for the Carte Vitale look-up. */
  private readonly cnamPeople: InsiPerson[] = [];

  constructor(opts: InsiDoubleOptions = {}) {
    super(
      {
        label: 'INSi double',
        route: /^\/insi(?:\/([^/]+))?\/?$/,
        maxBodyBytes: DEFAULT_MAX_BODY,
        oversize: (max) => ({ drainBytes: max * DRAIN_FACTOR, headBytes: OVERSIZE_RAW_KEPT }),
        newTenant: (id) => new ExchangeTenant<InsiExchange, InsiBehaviour>(id, 'INSi double', () => ({ kind: 'lookup' })),
        plainReply: (status, text) => ({ status, contentType: TEXT, body: `${text}\n` }),
        internalErrorReply: (message) => ({
          status: 500,
          contentType: SOAP12_CONTENT_TYPE,
          body: faultEnvelope(fault(500, 'Receiver', 'erreur_interne_double', message)),
        }),
      },
      opts,
    );
    this.people = [...(opts.people ?? [])];
    this.cnamRows = opts.cnamPopulation === false ? [] : servedRows(loadCnamPopulation());
    // The CNAM persons' INS are found by Carte Vitale too (the matricule is the NIR).
    for (const row of this.cnamRows)
      if (row.person && !this.people.some((p) => p.matricule === row.person!.matricule)) this.cnamPeople.push(row.person);
  }

  endpointFor(tenant: string): string {
    return this.tenantUrl(tenant, `/insi/${tenant}`);
  }

  /** More people to answer from (an attended session's own identities: src/drivers/attended/people.ts). */
  addPeople(more: InsiPerson[]): void {
    for (const p of more) if (!this.people.some((q) => q.matricule === p.matricule)) this.people.push(p);
  }

  tenant(id: string): InsiTenant {
    return this.tenants.get(id);
  }

  protected serve({ tenant, req, res, body, contentType, receivedAt, started, clientCertificate }: Incoming<TenantState>): void {
    const raw = stripBom((body.kind === 'ok' ? body.data : body.head).toString('utf8'));
    const exchange: InsiExchange = {
      seq: this.nextSeq(),
      tenant: tenant.id,
      receivedAt: receivedAt.toISOString(),
      durationMs: null,
      operation: null,
      action: contentTypeAction(contentType) ?? soapActionHeader(req.headers.soapaction) ?? null,
      request: { raw, contentType },
      response: null,
      outcome: 'held',
      ...(clientCertificate ? { clientCertificate } : {}),
    };
    tenant.record(exchange);
    const reply = (status: number, xml: string, info: { codeCR?: string; fault?: string }, headers = {}) => {
      exchange.response = { status, raw: xml, ...info };
      exchange.outcome = info.fault === undefined ? 'answered' : 'fault';
      exchange.durationMs = performance.now() - started;
      send(res, { status, contentType: SOAP12_CONTENT_TYPE, body: xml, headers });
    };
    // CNAM's service answers every SOAP fault with HTTP 500 (a well-known client treats only 500 as a
    // service error), whatever the check: the double does the same. Only an oversized body keeps its
    // HTTP 413 (refused at the HTTP layer, before any SOAP is read).
    const replyFault = (f: SoapFault, relatesTo?: string, headers = {}) =>
      reply(f.status === 413 ? 413 : 500, faultEnvelope(f, relatesTo), { fault: f.reason }, headers);

    if (body.kind === 'tooLarge') {
      replyFault(
        fault(413, 'Sender', 'corps_trop_volumineux', `Request body exceeds ${this.maxBodyBytes} bytes (received at least ${body.size})`),
        undefined,
        { connection: 'close' },
      );
      return;
    }
    if (raw.trim() === '') {
      replyFault(fault(400, 'Sender', 'corps_vide', 'Empty request body: a SOAP 1.2 envelope is expected'));
      return;
    }
    let parsed: InterpretedRequest;
    try {
      parsed = interpret(parseXml(raw), [contentTypeAction(contentType), soapActionHeader(req.headers.soapaction)]);
    } catch (err) {
      if (!(err instanceof XmlInputError)) throw err;
      const code = err.message.startsWith('DTD') ? 'dtd_interdite' : 'xml_malforme';
      replyFault(fault(400, 'Sender', code, err.message));
      return;
    }
    exchange.operation = parsed.operation;
    exchange.action = parsed.action;
    Object.assign(exchange.request, parsed.fields);
    if (parsed.fault) {
      replyFault(parsed.fault, parsed.messageId);
      return;
    }

    tenant.answerOrPark(res, exchange, () => {
      const behaviour = tenant.behaviour;
      const op = parsed.operation!;
      if (behaviour.kind === 'fault') {
        const code = behaviour.code ?? 'desir_1020';
        replyFault(
          code in CNAM_FAULTS
            ? cnamFault(code)
            : {
                ...fault(500, 'Receiver', code, behaviour.reason ?? 'Le service INSi est momentanément indisponible', 'fr'),
                subcode: 'siram_40',
              },
          parsed.messageId,
        );
        return;
      }
      let codeCR: '00' | '01' | '02';
      let person: InsiPerson | undefined;
      if (behaviour.kind === 'identity') [codeCR, person] = ['00', behaviour.person];
      else if (behaviour.kind === 'none') codeCR = '01';
      else if (behaviour.kind === 'several') codeCR = '02';
      else {
        // Vigie's people first; a traits request none of them matches gets CNAM's recorded answer, if any.
        const found = lookup(this.people, op, parsed.fields);
        const recorded =
          found.length === 0 && op === 'rechercherInsAvecTraitsIdentite' ? cnamAnswer(this.cnamRows, parsed.fields) : undefined;
        const byCard = found.length === 0 && op === 'rechercherInsAvecCarteVitale' ? lookup(this.cnamPeople, op, parsed.fields) : [];
        const all = recorded ? [] : [...found, ...byCard];
        codeCR = recorded?.codeCR ?? (all.length === 1 ? '00' : all.length === 0 ? '01' : '02');
        person = recorded ? recorded.person : all.length === 1 ? all[0] : undefined;
      }
      reply(200, resultEnvelope(op, resultatXml(codeCR, person), parsed.messageId), { codeCR });
    });
  }
}
