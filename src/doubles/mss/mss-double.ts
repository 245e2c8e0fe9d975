/**
 * The MSSanté double: plays the MSSanté operator and its mailboxes, Mon espace santé's patient messaging
 * included (MSS-01..11), over real sockets on loopback — SMTP submission (smtp.ts) and POP3 retrieval
 * (pop3.ts). Every message is kept byte for byte, then parsed with mailparser (parse.ts). Like Mon espace
 * santé, it accepts then bounces: per recipient the rules decide (rules.ts, pure), and the operator here
 * records, delivers to the maildrops, and sends the DSN or the TEST acknowledgement (generated.ts).
 */
import type { SMTPServer } from 'smtp-server';
import { TenantRegistry } from '../common/tenants';
import { AUTORESPONDER, DEFAULT_TENANT, classifyAddress, normalizeAddress, type AddressClass } from './ins-address';
import { autoreply, bounce } from './generated';
import { parse, readMessage } from './parse';
import { patientReads, patientReplies, patientWrites, type Operator } from './patient';
import { Pop3Server, type MaildropEntry } from './pop3';
import { decideRecipient } from './rules';
import { closeSmtp, startSmtp, serverCertificate } from './smtp';
import { TenantState, type TenantHost } from './tenant';
import type { MssDoubleOptions, MssGenerated, MssMessage, MssSessionInfo, MssTenant } from './types';

/** 72 MiB of wire bytes: a 50 MiB attachment is ~68.5 MiB once base64-encoded (a 60 MB limit could not carry it). */
export const DEFAULT_MAX_MESSAGE_BYTES = 72 * 1024 * 1024;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export class MssDouble implements TenantHost, Operator {
  private readonly o: Required<Omit<MssDoubleOptions, 'tlsKey' | 'tlsCert'>> & Pick<MssDoubleOptions, 'tlsKey' | 'tlsCert'>;
  private readonly tenants = new TenantRegistry('MSS double', (id) => new TenantState(id, this));
  private readonly registered = new Map<string, string>(); // mailbox → tenant that registered it
  private readonly maildrops = new Map<string, { uid: string; msg: MssMessage }[]>();
  private smtpServer: SMTPServer | null = null;
  private pop3Server: Pop3Server | null = null;
  private smtpBound = 0;
  private seq = 0;
  /** Connection-level errors reported by smtp-server (kept as evidence, never thrown). */
  readonly smtpErrors: string[] = [];

  constructor(options: MssDoubleOptions = {}) {
    const host = options.host ?? '127.0.0.1';
    this.o = {
      host,
      advertisedHost: options.advertisedHost ?? host,
      smtpPort: options.smtpPort ?? 0,
      pop3Port: options.pop3Port ?? 0,
      pop3sPort: options.pop3sPort ?? 0,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      parseTimeoutMs: options.parseTimeoutMs ?? 20_000,
      starttls: options.starttls ?? true,
      ...(options.tlsKey !== undefined ? { tlsKey: options.tlsKey } : {}),
      ...(options.tlsCert !== undefined ? { tlsCert: options.tlsCert } : {}),
    };
  }

  get smtp(): { host: string; port: number } {
    if (!this.smtpServer) throw new Error('MSS double: the SMTP endpoint is only known after start()');
    return { host: this.o.advertisedHost, port: this.smtpBound };
  }

  get pop3(): { host: string; port: number } {
    if (!this.pop3Server) throw new Error('MSS double: the POP3 endpoint is only known after start()');
    return { host: this.o.advertisedHost, port: this.pop3Server.port };
  }

  /** POP3 over TLS from the first byte (RFC 8314), when STARTTLS is on; else null. */
  get pop3s(): { host: string; port: number } | null {
    if (!this.pop3Server) throw new Error('MSS double: the POP3S endpoint is only known after start()');
    return this.pop3Server.tlsPort ? { host: this.o.advertisedHost, port: this.pop3Server.tlsPort } : null;
  }

  tenant(id: string): MssTenant {
    return this.tenants.get(id);
  }

  async start(): Promise<void> {
    if (this.smtpServer) throw new Error('MSS double: already started');
    const { host, idleTimeoutMs } = this.o;
    const { server, port } = await startSmtp({
      host,
      port: this.o.smtpPort,
      idleTimeoutMs,
      maxMessageBytes: this.o.maxMessageBytes,
      starttls: this.o.starttls,
      ...(this.o.tlsKey !== undefined ? { tlsKey: this.o.tlsKey } : {}),
      ...(this.o.tlsCert !== undefined ? { tlsCert: this.o.tlsCert } : {}),
      accept: (from, to, raw, session) => this.accept(from, to, raw, session),
      errors: this.smtpErrors,
    });
    this.smtpServer = server;
    this.smtpBound = port;
    const pop3 = new Pop3Server({
      host,
      port: this.o.pop3Port,
      ...(this.o.starttls ? { tls: serverCertificate(this.o), tlsPort: this.o.pop3sPort } : {}),
      idleTimeoutMs,
      store: {
        key: (user) => normalizeAddress(user),
        list: (mailbox): MaildropEntry[] => (this.maildrops.get(mailbox) ?? []).map((e) => ({ uid: e.uid, raw: e.msg.raw })),
        remove: (mailbox, uids) => {
          const drop = this.maildrops.get(mailbox);
          if (drop)
            this.maildrops.set(
              mailbox,
              drop.filter((e) => !uids.includes(e.uid)),
            );
        },
      },
    });
    try {
      await pop3.start();
    } catch (err) {
      await closeSmtp(server);
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
    for (const t of this.tenants.all()) t.abortWaits('the double was stopped');
    await Promise.all([smtp ? closeSmtp(smtp) : undefined, pop3?.stop()]);
  }

  // ---- TenantHost: what a tenant asks of the double ----

  registerMailboxTenant(addr: string, tenant: string): void {
    this.registered.set(addr, tenant);
  }

  forgetTenant(tenant: string): void {
    for (const [addr, t] of this.registered) if (t === tenant) this.registered.delete(addr);
    for (const [addr, drop] of this.maildrops)
      this.maildrops.set(
        addr,
        drop.filter((e) => e.msg.tenant !== tenant),
      );
  }

  patientReads(tenant: TenantState, messageId: string): Promise<MssMessage | undefined> {
    return patientReads(this, tenant, messageId);
  }

  patientReplies(tenant: TenantState, patientAddress: string, toMessageId: string, body: string): Promise<MssMessage> {
    return patientReplies(this, tenant, patientAddress, toMessageId, body);
  }

  patientWrites(tenant: TenantState, patientAddress: string, to: string, subject: string, body: string): Promise<MssMessage> {
    return patientWrites(this, tenant, patientAddress, to, subject, body);
  }

  // ---- the operator ----

  /** Records a message, applies the rules per recipient, delivers, bounces, answers. One record per tenant involved. */
  async accept(from: string, to: string[], raw: Buffer, session: MssSessionInfo, generated?: MssGenerated): Promise<MssMessage[]> {
    const receivedAt = new Date();
    const read = await readMessage(raw, this.o.parseTimeoutMs);
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
      const tenant = this.tenants.get(tid);
      const msg: MssMessage = {
        seq: ++this.seq,
        tenant: tid,
        receivedAt: receivedAt.toISOString(),
        envelope: { from: senderAddress, to: rcpts.map((r) => r.address) },
        raw,
        deliveries: [],
        session,
        ...(read.parsed ? { parsed: read.parsed } : {}),
        ...(read.parseError !== undefined ? { parseError: read.parseError } : {}),
        ...(generated ? { generated } : {}),
      };
      const decisions = rcpts.map((rc) => {
        const patient = rc.kind === 'patient' ? rc : sender?.kind === 'patient' ? sender : undefined;
        const decision = decideRecipient({
          sender,
          recipient: rc,
          patientState: patient ? tenant.stateOf(patient.ins.ins) : 'activé',
          message: read,
          conversation: tenant,
          toPharmacy: tenant.isPharmacy(rc.address),
          defects: tenant.defectsInForce(),
        });
        if (decision.remember === 'fin') tenant.recordFin(senderAddress, rc.address, msg.seq);
        if (decision.remember === 'sent-to-patient')
          tenant.recordSent(read.messageId, { seq: msg.seq, professional: senderAddress, patient: rc.address });
        return decision;
      });
      msg.deliveries = decisions.map((d) => d.delivery);
      for (const d of msg.deliveries) if (d.outcome === 'delivered') this.deliver(d.to, msg);
      // Generated answers are numbered after the message they answer, and recorded after it.
      const followUps: (() => Promise<unknown>)[] = [];
      const bounces = decisions.filter((d) => d.dsn);
      if (bounces.length && senderAddress) {
        const dsnSeq = ++this.seq;
        for (const d of bounces) d.delivery.generatedSeq = dsnSeq;
        const dsn = bounce(
          { raw, subject: read.subject, messageId: read.messageId, receivedAt },
          senderAddress,
          bounces.map((d) => d.dsn!),
        );
        followUps.push(() => this.recordGenerated(tenant, 'dsn', '', senderAddress, dsn, msg.seq, dsnSeq));
      } else if (bounces.length) {
        for (const d of bounces) d.delivery.reason = `${d.delivery.reason ?? ''} (null reverse-path: no DSN can be sent)`.trim();
      }
      const auto = decisions.find((d) => d.autoreply);
      if (auto && senderAddress) {
        const autoSeq = ++this.seq;
        auto.delivery.generatedSeq = autoSeq;
        followUps.push(async () =>
          this.recordGenerated(
            tenant,
            'autoreply',
            AUTORESPONDER,
            senderAddress,
            await autoreply({ subject: read.subject, messageId: read.messageId }, senderAddress),
            msg.seq,
            autoSeq,
          ),
        );
      }
      tenant.record(msg);
      for (const f of followUps) await f();
      out.push(msg);
    }
    return out;
  }

  /** Records and delivers a message the double wrote itself (DSN, MDN, autoreply): no rules apply. */
  async recordGenerated(
    tenant: TenantState,
    kind: MssGenerated,
    from: string,
    to: string,
    raw: Buffer,
    inResponseTo: number,
    seq = ++this.seq,
  ): Promise<MssMessage> {
    const { parsed, parseError } = await parse(raw, this.o.parseTimeoutMs);
    const msg: MssMessage = {
      seq,
      tenant: tenant.id,
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
    this.deliver(to, msg);
    tenant.record(msg);
    return msg;
  }

  /** The tenant of a professional mailbox: the tenant that registered it, else the suffix of its local part. */
  private tenantOf(classified: AddressClass): string {
    if (classified.kind !== 'professional') return DEFAULT_TENANT;
    return this.registered.get(classified.address) ?? classified.tenant ?? DEFAULT_TENANT;
  }

  /** Puts the message in the mailbox's POP3 maildrop. */
  private deliver(mailbox: string, msg: MssMessage): void {
    const drop = this.maildrops.get(mailbox) ?? [];
    drop.push({ uid: `mss-${msg.seq}`, msg });
    this.maildrops.set(mailbox, drop);
  }
}
