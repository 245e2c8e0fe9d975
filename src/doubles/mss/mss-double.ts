/**
 * The MSSanté double: plays the MSSanté operator and its mailboxes, Mon espace santé's patient messaging
 * included (MSS-01..11), over real sockets on loopback — SMTP submission (smtp-server; STARTTLS, AUTH
 * PLAIN/LOGIN optional) and POP3 retrieval. Every message is kept byte for byte, then parsed with mailparser.
 * Like Mon espace santé, it accepts then bounces (RFC 3464 DSN to the sender's mailbox).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import {
  AUTORESPONDER, DEFAULT_TENANT, PATIENT_DOMAIN, TENANT_ID, classifyAddress, normalizeAddress, type AddressClass,
} from './ins-address';
import {
  bareId, buildDsn, buildMdn, buildTextMessage, exactHeader, firstAddress, messageIds, readRawHeaders, type DsnRecipient,
} from './mime';
import { POP3_PASSWORD, Pop3Server, type MaildropEntry } from './pop3';
import { TenantState, type TenantHost } from './tenant';
import type {
  MssDelivery, MssDoubleOptions, MssGenerated, MssMessage, MssParsed, MssSessionInfo, MssTenant,
} from './types';

/** 72 MiB of wire bytes: a 50 MiB attachment is ~68.5 MiB once base64-encoded (a 60 MB limit could not carry it). */
export const DEFAULT_MAX_MESSAGE_BYTES = 72 * 1024 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const SMTP_PASSWORD = POP3_PASSWORD;
const TLS_DIR = path.join(__dirname, '..', '..', '..', 'fixtures', 'mss', 'tls');
const MAX_RECIPIENTS = 100;
const MAX_CLIENTS = 64;

/** MSS-02/03/04: the sentences of Mon espace santé's bounces, character for character. */
export const BOUNCE_SENTENCES = {
  opposed: (a: string) => `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car cette adresse Mon espace santé n'existe pas.`,
  closed: (a: string) => `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car la messagerie Mon espace santé de votre destinataire est clôturée.`,
  invalid: (a: string) => `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car cette adresse Mon espace santé est invalide.`,
  /** Seeded defect 'bounce-text-paraphrased'. */
  opposedParaphrased: (a: string) => `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué, car cette adresse Mon espace santé est inconnue.`,
  /** MSS-06 / MSS-07, as the patient's Mon espace santé explains them (not sentences of the requirements). */
  patientFirst: (a: string) => `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué : seul un professionnel de santé peut débuter un échange. Vous pourrez ensuite lui répondre.`,
  finished: (a: string) => `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué : vous ne pouvez pas répondre à ce message car le professionnel a mis fin aux échanges.`,
  notToPatient: (a: string) => `Le message que vous avez envoyé à l'adresse "${a}" n'a pas pu être distribué : seul un acteur de santé peut écrire à un usager de Mon espace santé.`,
};

export const AUTOREPLY_BODY =
  'Bonjour,\n\nVotre message de test a bien été reçu par la messagerie sécurisée de Mon espace santé.\n' +
  'Votre logiciel est en mesure d\'envoyer des messages aux usagers de Mon espace santé.\n\n' +
  'Ceci est une réponse automatique, merci de ne pas y répondre.\n';

interface SmtpError extends Error {
  responseCode?: number;
}

function smtpError(code: number, message: string): SmtpError {
  return Object.assign(new Error(message), { responseCode: code });
}

interface Decision {
  delivery: MssDelivery;
  dsn?: DsnRecipient;
  autoreply?: boolean;
}

export class MssDouble implements TenantHost {
  private readonly host: string;
  private readonly advertisedHost: string;
  private readonly smtpPortWanted: number;
  private readonly pop3PortWanted: number;
  private readonly idleTimeoutMs: number;
  private readonly maxMessageBytes: number;
  private readonly parseTimeoutMs: number;
  private readonly starttls: boolean;
  private readonly tlsKey?: string | Buffer;
  private readonly tlsCert?: string | Buffer;
  private readonly tenants = new Map<string, TenantState>();
  private readonly registered = new Map<string, string>(); // mailbox → tenant that registered it
  private readonly maildrops = new Map<string, { uid: string; msg: MssMessage }[]>();
  private smtpServer: SMTPServer | null = null;
  private pop3Server: Pop3Server | null = null;
  private smtpBound = 0;
  private seq = 0;
  /** Connection-level errors reported by smtp-server (kept as evidence, never thrown). */
  readonly smtpErrors: string[] = [];

  constructor(o: MssDoubleOptions = {}) {
    this.host = o.host ?? '127.0.0.1';
    this.advertisedHost = o.advertisedHost ?? this.host;
    this.smtpPortWanted = o.smtpPort ?? 0;
    this.pop3PortWanted = o.pop3Port ?? 0;
    this.idleTimeoutMs = o.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.maxMessageBytes = o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.parseTimeoutMs = o.parseTimeoutMs ?? 20_000;
    this.starttls = o.starttls ?? true;
    if (o.tlsKey !== undefined) this.tlsKey = o.tlsKey;
    if (o.tlsCert !== undefined) this.tlsCert = o.tlsCert;
  }

  get smtp(): { host: string; port: number } {
    if (!this.smtpServer) throw new Error('MSS double: the SMTP endpoint is only known after start()');
    return { host: this.advertisedHost, port: this.smtpBound };
  }

  get pop3(): { host: string; port: number } {
    if (!this.pop3Server) throw new Error('MSS double: the POP3 endpoint is only known after start()');
    return { host: this.advertisedHost, port: this.pop3Server.port };
  }

  tenant(id: string): MssTenant {
    return this.tenantState(id);
  }

  async start(): Promise<void> {
    if (this.smtpServer) throw new Error('MSS double: already started');
    const options: SMTPServerOptions = {
      name: 'mss-double.vigie.invalid',
      banner: 'Vigie MSSante double (test only)',
      logger: false,
      disableReverseLookup: true,
      authOptional: true,
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      size: this.maxMessageBytes,
      socketTimeout: this.idleTimeoutMs,
      closeTimeout: 500,
      maxClients: MAX_CLIENTS,
      maxRecipients: MAX_RECIPIENTS,
      hideSTARTTLS: !this.starttls,
      onAuth: (auth, _session, cb) => {
        if (auth.password === SMTP_PASSWORD && auth.username) return cb(null, { user: auth.username });
        return cb(smtpError(535, `5.7.8 Authentication failed: any mailbox, password "${SMTP_PASSWORD}"`));
      },
      onMailFrom: (address, _session, cb) => cb(this.checkSender(address.address) ?? undefined),
      onRcptTo: (address, _session, cb) => cb(this.checkRecipient(address.address) ?? undefined),
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= this.maxMessageBytes) chunks.push(c);
        });
        stream.on('end', () => {
          if (stream.sizeExceeded) return cb(smtpError(552, `5.3.4 Message exceeds the ${this.maxMessageBytes}-byte limit`));
          const raw = Buffer.concat(chunks);
          const envelope = session.envelope;
          const from = envelope.mailFrom ? envelope.mailFrom.address : '';
          this.ingest(from, envelope.rcptTo.map((r) => r.address), raw, sessionInfo(session))
            .then((msgs) => cb(null, `2.0.0 Ok: queued as ${msgs.map((m) => `${m.tenant}#${m.seq}`).join(',')}`))
            .catch((err: unknown) => cb(smtpError(451, `4.3.0 MSS double internal error: ${String(err)}`)));
        });
      },
    };
    if (this.starttls) {
      try {
        options.key = this.tlsKey ?? fs.readFileSync(path.join(TLS_DIR, 'key.pem'));
        options.cert = this.tlsCert ?? fs.readFileSync(path.join(TLS_DIR, 'cert.pem'));
      } catch (err) {
        throw new Error(`MSS double: STARTTLS needs fixtures/mss/tls/{key,cert}.pem (or tlsKey/tlsCert): ${String(err)}`);
      }
    }
    const server = new SMTPServer(options);
    server.on('error', (err: Error) => {
      if (this.smtpErrors.length < 1000) this.smtpErrors.push(String(err));
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.smtpPortWanted, this.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.smtpBound = (server.server.address() as AddressInfo).port;
    this.smtpServer = server;

    const pop3 = new Pop3Server({
      host: this.host,
      port: this.pop3PortWanted,
      idleTimeoutMs: this.idleTimeoutMs,
      store: {
        key: (user) => normalizeAddress(user),
        list: (mailbox): MaildropEntry[] => (this.maildrops.get(mailbox) ?? []).map((e) => ({ uid: e.uid, raw: e.msg.raw })),
        remove: (mailbox, uids) => {
          const drop = this.maildrops.get(mailbox);
          if (drop) this.maildrops.set(mailbox, drop.filter((e) => !uids.includes(e.uid)));
        },
      },
    });
    try {
      await pop3.start();
    } catch (err) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      this.smtpServer = null;
      throw err;
    }
    this.pop3Server = pop3;
  }

  async stop(): Promise<void> {
    const smtp = this.smtpServer;
    const pop3 = this.pop3Server;
    this.smtpServer = null;
    this.pop3Server = null;
    for (const t of this.tenants.values()) t.abortWaits('the double was stopped');
    await Promise.all([
      smtp ? new Promise<void>((resolve) => smtp.close(() => resolve())) : Promise.resolve(),
      pop3 ? pop3.stop() : Promise.resolve(),
    ]);
  }

  // ---- TenantHost ----

  registerMailboxTenant(addr: string, tenant: string): void {
    this.registered.set(addr, tenant);
  }

  forgetTenant(tenant: string): void {
    for (const [addr, t] of this.registered) if (t === tenant) this.registered.delete(addr);
    for (const [addr, drop] of this.maildrops) this.maildrops.set(addr, drop.filter((e) => e.msg.tenant !== tenant));
  }

  async patientReads(t: TenantState, messageId: string): Promise<MssMessage | undefined> {
    const msg = t.findByMessageId(messageId);
    if (!msg) throw new Error(`MSS double: tenant "${t.id}" has no message ${messageId}`);
    const delivery = msg.deliveries.find((d) => d.outcome === 'delivered' && classifyAddress(d.to).kind === 'patient');
    if (!delivery) throw new Error(`MSS double: message ${messageId} was not delivered to a patient (${msg.deliveries.map((d) => `${d.to}: ${d.outcome}`).join('; ')})`);
    const patient = delivery.to;
    const state = t.patientState(patient);
    const readable = state === 'activé' || (state === 'créé non activé' && t.hasDefect('created-readable-without-activation'));
    if (!readable) throw new Error(`MSS double: patient ${patient} is "${state}" in tenant "${t.id}": Mon espace santé must be activated to read`);
    const already = t.readState(msg.seq);
    if (already !== false) return already; // RFC 8098 §2.1: at most one MDN per message
    const dnt = firstAddress(msg.parsed?.headers['disposition-notification-to']);
    if (!dnt) {
      t.markRead(msg.seq, undefined);
      return undefined;
    }
    const to = normalizeAddress(dnt);
    const built = buildMdn({
      reportingUa: PATIENT_DOMAIN,
      from: patient,
      to,
      originalRaw: msg.raw,
      ...(msg.parsed?.subject !== undefined ? { originalSubject: msg.parsed.subject } : {}),
      originalMessageId: `<${bareId(msg.parsed?.messageId ?? messageId)}>`,
      originalRecipient: patient,
      readAt: new Date(),
    });
    const mdn = await this.generated(t, 'mdn', '', to, built.raw, msg.seq);
    t.markRead(msg.seq, mdn);
    return mdn;
  }

  async patientReplies(t: TenantState, patientAddress: string, toMessageId: string, body: string): Promise<MssMessage> {
    const patient = this.patientOf(patientAddress);
    const original = t.findByMessageId(toMessageId);
    if (!original) throw new Error(`MSS double: tenant "${t.id}" has no message ${toMessageId} to reply to`);
    const fromHeader = firstAddress(original.parsed?.headers['from']);
    const to = fromHeader && classifyAddress(fromHeader).kind === 'professional' ? normalizeAddress(fromHeader) : original.envelope.from;
    if (!to) throw new Error(`MSS double: message ${toMessageId} has no sender to reply to`);
    const subject = original.parsed?.subject ?? '';
    const originalId = `<${bareId(original.parsed?.messageId ?? toMessageId)}>`;
    const refs = [...(original.parsed?.references ?? []).map((r) => `<${bareId(r)}>`), originalId];
    const built = buildTextMessage({
      from: patient, to, subject: /^re\s*:/i.test(subject) ? subject : `Re: ${subject}`, body, domain: PATIENT_DOMAIN,
      inReplyTo: originalId, references: refs,
    });
    return this.first(await this.ingest(patient, [to], built.raw, { via: 'internal' }, 'patient-reply'), t);
  }

  async patientWrites(t: TenantState, patientAddress: string, to: string, subject: string, body: string): Promise<MssMessage> {
    const patient = this.patientOf(patientAddress);
    const rcpt = normalizeAddress(to);
    const refused = this.checkRecipient(rcpt);
    if (refused) throw new Error(`MSS double: ${rcpt}: ${refused.message}`);
    const built = buildTextMessage({ from: patient, to: rcpt, subject, body, domain: PATIENT_DOMAIN });
    return this.first(await this.ingest(patient, [rcpt], built.raw, { via: 'internal' }, 'patient-message'), t);
  }

  // ---- the operator ----

  private tenantState(id: string): TenantState {
    if (!TENANT_ID.test(id)) throw new Error(`MSS double: invalid tenant id "${id}" (expected ${TENANT_ID})`);
    let t = this.tenants.get(id);
    if (!t) this.tenants.set(id, (t = new TenantState(id, this)));
    return t;
  }

  private first(msgs: MssMessage[], t: TenantState): MssMessage {
    const m = msgs.find((x) => x.tenant === t.id) ?? msgs[0];
    if (!m) throw new Error('MSS double: the message was not recorded');
    return m;
  }

  private patientOf(addr: string): string {
    const c = classifyAddress(addr);
    if (c.kind !== 'patient') throw new Error(`MSS double: ${JSON.stringify(addr)} is not a patient address (<INS>@${PATIENT_DOMAIN})`);
    return c.address;
  }

  /** The tenant of a professional mailbox: the tenant that registered it, else the suffix of its local part. */
  private tenantOf(c: AddressClass): string {
    if (c.kind !== 'professional') return DEFAULT_TENANT;
    return this.registered.get(c.address) ?? c.tenant ?? DEFAULT_TENANT;
  }

  private checkSender(address: string): SmtpError | null {
    if (address === '') return null; // null reverse-path (DSN, MDN)
    const c = classifyAddress(address);
    if (c.kind === 'external') return smtpError(550, `5.7.1 <${address}>: sender outside the MSSante trust space (*.mssante.fr)`);
    if (c.kind === 'autoresponder') return smtpError(550, `5.7.1 <${address}>: this mailbox does not send`);
    if (c.kind === 'patient' && !c.ins.valid) return smtpError(553, `5.1.7 <${address}>: invalid patient sender address (INS ${c.ins.reason})`);
    return null;
  }

  private checkRecipient(address: string): SmtpError | null {
    const c = classifyAddress(address);
    if (c.kind === 'external') return smtpError(550, `5.7.1 <${address}>: relay denied, only *.mssante.fr mailboxes are served here`);
    return null;
  }

  private async parse(raw: Buffer): Promise<{ parsed?: MssParsed; parseError?: string }> {
    const headers = readRawHeaders(raw);
    let timer: NodeJS.Timeout | undefined;
    try {
      const parsing = simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
      parsing.catch(() => undefined); // may settle after a timeout
      const mail = await Promise.race([
        parsing,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`mailparser gave no result within ${this.parseTimeoutMs} ms`)), this.parseTimeoutMs);
        }),
      ]);
      const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
        (a === undefined ? [] : Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((v) => v.address ?? '')).filter(Boolean);
      const parsed: MssParsed = {
        headers,
        attachments: mail.attachments.map((a) => ({
          ...(a.filename !== undefined ? { filename: a.filename } : {}),
          contentType: a.contentType,
          size: a.size,
          content: a.content,
        })),
      };
      if (mail.subject !== undefined) parsed.subject = mail.subject;
      if (mail.messageId !== undefined) parsed.messageId = mail.messageId;
      if (mail.inReplyTo !== undefined) parsed.inReplyTo = mail.inReplyTo;
      if (mail.references !== undefined) parsed.references = messageIds(mail.references).map((r) => `<${r}>`);
      const from = mail.from?.value[0]?.address;
      if (from) parsed.from = from;
      parsed.to = addresses(mail.to);
      if (mail.text !== undefined) parsed.text = mail.text;
      return { parsed };
    } catch (err) {
      return { parseError: err instanceof Error ? err.message : String(err) };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** Records a message, applies the rules per recipient, delivers, bounces, answers. One record per tenant involved. */
  private async ingest(from: string, to: string[], raw: Buffer, session: MssSessionInfo, generated?: MssGenerated): Promise<MssMessage[]> {
    const receivedAt = new Date();
    const { parsed, parseError } = await this.parse(raw);
    const headers = parsed?.headers ?? readRawHeaders(raw);
    const subject = parsed?.subject ?? headers['subject'];
    // MSS-07 compares the subject as sent (trailing white space included); encoded words are compared decoded.
    const rawSubject = exactHeader(raw, 'subject');
    const exactSubject = rawSubject !== undefined && rawSubject.includes('=?') ? subject : rawSubject;
    const text = parsed?.text ?? rawBody(raw);
    const messageId = parsed?.messageId ?? headers['message-id'];
    const refs = [...messageIds(parsed?.inReplyTo ?? headers['in-reply-to']), ...messageIds(parsed?.references ?? headers['references'])];
    const sender = from === '' ? null : classifyAddress(from);
    const senderAddress = sender?.address ?? '';

    const groups = new Map<string, AddressClass[]>();
    for (const r of to) {
      const rc = classifyAddress(r);
      const tid = sender?.kind === 'professional' ? this.tenantOf(sender) : this.tenantOf(rc);
      groups.set(tid, [...(groups.get(tid) ?? []), rc]);
    }
    const out: MssMessage[] = [];
    for (const [tid, rcpts] of groups) {
      const t = this.tenantState(tid);
      const msg: MssMessage = {
        seq: ++this.seq,
        tenant: tid,
        receivedAt: receivedAt.toISOString(),
        envelope: { from: senderAddress, to: rcpts.map((r) => r.address) },
        raw,
        deliveries: [],
        session,
        ...(parsed ? { parsed } : {}),
        ...(parseError !== undefined ? { parseError } : {}),
        ...(generated ? { generated } : {}),
      };
      const decisions = rcpts.map((rc) => this.decide(t, msg, sender, rc, { subject, exactSubject, text, messageId, refs }));
      msg.deliveries = decisions.map((d) => d.delivery);
      for (const d of msg.deliveries) if (d.outcome === 'delivered') this.drop(d.to, msg);
      // Generated answers are numbered after the message they answer, and recorded after it.
      const followUps: (() => Promise<unknown>)[] = [];
      const bounces = decisions.filter((d) => d.dsn);
      if (bounces.length && senderAddress) {
        const built = buildDsn({
          reportingMta: PATIENT_DOMAIN,
          from: `MAILER-DAEMON@${PATIENT_DOMAIN}`,
          to: senderAddress,
          originalRaw: raw,
          ...(subject !== undefined ? { originalSubject: subject } : {}),
          ...(messageId !== undefined ? { originalMessageId: `<${bareId(messageId)}>` } : {}),
          arrivalDate: receivedAt,
          recipients: bounces.map((d) => d.dsn!),
        });
        const dsnSeq = ++this.seq;
        for (const d of bounces) d.delivery.generatedSeq = dsnSeq;
        followUps.push(() => this.generated(t, 'dsn', '', senderAddress, built.raw, msg.seq, dsnSeq));
      } else if (bounces.length) {
        for (const d of bounces) d.delivery.reason = `${d.delivery.reason ?? ''} (null reverse-path: no DSN can be sent)`.trim();
      }
      const auto = decisions.find((d) => d.autoreply);
      if (auto && senderAddress) {
        const built = buildTextMessage({
          from: AUTORESPONDER, to: senderAddress, domain: PATIENT_DOMAIN, autoSubmitted: true,
          subject: `Re: ${subject ?? 'TEST'} — accusé de réception automatique`,
          body: AUTOREPLY_BODY,
          ...(messageId !== undefined ? { inReplyTo: `<${bareId(messageId)}>`, references: [`<${bareId(messageId)}>`] } : {}),
        });
        const autoSeq = ++this.seq;
        auto.delivery.generatedSeq = autoSeq;
        followUps.push(() => this.generated(t, 'autoreply', AUTORESPONDER, senderAddress, built.raw, msg.seq, autoSeq));
      }
      t.record(msg);
      for (const f of followUps) await f();
      out.push(msg);
    }
    return out;
  }

  private decide(
    t: TenantState, msg: MssMessage, sender: AddressClass | null, rc: AddressClass,
    ctx: { subject: string | undefined; exactSubject: string | undefined; text: string; messageId: string | undefined; refs: string[] },
  ): Decision {
    const to = rc.address;
    const ok = (reason?: string): Decision => ({ delivery: { to, outcome: 'delivered', ...(reason ? { reason } : {}) } });
    const bounce = (status: string, sentence: string, diagnostic: string, reason: string): Decision => ({
      delivery: { to, outcome: 'bounced', reason },
      dsn: { address: to, status, sentence, diagnostic },
    });
    const refuse = (sentence: string, diagnostic: string, reason: string, dsnToSender = true): Decision => ({
      delivery: { to, outcome: 'refused', reason },
      ...(dsnToSender ? { dsn: { address: to, status: '5.7.1', sentence, diagnostic } } : {}),
    });

    if (rc.kind === 'patient') {
      if (sender?.kind !== 'professional') {
        return refuse(BOUNCE_SENTENCES.notToPatient(to), 'only a health actor may write to a Mon espace sante user',
          `MSS-06: ${sender ? sender.kind : 'null sender'} may not write to a patient`, sender !== null);
      }
      if (!rc.ins.valid) {
        if (!t.hasDefect('invalid-address-accepted')) {
          return bounce('5.1.3', BOUNCE_SENTENCES.invalid(to), 'invalid Mon espace sante address (INS length or key)', `MSS-04: INS ${rc.ins.reason}`);
        }
      }
      const state = t.patientState(rc.ins.ins);
      if (state === 'opposé' && !t.hasDefect('opposed-delivered')) {
        const sentence = t.hasDefect('bounce-text-paraphrased') ? BOUNCE_SENTENCES.opposedParaphrased(to) : BOUNCE_SENTENCES.opposed(to);
        return bounce('5.1.1', sentence, 'Mon espace sante address does not exist', 'MSS-02: patient opposé');
      }
      if (state === 'clôturé') {
        if (t.hasDefect('closed-bounce-missing')) return { delivery: { to, outcome: 'dropped', reason: 'defect closed-bounce-missing: clôturé, no DSN' } };
        return bounce('5.2.1', BOUNCE_SENTENCES.closed(to), 'recipient Mon espace sante mailbox is closed', 'MSS-03: patient clôturé');
      }
      if (state === 'créé non activé' && t.hasDefect('created-not-activated-bounced')) {
        return bounce('5.1.1', BOUNCE_SENTENCES.opposed(to), 'Mon espace sante address does not exist', 'defect created-not-activated-bounced');
      }
      if (ctx.exactSubject === '[FIN]' && !t.hasDefect('fin-delivered')) {
        t.recordFin(sender.address, to, msg.seq);
        return { delivery: { to, outcome: 'not-delivered-fin', reason: 'MSS-07: [FIN] ends the exchange, not shown to the patient' } };
      }
      if (state === 'activé' && t.hasDefect('activated-not-delivered')) return { delivery: { to, outcome: 'dropped', reason: 'defect activated-not-delivered' } };
      t.recordSent(ctx.messageId, { seq: msg.seq, professional: sender.address, patient: to });
      const notified = !(state === 'activé' && t.hasDefect('activated-not-notified'));
      const mustActivate = state === 'créé non activé' && !t.hasDefect('created-readable-without-activation');
      const notes = [
        notified ? 'patient notified' : 'defect activated-not-notified: no notification',
        ...(state === 'créé non activé' ? [mustActivate ? 'must activate Mon espace santé to read' : 'defect created-readable-without-activation'] : []),
        ...(!rc.ins.valid ? ['defect invalid-address-accepted'] : []),
        ...(ctx.exactSubject === '[FIN]' ? ['defect fin-delivered'] : []),
      ];
      return { delivery: { to, outcome: 'delivered', reason: notes.join('; '), notified, mustActivate } };
    }

    if (rc.kind === 'autoresponder') {
      if (t.hasDefect('no-test-autoresponder')) return ok('defect no-test-autoresponder: no acknowledgement');
      if (sender === null) return ok('null sender: no acknowledgement');
      if ((ctx.subject ?? '').includes('TEST') && ctx.text.includes('TEST')) {
        return { delivery: { to, outcome: 'autoreplied', reason: 'MSS-09: TEST in subject and body' }, autoreply: true };
      }
      return ok('MSS-09: no acknowledgement, TEST missing from the subject or the body');
    }

    if (rc.kind === 'professional' && sender?.kind === 'patient') {
      const patient = sender.address;
      const state = t.patientState(sender.ins.ins);
      if (state !== 'activé') {
        return refuse(BOUNCE_SENTENCES.notToPatient(to), 'patient Mon espace sante not active', `patient is "${state}": cannot write`, false);
      }
      const repliedTo = ctx.refs
        .map((id) => t.sentToPatient(id))
        .filter((s) => s !== undefined && s.professional === to && s.patient === patient)
        .sort((a, b) => b!.seq - a!.seq)[0];
      const fin = t.finSeq(to, patient);
      if (repliedTo) {
        if (fin !== undefined && fin > repliedTo.seq && !t.hasDefect('fin-delivered')) {
          return refuse(BOUNCE_SENTENCES.finished(to), 'the professional ended the exchange ([FIN])', 'MSS-07: reply after [FIN]');
        }
        if (t.hasDefect('replies-refused')) return refuse(BOUNCE_SENTENCES.patientFirst(to), 'only a health actor may start an exchange', 'defect replies-refused');
        return ok(`reply to message #${repliedTo.seq}`);
      }
      if (t.isPharmacy(to) && !t.hasDefect('pharmacy-not-organisational')) return ok(`MSS-06: a patient may write first to a pharmacy's organisational mailbox${fin !== undefined ? ' (new conversation after [FIN])' : ''}`);
      if (t.hasDefect('patient-may-write-first')) return ok('defect patient-may-write-first');
      return refuse(BOUNCE_SENTENCES.patientFirst(to), 'only a health actor may start an exchange', 'MSS-06: patient may not write first');
    }

    return ok();
  }

  /** Records and delivers a message the double wrote itself (DSN, MDN, autoreply): no rules apply. */
  private async generated(
    t: TenantState, kind: MssGenerated, from: string, to: string, raw: Buffer, inResponseTo: number, seq = ++this.seq,
  ): Promise<MssMessage> {
    const { parsed, parseError } = await this.parse(raw);
    const msg: MssMessage = {
      seq,
      tenant: t.id,
      receivedAt: new Date().toISOString(),
      envelope: { from, to: [to] },
      raw,
      deliveries: [{ to, outcome: 'delivered' }],
      generated: kind,
      inResponseTo,
      session: { via: 'internal' },
      ...(parsed ? { parsed } : {}),
      ...(parseError !== undefined ? { parseError } : {}),
    };
    this.drop(to, msg);
    t.record(msg);
    return msg;
  }

  private drop(mailbox: string, msg: MssMessage): void {
    const drop = this.maildrops.get(mailbox) ?? [];
    drop.push({ uid: `mss-${msg.seq}`, msg });
    this.maildrops.set(mailbox, drop);
  }
}

function sessionInfo(s: SMTPServerSession): MssSessionInfo {
  const user = s.user as unknown;
  return {
    via: 'smtp',
    remoteAddress: s.remoteAddress,
    tls: s.secure,
    ...(typeof user === 'string' ? { authUser: user } : {}),
    ...(s.hostNameAppearsAs ? { helo: s.hostNameAppearsAs } : {}),
  };
}

/** The body of a message mailparser could not read, as text (for the TEST check only). */
function rawBody(raw: Buffer): string {
  const text = raw.toString('latin1');
  const sep = /\r?\n\r?\n/.exec(text);
  return sep ? text.slice(sep.index + sep[0].length) : '';
}
