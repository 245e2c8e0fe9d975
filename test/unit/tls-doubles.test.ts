/**
 * The doubles over TLS, as the real services: INSi and DMP want a client certificate (mutual TLS),
 * the e-prescription service is HTTPS. A third-party SOAP client (node-soap, built from the CNAM
 * WSDL) with the PKCS#12 file and the CA Vigie exports calls INSi over mutual TLS; a client without
 * a certificate, with an expired one or one of another CA is refused in the handshake, and the
 * refusal is recorded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as https from 'node:https';
import { createSecureContext } from 'node:tls';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as soap from 'soap';
import { CORSE, cnamInsiClient } from '../support/cnam-wsdl';
import { exchange, tlsPost } from '../support/http';
import { SOAP12, cda, inlineDoc, pnrXml, type EntrySpec } from '../support/iti41';
import { CLIENT_SUBJECT, clientPkcs12, doubleTls, exportPki, issue, makeTestPki, pkiHosts, testPki } from '../../src/doubles/common/pki';
import { DmpDouble } from '../../src/doubles/dmp';
import { EPrescriptionDouble } from '../../src/doubles/eprescription';
import { InsiDouble } from '../../src/doubles/insi';
import { httpPost } from '../../src/reference-lgc/http-post';

const pki = makeTestPki(pkiHosts());
const { https: serverOnly, mutual } = doubleTls(pki);

/** One SOAP-typed POST over TLS: the status, or the error the handshake ended with. */
const post = (url: string, tls: https.RequestOptions) => tlsPost(url, '<x/>', 'application/soap+xml', tls);

describe('the test PKI', () => {
  test('a CA, a server certificate for the loopback names, a client certificate, all signed by the CA', () => {
    const ca = new X509Certificate(pki.ca.cert);
    const server = new X509Certificate(pki.server.cert);
    const client = new X509Certificate(pki.client.cert);
    assert.ok(ca.ca, 'the CA is a CA');
    assert.ok(server.verify(ca.publicKey) && client.verify(ca.publicKey), 'both signed by the CA');
    assert.ok(server.checkIP('127.0.0.1') && server.checkHost('localhost'), server.subjectAltName);
    assert.match(client.subject, new RegExp(CLIENT_SUBJECT.replace(/[()]/g, '\\$&')));
    assert.match(ca.subject, /not IGC-Sante/);
  });

  test('kept in its folder: a second call (another process) gets the same CA; hosts not covered make a new one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigie-pki-'));
    const first = testPki(dir, ['localhost', '127.0.0.1']);
    const kept = JSON.parse(readFileSync(path.join(dir, 'test-pki.json'), 'utf8'));
    assert.equal(kept.ca.cert, first.ca.cert);
    assert.equal(testPki(dir, ['127.0.0.1']).ca.cert, first.ca.cert);
    assert.notEqual(testPki(dir, ['127.0.0.1', 'lgc.example.test']).ca.cert, first.ca.cert);
  });

  test('exported as PEM and PKCS#12 with its password, which node reads back', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigie-pki-export-'));
    const out = exportPki(pki, dir, 'secret');
    assert.equal(out.password, 'secret');
    for (const f of Object.values(out.files)) assert.ok(readFileSync(f).length > 100, f);
    // A TLS context accepts the PKCS#12 with its password (and refuses a wrong one).
    assert.doesNotThrow(() => createSecureContext({ pfx: readFileSync(out.files.clientP12), passphrase: 'secret' }));
    assert.throws(() => createSecureContext({ pfx: clientPkcs12(pki, 'secret'), passphrase: 'wrong' }));
  });
});

describe('INSi double over mutual TLS', () => {
  const double = new InsiDouble({ people: [CORSE], tls: mutual });
  before(() => double.start());
  after(() => double.stop());

  test('advertises an https URL', () => {
    assert.match(double.endpointFor('t'), /^https:\/\/127\.0\.0\.1:\d+\//);
    assert.deepEqual(double.transport, { tls: true, clientCertificate: true });
  });

  test('node-soap, built from the CNAM WSDL, with the exported PKCS#12 and CA, gets its answer; the certificate is recorded', async () => {
    const client = await cnamInsiClient(double.endpointFor('wire-tls'));
    client.setSecurity(new soap.ClientSSLSecurityPFX(clientPkcs12(pki, 'p12-pass'), 'p12-pass', { ca: pki.ca.cert }));
    const [result] = await client.rechercherInsAvecCarteVitaleAsync({
      MatriculeIndividu: { NumIdentifiant: '180032B020401', Cle: '23' },
      DateNaissance: '1980-03-02',
    });
    assert.equal(result.CR.CodeCR, '00');
    const [ex] = double.tenant('wire-tls').exchanges();
    assert.match(ex.clientCertificate?.subject ?? '', /CN=LGC under test/);
    assert.match(ex.clientCertificate?.issuer ?? '', /CN=Vigie test CA/);
    assert.match(ex.clientCertificate?.serial ?? '', /^[0-9A-F]+$/);
  });

  test("node-soap over mutual TLS, a CNAM test person by traits: CNAM's recorded answer; a CNAM fault is an HTTP 500 error", async () => {
    const client = await cnamInsiClient(double.endpointFor('cnam-tls'));
    client.setSecurity(new soap.ClientSSLSecurityPFX(clientPkcs12(pki, 'p12-pass'), 'p12-pass', { ca: pki.ca.cert }));
    const [found] = await client.rechercherInsAvecTraitsIdentiteAsync({
      NomNaissance: 'TCHITCHI',
      Prenom: 'CATARINA',
      Sexe: 'F',
      DateNaissance: '1936-06-21',
    });
    assert.equal(found.CR.CodeCR, '00');
    assert.equal(found.INDIVIDU.INSACTIF.IdIndividu.NumIdentifiant, '2360663220836');
    assert.equal(found.INDIVIDU.TIQ.ListePrenom, 'CATARINA BELLA');
    const [several] = await client.rechercherInsAvecTraitsIdentiteAsync({
      NomNaissance: 'DE VINCI',
      Prenom: 'LEONARDO',
      Sexe: 'M',
      DateNaissance: '2014-02-01',
    });
    assert.equal(several.CR.CodeCR, '02');
    double.tenant('cnam-tls').respondWith({ kind: 'fault', code: 'insi_102' });
    await assert.rejects(
      client.rechercherInsAvecTraitsIdentiteAsync({ NomNaissance: 'TCHITCHI', Prenom: 'CATARINA', Sexe: 'F', DateNaissance: '1936-06-21' }),
      (err: {
        response?: { status?: number };
        root?: { Envelope?: { Body?: { Fault?: { Detail?: { Erreur?: { attributes?: { code?: string } } } } } } };
      }) => err.response?.status === 500 && err.root?.Envelope?.Body?.Fault?.Detail?.Erreur?.attributes?.code === 'insi_102',
    );
  });

  test('the reference LGC client (PEM credentials from reset) is accepted', async () => {
    const reply = await httpPost(
      double.endpointFor('lgc'),
      { 'content-type': 'application/soap+xml' },
      Buffer.from('<x/>'),
      5000,
      undefined,
      {
        ca: pki.ca.cert,
        cert: pki.client.cert,
        key: pki.client.key,
      },
    );
    assert.ok(reply.ok, JSON.stringify(reply));
  });

  test('no client certificate, an expired one, another CA’s: refused in the handshake, and each refusal recorded', async () => {
    const since = new Date().toISOString();
    const expired = issue({
      commonName: 'expired client',
      issuer: pki.ca,
      usage: 'client',
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const otherCa = issue({ commonName: 'Another CA', ca: true });
    const stranger = issue({ commonName: 'stranger', issuer: otherCa, usage: 'client' });
    const url = double.endpointFor('refused');
    for (const creds of [{}, { cert: expired.cert, key: expired.key }, { cert: stranger.cert, key: stranger.key }]) {
      const reply = await post(url, { ca: pki.ca.cert, ...creds });
      assert.equal(reply.status, undefined, `refused, not answered: ${JSON.stringify(reply)}`);
      assert.ok(reply.error, 'the client saw the refusal');
    }
    assert.deepEqual(double.tenant('refused').exchanges(), [], 'no HTTP exchange reached a tenant');
    // The server side records the refusal once the handshake fails; give the event loop a turn.
    await new Promise((resolve) => setImmediate(resolve));
    const refusals = double.tlsRefusals(since);
    assert.equal(refusals.length, 3, JSON.stringify(refusals));
    assert.ok(refusals.every((refusal) => refusal.reason.length > 0 && /^127\.0\.0\.1:/.test(refusal.remote)));
  });

  test('a client that does not trust Vigie’s CA refuses the double (the server certificate is not a public one)', async () => {
    const reply = await post(double.endpointFor('untrusting'), { cert: pki.client.cert, key: pki.client.key });
    assert.match(reply.error ?? '', /self.signed|unable to verify|certificate/i);
  });
});

describe('DMP and e-prescription doubles over TLS', () => {
  const dmp = new DmpDouble({ tls: mutual });
  const eprescription = new EPrescriptionDouble({ tls: serverOnly });
  before(() => Promise.all([dmp.start(), eprescription.start()]));
  after(() => Promise.all([dmp.stop(), eprescription.stop()]));

  test('the DMP wants a client certificate; the e-prescription service does not', async () => {
    assert.match(dmp.repositoryUrlFor('t'), /^https:/);
    assert.equal((await post(dmp.repositoryUrlFor('t'), { ca: pki.ca.cert })).status, undefined);
    const withCert = await post(dmp.repositoryUrlFor('t'), { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
    assert.ok(withCert.status && withCert.status >= 200, JSON.stringify(withCert));
    assert.deepEqual(eprescription.transport, { tls: true, clientCertificate: false });
    const plain = await post(`${eprescription.urlFor('t')}/prescriptions`, { ca: pki.ca.cert });
    assert.ok(plain.status, JSON.stringify(plain));
  });

  test('an ITI-41 over mutual TLS: accepted with valid metadata; refused, with a RegistryError naming the slot, for each code outside its value set', async () => {
    const client = { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key };
    const submit = (entry: EntrySpec) =>
      exchange(
        'POST',
        dmp.repositoryUrlFor('iti41'),
        pnrXml([entry], inlineDoc(entry.id, cda('11488-4'))),
        { 'content-type': SOAP12 },
        client,
      );
    const accepted = await submit({ id: 'Doc01' });
    assert.equal(accepted.status, 200);
    assert.match(accepted.body, /status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/);
    const refused = await submit({ id: 'Doc02', classCode: 'CR-MG', typeCode: 'CR-LOCAL' });
    assert.equal(refused.status, 200);
    assert.match(refused.body, /ResponseStatusType:Failure/);
    const errors = [...refused.body.matchAll(/<rs:RegistryError errorCode="([^"]+)" codeContext="([^"]+)"[^>]*location="Doc02"/g)].map(
      (m) => [m[1], m[2]],
    );
    assert.ok(
      errors.some(
        ([code, context]) =>
          code === 'XDSRegistryMetadataError' && /classCode &quot;CR-MG&quot; is not in the value set JDV_J57/.test(context!),
      ),
      refused.body,
    );
    assert.ok(
      errors.some(([, context]) => /typeCode &quot;CR-LOCAL&quot; is not in the value set JDV_J66/.test(context!)),
      refused.body,
    );
    const [, second] = dmp.tenant('iti41').submissions();
    assert.equal(second!.outcome, 'refused');
    assert.match(second!.clientCertificate?.subject ?? '', /CN=LGC under test/);
  });
});
