/**
 * The skeleton of the HTTP doubles (INSi, DMP, e-prescription): a real server on loopback (by
 * default), one tenant per URL, its lifecycle (start, base URL, stop that cuts parked requests and
 * rejects pending waits), routing to a tenant, the size-limited body, and a bug in the double turned
 * into an answer rather than a hung client. A double adds what its service answers (serve()).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { readBody, type Body, type BodyLimits } from './body';
import { closeServer, httpBaseUrl, listen, send, type Reply } from './http-server';
import { DEFAULT_TENANT, TenantRegistry, TENANT_ID } from './tenants';
import type { HoldingTenant, HeldRecord } from './tenant';
import type { ClientCertificate, HttpDoubleOptions, ServerTls, TlsRefusal } from './types';

export type { HttpDoubleOptions } from './types';

export interface HttpDoubleSpec<T> {
  /** How the double names itself in errors: "INSi double". */
  label: string;
  /** The paths it serves; group 1 is the tenant (absent: the default tenant). */
  route: RegExp;
  maxBodyBytes: number;
  /** drainBytes and headBytes of an oversized body (see readBody), from the body limit in force. */
  oversize(maxBodyBytes: number): Omit<BodyLimits, 'maxBytes'>;
  newTenant(id: string): T;
  /** 404, 405, in the double's own format. */
  plainReply(status: number, text: string): Reply;
  /** 500 for a bug in the double, in the double's own format (a SOAP Receiver fault, a JSON KO). */
  internalErrorReply(message: string): Reply;
}

/** One request, routed to its tenant, its body read (a client that gave up is not served). */
export interface Incoming<T> {
  tenant: T;
  route: RegExpExecArray;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  body: Exclude<Body, { kind: 'aborted' }>;
  contentType: string;
  receivedAt: Date;
  /** performance.now() at arrival, for the recorded duration. */
  started: number;
  /** The client certificate of the TLS connection (mutual TLS), recorded as evidence. */
  clientCertificate?: ClientCertificate;
}

export abstract class HttpDouble<T extends HoldingTenant<HeldRecord>> {
  protected readonly tenants: TenantRegistry<T>;
  protected readonly maxBodyBytes: number;
  private readonly host: string;
  private readonly port: number;
  private readonly advertisedHost: string;
  private readonly limits: BodyLimits;
  private readonly tls: ServerTls | undefined;
  private server: http.Server | https.Server | null = null;
  private readonly refusals: TlsRefusal[] = [];
  private readonly onTlsRefusal: ((refusal: TlsRefusal) => void) | undefined;
  private boundPort = 0;
  private seq = 0;

  protected constructor(
    private readonly spec: HttpDoubleSpec<T>,
    opts: HttpDoubleOptions,
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 0;
    this.advertisedHost = opts.advertisedHost ?? this.host;
    this.maxBodyBytes = opts.maxBodyBytes ?? spec.maxBodyBytes;
    this.limits = { maxBytes: this.maxBodyBytes, ...spec.oversize(this.maxBodyBytes) };
    this.tenants = new TenantRegistry(spec.label, spec.newTenant);
    this.tls = opts.tls;
    this.onTlsRefusal = opts.onTlsRefusal;
  }

  /** Whether the double speaks HTTPS, and asks for a client certificate. */
  get transport(): { tls: boolean; clientCertificate: boolean } {
    return { tls: !!this.tls, clientCertificate: this.mutual };
  }

  /** Mutual TLS: a client certificate of one of `tls.clientCas` is required. */
  private get mutual(): boolean {
    return !!this.tls?.clientCas?.length;
  }

  /**
   * The TLS handshakes refused since `since` (an ISO time): no HTTP request, so no tenant; a step
   * that saw no call names them (the LGC did call, without an accepted certificate).
   */
  tlsRefusals(since?: string): TlsRefusal[] {
    return since ? this.refusals.filter((r) => r.at >= since) : [...this.refusals];
  }

  get baseUrl(): string {
    if (!this.server) throw new Error(`${this.spec.label}: baseUrl is only known after start()`);
    return httpBaseUrl(this.advertisedHost, this.boundPort, this.tls ? 'https' : 'http');
  }

  async start(): Promise<void> {
    if (this.server) throw new Error(`${this.spec.label}: already started`);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.dispatch(req, res).catch((err: unknown) => {
        // A bug in the double must show up as an answer, not as a hung client.
        if (res.headersSent) return void res.destroy();
        send(res, this.spec.internalErrorReply(`${this.spec.label} internal error: ${String(err)}`));
      });
    };
    const tls = this.tls;
    const mutual = this.mutual;
    const server = tls
      ? https.createServer(
          {
            key: tls.key,
            cert: tls.cert,
            // Mutual TLS as the real INSi and DMP: the certificate is asked for in the handshake and
            // checked just after it (below), so that the refusal says why (expired, another CA, none).
            ...(mutual ? { ca: tls.clientCas, requestCert: true, rejectUnauthorized: false } : {}),
          },
          handler,
        )
      : http.createServer(handler);
    const refuse = (socket: TLSSocket, code: string, reason: string) => {
      if (this.refusals.length >= 1000) this.refusals.shift();
      const refusal = {
        at: new Date().toISOString(),
        remote: `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? ''}`,
        code,
        reason,
      };
      this.refusals.push(refusal);
      this.onTlsRefusal?.(refusal);
    };
    if (tls) server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: TLSSocket) => refuse(socket, err.code ?? 'TLS', err.message));
    if (mutual)
      // First in line, before the HTTP parser is attached to the connection.
      server.prependListener('secureConnection', (socket: TLSSocket) => {
        if (socket.authorized) return;
        const presented = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
        const code = presented ? String(socket.authorizationError ?? 'UNKNOWN') : 'NO_CLIENT_CERTIFICATE';
        refuse(socket, code, CERTIFICATE_REFUSALS[code] ?? `client certificate refused: ${code}`);
        socket.destroy(); // before any HTTP: no request of this connection reaches a tenant
      });
    // Longer than any client's idle keep-alive, so a client never reuses a socket the double is closing.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    this.boundPort = await listen(server, this.port, this.host);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const t of this.tenants.all()) {
      t.release({ drop: true });
      t.abortWaits('the double was stopped');
    }
    await closeServer(server);
  }

  /** `${baseUrl}${path}` for a tenant, after checking its id. */
  protected tenantUrl(tenant: string, path: string): string {
    this.tenants.check(tenant);
    return `${this.baseUrl}${path}`;
  }

  /** Numbers every exchange of the double, across tenants. */
  protected nextSeq(): number {
    return ++this.seq;
  }

  protected abstract serve(r: Incoming<T>): void | Promise<void>;

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // A connection refused after its handshake (see start) never reaches a tenant.
    if (this.mutual && !(req.socket as TLSSocket).authorized) return void req.socket.destroy();
    const receivedAt = new Date();
    const started = performance.now();
    const route = this.spec.route.exec(new URL(req.url ?? '/', 'http://double').pathname);
    const tenantId = route ? (route[1] ?? DEFAULT_TENANT) : '';
    if (!route || !TENANT_ID.test(tenantId)) return send(res, this.spec.plainReply(404, 'Not found'));
    if (req.method !== 'POST') {
      const reply = this.spec.plainReply(405, 'Only POST is supported');
      return send(res, { ...reply, headers: { allow: 'POST', ...reply.headers } });
    }
    const tenant = this.tenants.get(tenantId);
    const body = await readBody(req, this.limits);
    if (body.kind === 'aborted') return; // client gave up while sending: nothing to record or answer
    const contentType = String(req.headers['content-type'] ?? '');
    const clientCertificate = this.mutual ? peerCertificate(req.socket as TLSSocket) : undefined;
    await this.serve({
      tenant,
      route,
      req,
      res,
      body,
      contentType,
      receivedAt,
      started,
      ...(clientCertificate ? { clientCertificate } : {}),
    });
  }
}

/** Node's authorizationError codes, in a reviewer's words. */
const CERTIFICATE_REFUSALS: Record<string, string> = {
  NO_CLIENT_CERTIFICATE: 'no client certificate was presented',
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: 'no client certificate was presented',
  CERT_HAS_EXPIRED: 'the client certificate has expired',
  CERT_NOT_YET_VALID: 'the client certificate is not valid yet',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the client certificate is not issued by a CA the double accepts',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the client certificate is not issued by a CA the double accepts',
  UNABLE_TO_GET_ISSUER_CERT: 'the client certificate is not issued by a CA the double accepts',
  SELF_SIGNED_CERT_IN_CHAIN: 'the client certificate chains to a CA the double does not accept',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the client certificate is self-signed',
};

function peerCertificate(socket: TLSSocket): ClientCertificate | undefined {
  const cert = socket.getPeerCertificate?.();
  if (!cert || !cert.subject) return undefined;
  const name = (o: Record<string, string | string[] | undefined>) =>
    Object.entries(o)
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
      .join(', ');
  return { subject: name(cert.subject as never), issuer: name(cert.issuer as never), serial: cert.serialNumber, validTo: cert.valid_to };
}
