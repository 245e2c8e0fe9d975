import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { exchange, type Reply } from '../support/http';
import { InsiDouble, type InsiPerson } from '../../src/doubles/insi';
import { CNAM_FAULTS, loadCnamPopulation, servedRows } from '../../src/doubles/insi/cnam';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateXML } = require('xmllint-wasm') as typeof import('xmllint-wasm');

const FIXTURES = path.resolve(__dirname, '../../fixtures/insi');
const XSD_DIR = path.join(FIXTURES, 'wsdl/xsd');
const ACTION = 'urn:ServiceIdentiteCertifiee:1.0.0:';
const SOAP12 = 'application/soap+xml; charset=utf-8';

const HERMANN: InsiPerson = {
  matricule: '1810363220456',
  key: '60',
  oid: '1.2.250.1.213.1.4.8',
  birthName: 'HERMANN',
  firstName: 'GATIEN',
  firstNames: 'GATIEN',
  sex: 'M',
  birthDate: '1981-03-24',
  birthPlace: '63220',
};
const ECETINSI: InsiPerson = {
  matricule: '1090763220834',
  key: '9',
  oid: '1.2.250.1.213.1.4.8',
  birthName: 'ÉCETINSI',
  firstName: 'PIERRE-ALAIN',
  firstNames: 'PIERRE-ALAIN MURIEL FLORIANT',
  sex: 'M',
  birthDate: '2009-07-14',
  birthPlace: '63220',
};
// Two homonyms born the same day: a traits search must say "several".
const TWIN_A: InsiPerson = {
  ...HERMANN,
  matricule: '2000101000001',
  key: '11',
  birthName: 'MARTIN',
  firstName: 'LOUISE',
  firstNames: 'LOUISE',
  sex: 'F',
  birthDate: '2000-01-01',
};
const TWIN_B: InsiPerson = { ...TWIN_A, matricule: '2000101000002', key: '12' };
const DUPONT: InsiPerson = {
  matricule: '1700199123456',
  key: '42',
  oid: '1.2.250.1.213.1.4.8',
  birthName: 'DUPONT',
  firstName: 'JEAN',
  firstNames: 'JEAN PAUL',
  sex: 'M',
  birthDate: '1970-01-01',
};

function post(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return exchange('POST', url, body, { 'content-type': SOAP12, ...headers });
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

function envelope(body: string, header = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing"><soap:Header>${header}</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;
}
function recSans(name: string, firstNames: string[], birthDate: string, sex = 'M', header = ''): string {
  const prenoms = firstNames.map((p) => `<s:Prenom>${p}</s:Prenom>`).join('');
  return envelope(
    `<s:RECSANSVITALE xmlns:s="http://www.cnamts.fr/INSiRecSans"><s:NomNaissance>${name}</s:NomNaissance>${prenoms}<s:Sexe>${sex}</s:Sexe><s:DateNaissance>${birthDate}</s:DateNaissance></s:RECSANSVITALE>`,
    header,
  );
}
function recVit(nir: string, extra = '', header = ''): string {
  return envelope(
    `<v:RECVITALE xmlns:v="http://www.cnamts.fr/INSiRecVit"><v:MatriculeIndividu><v:NumIdentifiant>${nir}</v:NumIdentifiant><v:Cle>60</v:Cle></v:MatriculeIndividu>${extra}</v:RECVITALE>`,
    header,
  );
}
const sansAction = { 'content-type': `${SOAP12}; action="${ACTION}rechercherInsAvecTraitsIdentite"` };

const reader = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function read(xml: string): any {
  return reader.parse(xml).Envelope;
}
function codeCR(reply: Reply): string {
  return read(reply.body).Body.RESULTAT.CR.CodeCR;
}
function faultOf(reply: Reply): { value: string; reason: string; code: string } {
  const fault = read(reply.body).Body.Fault;
  return { value: fault.Code.Value, reason: fault.Reason.Text['#text'], code: fault.Detail.Erreur['@code'] };
}

async function validate(xml: string, xsdFile: string): Promise<{ valid: boolean; errors: string[] }> {
  const schema = { fileName: path.basename(xsdFile), contents: fs.readFileSync(path.join(XSD_DIR, xsdFile), 'utf8') };
  const result = await validateXML({ xml: { fileName: 'doc.xml', contents: xml }, schema });
  return { valid: result.valid, errors: result.errors.map((e) => e.message) };
}
function resultatOf(body: string): string {
  const match = /<RESULTAT[\s\S]*<\/RESULTAT>/.exec(body);
  assert.ok(match, `no RESULTAT in ${body}`);
  return match[0];
}

describe('INSi double', () => {
  const double = new InsiDouble({ people: [HERMANN, ECETINSI, TWIN_A, TWIN_B, DUPONT] });
  let url: string;
  before(async () => {
    await double.start();
    url = double.endpointFor('main');
  });
  after(() => double.stop());

  test('answers 00, 01 and 02 whose RESULTAT validates against INSi_RESULTAT_INS.xsd', async () => {
    const found = await post(url, recSans('HERMANN', ['GATIEN'], '1981-03-24'), sansAction);
    const none = await post(url, recSans('NOBODY', ['X'], '1999-01-01'), sansAction);
    const several = await post(url, recSans('MARTIN', ['LOUISE'], '2000-01-01'), sansAction);
    assert.deepEqual([found.status, none.status, several.status], [200, 200, 200]);
    assert.deepEqual([codeCR(found), codeCR(none), codeCR(several)], ['00', '01', '02']);
    assert.equal(read(none.body).Body.RESULTAT.CR.LibelleCR, 'Aucune identite trouvee');
    assert.equal(read(several.body).Body.RESULTAT.CR.LibelleCR, 'Plusieurs identites trouvees');
    for (const r of [found, none, several]) {
      assert.match(String(r.headers['content-type']), /^application\/soap\+xml; charset=utf-8$/);
      const validation = await validate(resultatOf(r.body), 'ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd');
      assert.ok(validation.valid, validation.errors.join('\n'));
    }
    // The Cle of ECETINSI is given as "9": it must be sent as "09" (the XSD wants two digits).
    const padded = await post(url, recVit('1090763220834'), { 'content-type': SOAP12 });
    assert.equal(read(padded.body).Body.RESULTAT.INDIVIDU.INSACTIF.IdIndividu.Cle, '09');
    assert.ok((await validate(resultatOf(padded.body), 'ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd')).valid);
    // The validator really validates: a one-digit Cle is refused.
    const broken = resultatOf(padded.body).replace('<Cle>09</Cle>', '<Cle>9</Cle>');
    assert.equal((await validate(broken, 'ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd')).valid, false);
  });

  test('lookup: tolerant traits search, NIR search, TIQ from the INSi record', async () => {
    const tenant = double.tenant('lookup');
    const endpoint = double.endpointFor('lookup');
    // Accents, case, hyphens and spaces are ignored; sex is ignored; only the first Prenom counts.
    const r1 = await post(endpoint, recSans('écetinsi', ['Pierre Alain', 'Muriel'], '2009-07-14', 'F'), sansAction);
    assert.equal(codeCR(r1), '00');
    const tiq = read(r1.body).Body.RESULTAT.INDIVIDU.TIQ;
    assert.deepEqual(tiq, {
      NomNaissance: 'ÉCETINSI',
      Prenom: 'PIERRE-ALAIN',
      ListePrenom: 'PIERRE-ALAIN MURIEL FLORIANT',
      Sexe: 'M',
      DateNaissance: '2009-07-14',
      LieuNaissance: '63220',
    });
    assert.equal(codeCR(await post(endpoint, recSans('ECETINSI', ['MURIEL'], '2009-07-14'), sansAction)), '01');
    assert.equal(codeCR(await post(endpoint, recSans('ECETINSI', ['PIERRE-ALAIN'], '2009-07-15'), sansAction)), '01');

    const bam =
      '<b:ContexteBAM xmlns:b="urn:siram:bam:ctxbam" Version="01_02"><b:Id>1</b:Id><b:Emetteur>dr@cabinet.fr</b:Emetteur></b:ContexteBAM>';
    const r2 = await post(
      endpoint,
      recVit('1810363220456', '<v:NomNaissance>SOMEONE ELSE</v:NomNaissance><v:RangNaissance>1</v:RangNaissance>', bam),
      { 'content-type': SOAP12 },
    );
    assert.equal(codeCR(r2), '00');
    const ind = read(r2.body).Body.RESULTAT.INDIVIDU;
    assert.deepEqual(ind.INSACTIF, { IdIndividu: { NumIdentifiant: '1810363220456', Cle: '60' }, OID: '1.2.250.1.213.1.4.8' });
    assert.equal(ind.TIQ.NomNaissance, 'HERMANN');
    assert.match(r2.body, /<wsa:Action>urn:ServiceIdentiteCertifiee:1\.0\.0:rechercherInsAvecCarteVitaleResponse<\/wsa:Action>/);
    assert.equal(codeCR(await post(endpoint, recVit('1999999999999'), { 'content-type': SOAP12 })), '01');

    const ex = tenant.exchanges();
    assert.equal(ex.length, 5);
    assert.equal(ex[0].operation, 'rechercherInsAvecTraitsIdentite');
    assert.equal(ex[0].action, `${ACTION}rechercherInsAvecTraitsIdentite`);
    assert.deepEqual(ex[0].request.firstNames, ['Pierre Alain', 'Muriel']);
    assert.equal(ex[0].request.sex, 'F');
    assert.equal(ex[0].response?.codeCR, '00');
    assert.equal(ex[0].outcome, 'answered');
    assert.equal(ex[3].operation, 'rechercherInsAvecCarteVitale');
    assert.equal(ex[3].action, null);
    assert.equal(ex[3].request.matricule, '1810363220456');
    assert.equal(ex[3].request.key, '60');
    assert.equal(ex[3].request.birthRank, '1');
    assert.equal(ex[3].request.emitter, 'dr@cabinet.fr');
    assert.ok(typeof ex[3].durationMs === 'number' && ex[3].durationMs >= 0);
    assert.ok(!Number.isNaN(Date.parse(ex[3].receivedAt)));
  });

  test('programmed behaviours: identity, none, several, fault', async () => {
    const tenant = double.tenant('behaviours');
    const endpoint = double.endpointFor('behaviours');
    tenant.respondWith({ kind: 'identity', person: DUPONT });
    const id = await post(endpoint, recVit('1810363220456'), { 'content-type': SOAP12 });
    assert.equal(read(id.body).Body.RESULTAT.INDIVIDU.TIQ.NomNaissance, 'DUPONT');
    tenant.respondWith({ kind: 'none' });
    assert.equal(codeCR(await post(endpoint, recSans('HERMANN', ['GATIEN'], '1981-03-24'))), '01');
    tenant.respondWith({ kind: 'several' });
    assert.equal(codeCR(await post(endpoint, recSans('HERMANN', ['GATIEN'], '1981-03-24'))), '02');
    // CNAM's recorded shapes: HTTP 500, soap:Subcode siram_…, siram:Erreur with CNAM's code and French text.
    tenant.respondWith({ kind: 'fault', code: 'insi_102' });
    const faultReply = await post(endpoint, recSans('HERMANN', ['GATIEN'], '1981-03-24'));
    assert.equal(faultReply.status, 500);
    assert.deepEqual(faultOf(faultReply), {
      value: 'soap:Receiver',
      reason: CNAM_FAULTS.insi_102!.reason,
      code: 'insi_102',
    });
    assert.match(faultReply.body, /<soap:Subcode><soap:Value>soap:siram_40<\/soap:Value><\/soap:Subcode>/);
    assert.match(faultReply.body, /<soap:Text xml:lang="fr">/);
    assert.match(
      faultReply.body,
      /severite="fatal"[^>]*>L&apos;appel au service de recherche avec les traits d&apos;identité renvoie une erreur technique\.</,
    );
    tenant.respondWith({ kind: 'fault' });
    const unavailable = await post(endpoint, recSans('A', ['B'], '2000-01-01', 'M', '<wsa:MessageID>uuid:4b7c</wsa:MessageID>'));
    assert.equal(unavailable.status, 500);
    assert.deepEqual(faultOf(unavailable), { value: 'soap:Sender', reason: CNAM_FAULTS.desir_1020!.reason, code: 'desir_1020' });
    const erreur = /<siram:Erreur[\s\S]*<\/siram:Erreur>/.exec(unavailable.body)![0];
    assert.ok((await validate(erreur, 'schema_faultSOAP_V01_01.xsd')).valid, "desir_1020 as recorded is valid against CNAM's fault XSD");
    assert.match(erreur, /messageID="uuid:4b7c"/, "the request's wsa:MessageID is named, as CNAM does");
    assert.deepEqual(
      tenant.exchanges().map((e) => e.outcome),
      ['answered', 'answered', 'answered', 'fault', 'fault'],
    );
    tenant.respondWith({ kind: 'fault', code: 'insi_503', reason: 'Maintenance <test> & co' });
    const own = await post(endpoint, recSans('A', ['B'], '2000-01-01'));
    assert.deepEqual(faultOf(own), { value: 'soap:Receiver', reason: 'Maintenance <test> & co', code: 'insi_503' });
    assert.match(own.body, /soap:siram_40/);
    tenant.reset();
    assert.equal(tenant.exchanges().length, 0);
    assert.equal(codeCR(await post(endpoint, recSans('HERMANN', ['GATIEN'], '1981-03-24'))), '00');
  });

  test('tenants are isolated; POST /insi is tenant "default"', async () => {
    double.tenant('iso-a').respondWith({ kind: 'none' });
    const isoA = await post(double.endpointFor('iso-a'), recSans('HERMANN', ['GATIEN'], '1981-03-24'));
    const isoB = await post(double.endpointFor('iso-b'), recSans('HERMANN', ['GATIEN'], '1981-03-24'));
    const byDefault = await post(`${double.baseUrl}/insi`, recSans('HERMANN', ['GATIEN'], '1981-03-24'));
    assert.deepEqual([codeCR(isoA), codeCR(isoB), codeCR(byDefault)], ['01', '00', '00']);
    assert.equal(double.tenant('iso-a').exchanges().length, 1);
    assert.equal(double.tenant('iso-b').exchanges().length, 1);
    assert.equal(double.tenant('default').exchanges()[0].tenant, 'default');
    assert.equal((await post(`${double.baseUrl}/insi/bad.tenant`, 'x')).status, 404);
    assert.equal((await post(`${double.baseUrl}/other`, 'x')).status, 404);
    assert.equal(await get(double.endpointFor('iso-a')), 405);
    assert.throws(() => double.tenant('no/slash'), /invalid tenant id/);
  });

  test('hold, release with the current behaviour, release({drop:true})', async () => {
    const tenant = double.tenant('hold');
    const endpoint = double.endpointFor('hold');
    tenant.hold();
    const p1 = post(endpoint, recSans('HERMANN', ['GATIEN'], '1981-03-24'));
    const p2 = post(endpoint, recVit('1810363220456'));
    await tenant.waitForHeld(2, 2000);
    assert.equal(tenant.heldCount(), 2);
    assert.deepEqual(
      tenant.exchanges().map((e) => [e.outcome, e.response, e.durationMs]),
      [
        ['held', null, null],
        ['held', null, null],
      ],
    );
    tenant.respondWith({ kind: 'several' }); // applies to the parked requests too
    assert.equal(tenant.release(), 2);
    const [r1, r2] = await Promise.all([p1, p2]);
    assert.deepEqual([codeCR(r1), codeCR(r2)], ['02', '02']);
    assert.equal(tenant.heldCount(), 0);
    assert.deepEqual(
      tenant.exchanges().map((e) => e.outcome),
      ['answered', 'answered'],
    );

    // Not holding any more: answered at once.
    assert.equal(codeCR(await post(endpoint, recSans('X', ['Y'], '2000-01-01'))), '02');

    tenant.hold();
    const p3 = post(endpoint, recSans('HERMANN', ['GATIEN'], '1981-03-24'));
    await tenant.waitForHeld(1, 2000);
    assert.equal(tenant.release({ drop: true }), 1);
    await assert.rejects(p3, (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET' || /socket hang up/.test(err.message));
    const last = tenant.exchanges().at(-1)!;
    assert.equal(last.outcome, 'dropped');
    assert.equal(last.response, null);
  });

  test('waits are bounded and their timeout messages say what happened', async () => {
    const tenant = double.tenant('waits');
    await post(double.endpointFor('waits'), recSans('A', ['B'], '2000-01-01'));
    await assert.rejects(tenant.waitForExchanges(3, 50), (err: Error) => {
      assert.match(err.message, /tenant "waits"/);
      assert.match(err.message, /received 1 request/);
      assert.match(err.message, /expected 3/);
      return true;
    });
    await assert.rejects(tenant.waitForHeld(1, 30), /tenant "waits" has 0 parked request\(s\), expected 1/);
    assert.equal((await tenant.waitForExchanges(1, 50)).length, 1);
  });

  describe('hostile and broken inputs', () => {
    const BILLION_LAUGHS =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
      ']>' +
      envelope('<s:RECSANSVITALE xmlns:s="http://www.cnamts.fr/INSiRecSans"><s:NomNaissance>&lol9;</s:NomNaissance></s:RECSANSVITALE>');
    const XXE =
      '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      envelope('<s:RECSANSVITALE xmlns:s="http://www.cnamts.fr/INSiRecSans"><s:NomNaissance>&xxe;</s:NomNaissance></s:RECSANSVITALE>');
    const DOCTYPE = '<?xml version="1.0"?><!DOCTYPE soap:Envelope>' + recSans('HERMANN', ['GATIEN'], '1981-03-24');
    const SOAP11 =
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
      '<s:RECSANSVITALE xmlns:s="http://www.cnamts.fr/INSiRecSans"><s:NomNaissance>HERMANN</s:NomNaissance></s:RECSANSVITALE></soapenv:Body></soapenv:Envelope>';
    const padding = `<!--${'x'.repeat(2 * 1024 * 1024)}-->`;
    const cases: Array<{
      name: string;
      body: string;
      headers?: Record<string, string>;
      status: number;
      value: string;
      reason: RegExp;
      code: string;
    }> = [
      {
        name: 'billion laughs',
        body: BILLION_LAUGHS,
        status: 500,
        value: 'soap:Sender',
        reason: /^DTD and entity declarations are not accepted$/,
        code: 'dtd_interdite',
      },
      {
        name: 'external entity',
        body: XXE,
        status: 500,
        value: 'soap:Sender',
        reason: /^DTD and entity declarations are not accepted$/,
        code: 'dtd_interdite',
      },
      {
        name: 'DOCTYPE',
        body: DOCTYPE,
        status: 500,
        value: 'soap:Sender',
        reason: /^DTD and entity declarations are not accepted$/,
        code: 'dtd_interdite',
      },
      {
        name: 'malformed XML',
        body: recSans('HERMANN', ['GATIEN'], '1981-03-24').replace('</soap:Body>', ''),
        status: 500,
        value: 'soap:Sender',
        reason: /^Malformed XML: .*line 1/,
        code: 'xml_malforme',
      },
      { name: 'not XML', body: 'hello, INSi', status: 500, value: 'soap:Sender', reason: /^Malformed XML/, code: 'xml_malforme' },
      {
        name: 'SOAP 1.1 envelope',
        body: SOAP11,
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        status: 500,
        value: 'soap:VersionMismatch',
        reason: /SOAP 1\.2/,
        code: 'version_soap',
      },
      {
        name: 'wrong SOAPAction',
        body: recSans('HERMANN', ['GATIEN'], '1981-03-24'),
        headers: { soapaction: `"${ACTION}rechercherInsAvecCarteVitale"` },
        status: 500,
        value: 'soap:Sender',
        reason:
          /expected "urn:ServiceIdentiteCertifiee:1\.0\.0:rechercherInsAvecTraitsIdentite", received "urn:ServiceIdentiteCertifiee:1\.0\.0:rechercherInsAvecCarteVitale"/,
        code: 'action_invalide',
      },
      {
        name: 'wrong wsa:Action',
        body: envelope('<v:RECVITALE xmlns:v="http://www.cnamts.fr/INSiRecVit"/>', '<wsa:Action>urn:other</wsa:Action>'),
        status: 500,
        value: 'soap:Sender',
        reason: /expected ".*rechercherInsAvecCarteVitale", received "urn:other"/,
        code: 'action_invalide',
      },
      {
        name: 'unknown body element',
        body: envelope('<x:Hello xmlns:x="urn:x"/>'),
        status: 500,
        value: 'soap:Sender',
        reason: /Unknown operation/,
        code: 'operation_inconnue',
      },
      {
        name: '2 MiB body',
        body: recSans('HERMANN', ['GATIEN'], '1981-03-24').replace('<soap:Body>', `<soap:Body>${padding}`),
        status: 413,
        value: 'soap:Sender',
        reason: /exceeds 1048576 bytes/,
        code: 'corps_trop_volumineux',
      },
      { name: 'empty body', body: '', status: 500, value: 'soap:Sender', reason: /Empty request body/, code: 'corps_vide' },
    ];
    for (const c of cases) {
      test(`${c.name} gets a ${c.value} fault quickly and the double keeps serving`, async () => {
        const tenant = `hostile-${cases.indexOf(c)}`;
        const endpoint = double.endpointFor(tenant);
        const reply = await post(endpoint, c.body, c.headers);
        assert.ok(reply.ms < 1000, `answered in ${reply.ms} ms`);
        assert.equal(reply.status, c.status, reply.body);
        assert.match(String(reply.headers['content-type']), /^application\/soap\+xml/);
        const fault = faultOf(reply);
        assert.equal(fault.value, c.value);
        assert.match(fault.reason, c.reason);
        assert.equal(fault.code, c.code);
        assert.doesNotMatch(reply.body, /root:/);
        const ex = double.tenant(tenant).exchanges();
        assert.equal(ex.length, 1);
        assert.equal(ex[0].outcome, 'fault');
        assert.equal(ex[0].response?.status, c.status);
        assert.equal(ex[0].response?.fault, fault.reason);
        assert.equal(codeCR(await post(endpoint, recSans('HERMANN', ['GATIEN'], '1981-03-24'))), '00');
      });
    }
  });

  test('an oversized chunked body (no Content-Length) is cut at maxBodyBytes too', async () => {
    const endpoint = double.endpointFor('chunked');
    const reply = await exchange(
      'POST',
      endpoint,
      [
        '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><!--',
        ...Array.from({ length: 32 }, () => 'x'.repeat(64 * 1024)),
        '--></soap:Envelope>',
      ],
      { 'content-type': SOAP12, 'transfer-encoding': 'chunked' },
    );
    assert.equal(reply.status, 413);
    assert.equal(faultOf(reply).code, 'corps_trop_volumineux');
    const [ex] = double.tenant('chunked').exchanges();
    assert.ok(ex.request.raw.length <= 64 * 1024, 'only the head of an oversized body is kept');
    assert.equal(codeCR(await post(endpoint, recSans('HERMANN', ['GATIEN'], '1981-03-24'))), '00');
  });

  test('the captured real client request is answered', async () => {
    const raw = fs.readFileSync(path.join(FIXTURES, 'requests/RECSANSVITALE-as-sent-by-padoa-client.xml'));
    const reply = await post(double.endpointFor('real'), raw, { 'content-type': 'application/soap+xml' });
    assert.equal(reply.status, 200, reply.body);
    assert.equal(codeCR(reply), '00');
    assert.equal(read(reply.body).Body.RESULTAT.INDIVIDU.INSACTIF.IdIndividu.NumIdentifiant, DUPONT.matricule);
    assert.match(reply.body, /<wsa:RelatesTo>uuid:49362943-aae1-4284-ab25-864dfc9f3f63<\/wsa:RelatesTo>/);
    const [ex] = double.tenant('real').exchanges();
    assert.equal(ex.action, `${ACTION}rechercherInsAvecTraitsIdentite`);
    assert.equal(ex.request.emitter, 'medecin@test.fr');
    assert.equal(ex.request.raw, raw.toString('utf8'));
    assert.equal(ex.request.contentType, 'application/soap+xml');
  });
});

test('stop() while a request is parked resolves and the client sees the connection end', async () => {
  const double = new InsiDouble();
  await double.start();
  const tenant = double.tenant('parked');
  tenant.hold();
  const pending = post(double.endpointFor('parked'), recSans('A', ['B'], '2000-01-01'));
  await tenant.waitForHeld(1, 2000);
  // A pending wait must not keep the process alive after stop(): it is rejected.
  const waiting = assert.rejects(tenant.waitForExchanges(5, 60_000), /stopped/);
  const clientFails = assert.rejects(pending);
  const started = performance.now();
  await double.stop();
  assert.ok(performance.now() - started < 1000);
  await clientFails;
  await waiting;
  assert.equal(tenant.exchanges()[0].outcome, 'dropped');
  await double.stop(); // idempotent
});

describe("CNAM's test population, as its platform answered", () => {
  // Only CNAM's persons: no invented people in the way.
  const double = new InsiDouble();
  before(() => double.start());
  after(() => double.stop());
  const population = loadCnamPopulation();
  const ctxlps = (idam: string) =>
    '<ctxlps:ContexteLPS xmlns:ctxlps="urn:siram:lps:ctxlps" Nature="CTXLPS" Version="01_00"><ctxlps:Id>1</ctxlps:Id>' +
    `<ctxlps:LPS><ctxlps:IDAM R="4">${idam}</ctxlps:IDAM><ctxlps:Version>1</ctxlps:Version></ctxlps:LPS></ctxlps:ContexteLPS>` +
    '<wsa:MessageID>uuid:1d2e</wsa:MessageID>';

  test('every served row (live or CNDA file) gets its recorded answer: CR code, INS, OID, INSHISTO, traits', async () => {
    const served = servedRows(population);
    const recordedRows = population.persons.flatMap((p) => p.answers.filter((a) => a.codeCR !== null).map((a) => ({ p, a })));
    // What is not served, and why: the client's own mocks; for one request answered twice, the CNDA variant behind the live one.
    const left = recordedRows.filter(({ a }) => /^virtual-mode-mock/.test(a.provenance)).map(({ p }) => p.label);
    assert.deepEqual(left.sort(), ['ADRUN ZOE', 'NESSI MICHELANGELO']);
    assert.equal(served.length, recordedRows.length - left.length - 1, 'ECETINSI: the live answer, not the CNDA file');
    for (const { p, a } of recordedRows) {
      if (/^virtual-mode-mock/.test(a.provenance)) continue;
      const row = served.find((r) => r.label === p.label && r.match.firstName === a.firstNameTried)!;
      if (row.provenance === 'live' && /^cnda/.test(a.provenance)) continue; // shadowed by the live row
      const query = p.query;
      // The CNDA NIA case is substituted on the first name alone: any traits do.
      const reply = await post(
        double.endpointFor('cnam'),
        recSans(query.birthName ?? 'PROVISOIRE', [a.firstNameTried], query.birthDate ?? '2009-07-01', query.sex ?? 'M'),
      );
      assert.equal(reply.status, 200, `${p.label} / ${a.firstNameTried}: ${reply.body}`);
      const result = read(reply.body).Body.RESULTAT;
      assert.equal(result.CR.CodeCR, a.codeCR, `${p.label} / ${a.firstNameTried}`);
      assert.equal(result.CR.LibelleCR, a.libelleCR);
      if (a.codeCR !== '00') {
        assert.equal(result.INDIVIDU, undefined);
        continue;
      }
      const ins = result.INDIVIDU.INSACTIF;
      assert.deepEqual([ins.IdIndividu.NumIdentifiant, ins.IdIndividu.Cle, ins.OID], [a.ins!.matricule, a.ins!.key, a.ins!.oid], p.label);
      const histo = [result.INDIVIDU.INSHISTO ?? []].flat();
      assert.deepEqual(
        histo.map((h: { IdIndividu: { NumIdentifiant: string; Cle: string }; OID: string }) => [
          h.IdIndividu.NumIdentifiant,
          h.IdIndividu.Cle,
          h.OID,
        ]),
        (a.insHisto ?? []).map((h) => [h.matricule, h.key, h.oid]),
        `${p.label}: INSHISTO`,
      );
      const tiq = result.INDIVIDU.TIQ;
      assert.deepEqual(
        [tiq.NomNaissance, tiq.ListePrenom, tiq.Sexe, tiq.DateNaissance, tiq.LieuNaissance],
        [a.traits!.birthName, a.traits!.firstNames, a.traits!.sex, a.traits!.birthDate, a.traits!.birthPlace],
        `${p.label}: traits`,
      );
      // Valid against CNAM's own schema, INSHISTO and all.
      const resultat = /<RESULTAT[\s\S]*<\/RESULTAT>/.exec(reply.body)![0];
      assert.ok((await validate(resultat, 'ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd')).valid, `${p.label}: ${resultat}`);
    }
  });

  test('an NIR key that does not check is answered as recorded, never refused (HERMANN GATIEN, CNDA 2.08 case 2)', async () => {
    const reply = await post(double.endpointFor('keys'), recSans('HERMANN', ['GATIEN'], '1981-03-24'));
    assert.equal(codeCR(reply), '00');
    assert.equal(read(reply.body).Body.RESULTAT.INDIVIDU.INSACTIF.IdIndividu.Cle, '60');
  });

  test("an unknown software authorisation number (IDAM) gets CNAM's siram_100 / desir_550, HTTP 500, whatever the traits", async () => {
    const refused = await post(double.endpointFor('lps'), recSans('ADRTROIS', ['DOMINIQUE'], '1997-02-26', 'F', ctxlps('FAKE-IDAM')));
    assert.equal(refused.status, 500);
    assert.deepEqual(faultOf(refused), { value: 'soap:Sender', reason: CNAM_FAULTS.desir_550!.reason, code: 'desir_550' });
    assert.match(refused.body, /soap:siram_100/);
    assert.match(refused.body, />Numéro d&apos;autorisation du logiciel inconnu\.</);
    assert.equal(
      faultOf(await post(double.endpointFor('lps'), recSans('ADRTROIS', ['DOMINIQUE'], '1997-02-26', 'F', ctxlps('')))).code,
      'desir_550',
    );
    const known = await post(double.endpointFor('lps'), recSans('ADRTROIS', ['DOMINIQUE'], '1997-02-26', 'F', ctxlps('GE-123')));
    assert.equal(codeCR(known), '00');
    assert.equal(double.tenant('lps').exchanges()[2].request.idam, 'GE-123');
  });
});
