/**
 * The test PKI of the doubles: a CA made for the run, the doubles' server certificate (for the host
 * names the LGC is given) and a client certificate for the LGC under test, as the real INSi and
 * DMP services require (mutual TLS). Node's crypto makes the RSA keys (native, fast); node-forge
 * makes and signs the X.509 certificates and the PKCS#12 file, which Node's crypto cannot.
 *
 * Nothing here is an IGC-Santé certificate: the CA says so in its name, and only Vigie's doubles
 * trust it. The PKI is kept in build/pki (made again when the hosts change or it nears its end),
 * so that every worker process of a run, and the next run, speak with the same CA.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';
import type { ServerTls } from './types';

export interface KeyPair {
  /** PEM certificate */
  cert: string;
  /** PEM private key (PKCS#1) */
  key: string;
}

export interface TestPki {
  version: 1;
  ca: KeyPair;
  /** The doubles' server certificate, for these host names and addresses. */
  server: KeyPair & { hosts: string[] };
  /** The LGC's client certificate. */
  client: KeyPair & { subject: string };
  /** ISO date after which the PKI is made again (a week before its certificates expire). */
  renewAfter: string;
}

const DAYS = 90;
const CA_NAME = 'Vigie test CA (not IGC-Sante, trusted only by Vigie doubles)';
export const CLIENT_SUBJECT = 'LGC under test (Vigie test client)';

function rsaKeys(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}

/** A positive serial number (the first byte's high bit clear), 16 bytes of randomness. */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

export interface IssueOptions {
  commonName: string;
  /** The issuer; absent: self-signed (a CA). */
  issuer?: KeyPair;
  ca?: boolean;
  usage?: 'server' | 'client';
  hosts?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

/** One certificate and its key. Exported for the tests (an expired client, another CA). */
export function issue(spec: IssueOptions): KeyPair {
  const keys = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serial();
  const now = Date.now();
  cert.validity.notBefore = spec.notBefore ?? new Date(now - 60 * 60_000);
  cert.validity.notAfter = spec.notAfter ?? new Date(now + DAYS * 86_400_000);
  const subject = [
    { name: 'commonName', value: spec.commonName },
    { name: 'organizationName', value: 'Vigie' },
  ];
  cert.setSubject(subject);
  const issuerCert = spec.issuer ? forge.pki.certificateFromPem(spec.issuer.cert) : undefined;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  const extensions: object[] = [{ name: 'basicConstraints', cA: !!spec.ca, critical: true }];
  if (spec.ca) extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true });
  else extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
  if (spec.usage) extensions.push({ name: 'extKeyUsage', serverAuth: spec.usage === 'server', clientAuth: spec.usage === 'client' });
  if (spec.hosts?.length)
    extensions.push({
      name: 'subjectAltName',
      altNames: spec.hosts.map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })),
    });
  extensions.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(extensions);
  const signer = forge.pki.privateKeyFromPem(spec.issuer?.key ?? keys.privateKey);
  cert.sign(signer, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privateKey };
}

/** A new PKI: CA, server certificate for `hosts`, client certificate. */
export function makeTestPki(hosts: string[]): TestPki {
  const ca = issue({ commonName: CA_NAME, ca: true, notAfter: new Date(Date.now() + 2 * DAYS * 86_400_000) });
  const server = issue({ commonName: hosts[0] ?? 'localhost', issuer: ca, usage: 'server', hosts });
  const client = issue({ commonName: CLIENT_SUBJECT, issuer: ca, usage: 'client' });
  return {
    version: 1,
    ca,
    server: { ...server, hosts: [...hosts] },
    client: { ...client, subject: CLIENT_SUBJECT },
    renewAfter: new Date(Date.now() + (DAYS - 7) * 86_400_000).toISOString(),
  };
}

/** The hosts a server certificate names by default: loopback under every name, plus the advertised host. */
export function pkiHosts(...extra: (string | undefined)[]): string[] {
  return [...new Set(['localhost', '127.0.0.1', '::1', ...extra.filter((h): h is string => !!h && h !== '0.0.0.0' && h !== '::')])];
}

const memo = new Map<string, TestPki>();

/**
 * The PKI kept in `dir` when it covers `hosts` and is not near its end; else a new one, written
 * there (atomically: a sibling process reads either the old file or the new one, never half).
 */
export function testPki(dir: string, hosts: string[]): TestPki {
  const key = `${dir}|${[...hosts].sort().join(',')}`;
  const known = memo.get(key);
  if (known && Date.parse(known.renewAfter) > Date.now()) return known;
  const file = join(dir, 'test-pki.json');
  let pki: TestPki | undefined;
  if (existsSync(file)) {
    try {
      const kept = JSON.parse(readFileSync(file, 'utf8')) as TestPki;
      if (kept.version === 1 && Date.parse(kept.renewAfter) > Date.now() && hosts.every((h) => kept.server.hosts.includes(h))) pki = kept;
    } catch {
      pki = undefined; // unreadable: made again
    }
  }
  if (!pki) {
    pki = makeTestPki(hosts);
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(pki, null, 1), { mode: 0o600 });
    renameSync(tmp, file);
  }
  memo.set(key, pki);
  return pki;
}

/** The client certificate, its key and the CA as one PKCS#12 file (what a Java or .NET LGC's key store takes). */
export function clientPkcs12(pki: TestPki, password: string): Buffer {
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(pki.client.key),
    [forge.pki.certificateFromPem(pki.client.cert), forge.pki.certificateFromPem(pki.ca.cert)],
    password,
    { algorithm: '3des', friendlyName: 'vigie-lgc-client' },
  );
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

export interface ExportedPki {
  dir: string;
  files: Record<'ca' | 'clientCert' | 'clientKey' | 'clientP12' | 'serverCert', string>;
  password: string;
}

/** Writes what a vendor installs in the LGC: the CA (trust store), the client certificate as PEM and PKCS#12. */
export function exportPki(pki: TestPki, dir: string, password = 'vigie'): ExportedPki {
  mkdirSync(dir, { recursive: true });
  const files = {
    ca: join(dir, 'vigie-test-ca.pem'),
    serverCert: join(dir, 'doubles-server.pem'),
    clientCert: join(dir, 'lgc-client.pem'),
    clientKey: join(dir, 'lgc-client.key'),
    clientP12: join(dir, 'lgc-client.p12'),
  };
  writeFileSync(files.ca, pki.ca.cert);
  writeFileSync(files.serverCert, pki.server.cert);
  writeFileSync(files.clientCert, pki.client.cert);
  writeFileSync(files.clientKey, pki.client.key, { mode: 0o600 });
  writeFileSync(files.clientP12, clientPkcs12(pki, password), { mode: 0o600 });
  return { dir, files, password };
}

/**
 * The doubles' TLS options from the PKI: `https` for the e-prescription double (server side only),
 * `mutual` for INSi and the DMP (a client certificate of the test CA, or of `extraCas`, required).
 */
export function doubleTls(pki: TestPki, extraCas: string[] = []): { https: ServerTls; mutual: ServerTls } {
  const https = { key: pki.server.key, cert: pki.server.cert };
  return { https, mutual: { ...https, clientCas: [pki.ca.cert, ...extraCas] } };
}
