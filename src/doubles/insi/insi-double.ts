/**
 * The INSi double: a real SOAP 1.2 server on loopback playing the CNAM INSi teleservice
 * (rechercherInsAvecCarteVitale / rechercherInsAvecTraitsIdentite), one programmable tenant per URL.
 */
import { stripBom } from '../common/body';
import { HttpDouble, type Incoming } from '../common/http-double';
import { ExchangeTenant } from '../common/tenant';
import { send } from '../common/http-server';
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
  }

  endpointFor(tenant: string): string {
    return this.tenantUrl(tenant, `/insi/${tenant}`);
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
    const replyFault = (f: SoapFault, relatesTo?: string, headers = {}) =>
      reply(f.status, faultEnvelope(f, relatesTo), { fault: f.reason }, headers);

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
        replyFault(
          fault(
            500,
            'Receiver',
            behaviour.code ?? 'service_indisponible',
            behaviour.reason ?? 'Le service INSi est momentanément indisponible',
          ),
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
        const found = lookup(this.people, op, parsed.fields);
        codeCR = found.length === 1 ? '00' : found.length === 0 ? '01' : '02';
        person = found.length === 1 ? found[0] : undefined;
      }
      reply(200, resultEnvelope(op, resultatXml(codeCR, person), parsed.messageId), { codeCR });
    });
  }
}
