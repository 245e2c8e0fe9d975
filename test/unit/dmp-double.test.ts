import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { exchange, type Reply } from '../support/http';
import { DmpDouble, type DmpSubmission } from '../../src/doubles/dmp';
import { SOAP12, SQ_ACTION, FIND_DOCUMENTS, SCHEMES, INS, CX, OTHER, OTHER_CX, cda, pnrXml, xopDoc, inlineDoc } from '../support/iti41';

const PUBLICATION = path.resolve(__dirname, '../../../shared/reference/DRIM-M_DRIMbox/JeuxDeDonnees/exemples/XDS/publication.xml');
const PUBLICATION_CT =
  'multipart/related; boundary=MIMEBoundary_Bound; type="application/xop+xml"; start="<0.1>"; start-info="application/soap+xml"';
function post(url: string, body: string | Buffer, contentType = SOAP12, extra: Record<string, string> = {}): Promise<Reply> {
  return exchange('POST', url, body, { 'content-type': contentType, ...extra });
}

interface Part {
  cid: string;
  bytes: Buffer;
  cte?: 'binary' | 'base64';
}
function mtom(
  xml: string,
  parts: Part[],
  opts: { boundary?: string; start?: string | null; boundaryParam?: boolean; close?: boolean } = {},
): { body: Buffer; contentType: string } {
  const boundary = opts.boundary ?? 'MIMEBoundary_vigie_test';
  const start = opts.start === undefined ? '<root@vigie.test>' : opts.start;
  const chunks: Buffer[] = [
    Buffer.from(
      `--${boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <root@vigie.test>\r\n\r\n${xml}`,
    ),
  ];
  for (const p of parts) {
    const cte = p.cte ?? 'binary';
    chunks.push(
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: ${cte}\r\nContent-ID: <${p.cid}>\r\n\r\n`,
      ),
    );
    chunks.push(cte === 'base64' ? Buffer.from(p.bytes.toString('base64').replace(/(.{76})/g, '$1\r\n')) : p.bytes);
  }
  if (opts.close !== false) chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  const params = [
    opts.boundaryParam === false ? '' : `; boundary="${boundary}"`,
    '; type="application/xop+xml"',
    start === null ? '' : `; start="${start}"`,
    '; start-info="application/soap+xml"',
  ];
  return { body: Buffer.concat(chunks), contentType: `multipart/related${params.join('')}` };
}

function findDocumentsXml(patientCx: string, opts: { queryId?: string; returnType?: string; quoted?: boolean } = {}): string {
  const patientValue = opts.quoted === false ? patientCx : `'${patientCx}'`;
  return (
    '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing"><soap:Header>' +
    `<wsa:Action>${SQ_ACTION}</wsa:Action><wsa:MessageID>urn:uuid:q-1</wsa:MessageID></soap:Header><soap:Body>` +
    '<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">' +
    `<query:ResponseOption returnComposedObjects="true" returnType="${opts.returnType ?? 'LeafClass'}"/>` +
    `<rim:AdhocQuery id="${opts.queryId ?? FIND_DOCUMENTS}">` +
    `<rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>${patientValue.replace(/&/g, '&amp;')}</rim:Value></rim:ValueList></rim:Slot>` +
    '<rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList><rim:Value>(\'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved\')</rim:Value></rim:ValueList></rim:Slot>' +
    '</rim:AdhocQuery></query:AdhocQueryRequest></soap:Body></soap:Envelope>'
  );
}

// ---- response readers ---------------------------------------------------------------------------

const reader = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (n) => ['ExtrinsicObject', 'Classification', 'ExternalIdentifier', 'ObjectRef', 'RegistryError'].includes(n),
});
/** The SOAP envelope of an answer, whether sent inline or as an MTOM root part. */
function envelopeOf(reply: Reply): string {
  const match = /<soap:Envelope[\s\S]*<\/soap:Envelope>/.exec(reply.body);
  assert.ok(match, `no SOAP envelope in ${reply.body}`);
  return match[0];
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function read(reply: Reply): any {
  return reader.parse(envelopeOf(reply)).Envelope;
}
function statusOf(reply: Reply): string {
  return read(reply).Body.RegistryResponse['@status'];
}
/** The RegistryErrors of a RegistryResponse Failure (HTTP 200, as ITI-41 answers a refused submission). */
function registryErrorsOf(reply: Reply): { code: string; context: string; location?: string }[] {
  const response = read(reply).Body.RegistryResponse;
  assert.ok(response, `not a RegistryResponse: ${reply.body}`);
  assert.equal(response['@status'], 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure');
  return (response.RegistryErrorList?.RegistryError ?? []).map((e: Record<string, string>) => ({
    code: e['@errorCode'],
    context: e['@codeContext'],
    ...(e['@location'] ? { location: e['@location'] } : {}),
  }));
}
function faultOf(reply: Reply): { value: string; reason: string; code: string } {
  const fault = read(reply).Body.Fault;
  assert.ok(fault, `not a fault: ${reply.body}`);
  return { value: fault.Code.Value, reason: fault.Reason.Text['#text'], code: fault.Detail.Erreur['@code'] };
}
/** What these tests read of an ebRIM ExtrinsicObject, as the reader above gives it (repeated elements as arrays). */
interface RegistryObject {
  '@id': string;
  Name: { LocalizedString: { '@value': string } };
  Classification: { '@classificationScheme': string; '@nodeRepresentation': string }[];
  ExternalIdentifier: { '@identificationScheme': string; '@value': string }[];
}
const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';
const FAILURE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure';

/** Independent of the double: the bytes of the MIME part <0.3> of publication.xml, as laid out in that file. */
function publicationSignaturePart(file: Buffer): Buffer {
  const text = file.toString('latin1');
  const header = text.indexOf('Content-ID: <0.3>');
  const start = text.indexOf('\n\n', header) + 2;
  const end = text.indexOf('\n    --MIMEBoundary_Bound', start);
  return file.subarray(start, end);
}

// ---- tests --------------------------------------------------------------------------------------

describe('DMP double', () => {
  const double = new DmpDouble();
  before(() => double.start());
  after(() => double.stop());

  describe('the real DRIMbox publication.xml (MTOM/XOP)', () => {
    const file = fs.readFileSync(PUBLICATION);

    test('posted as is: parsed, and refused because the Signature01 hash/size slots do not match its bytes', async () => {
      // publication.xml is a pretty-printed sample: the bytes of part <0.3> (Signature01) are indented,
      // so its hash slot bc94... and size slot 6102 no longer match them (DocumentKOS, base64, does match).
      const reply = await post(double.repositoryUrlFor('drim-raw'), file, PUBLICATION_CT);
      assert.equal(reply.status, 200, reply.body);
      // ITI TF-3 4.2.4.1: a hash or size that does not match the bytes is XDSRepositoryMetadataError.
      const errors = registryErrorsOf(reply);
      assert.deepEqual(
        errors.map((e) => [e.code, e.location]),
        [
          ['XDSRepositoryMetadataError', 'Signature01'],
          ['XDSRepositoryMetadataError', 'Signature01'],
        ],
      );
      const sig = publicationSignaturePart(file);
      const sha1 = createHash('sha1').update(sig).digest('hex');
      const contexts = errors.map((e) => e.context).join(' | ');
      assert.match(
        contexts,
        new RegExp(
          `"Signature01": hash slot "bc9498379c2ef8da40b372fe38f2f14a3e058cf8" does not match the SHA-1 of the document bytes "${sha1}"`,
        ),
      );
      assert.match(contexts, new RegExp(`size slot "6102" does not match the document's ${sig.length} bytes`));
      assert.doesNotMatch(contexts, /DocumentKOS/);
      assert.match(reply.body, /<wsa:RelatesTo>urn:uuid:a6ba8f7f-b214-4a2d-96f1-54293d537ce3<\/wsa:RelatesTo>/);
      const [sub] = double.tenant('drim-raw').submissions();
      assert.equal(sub.outcome, 'refused');
      assert.equal(sub.refusal?.code, 'XDSRepositoryMetadataError');
      assert.equal(sub.documents.length, 2, 'the metadata is recorded even when refused');
      assert.ok(sub.raw.equals(file));
      assert.ok(
        sub.anomalies.some((a) => /indented/.test(a)),
        sub.anomalies.join('\n'),
      );
    });

    test('with the Signature01 hash/size slots fixed: accepted, metadata and bytes recorded, MTOM answer', async () => {
      const sig = publicationSignaturePart(file);
      const text = file.toString('utf8');
      assert.equal(text.split('<Value>bc9498379c2ef8da40b372fe38f2f14a3e058cf8</Value>').length, 2);
      assert.equal(text.split('<Value>6102</Value>').length, 2);
      const fixed = Buffer.from(
        text
          .replace(
            '<Value>bc9498379c2ef8da40b372fe38f2f14a3e058cf8</Value>',
            `<Value>${createHash('sha1').update(sig).digest('hex')}</Value>`,
          )
          .replace('<Value>6102</Value>', `<Value>${sig.length}</Value>`),
        'utf8',
      );
      const tenant = double.tenant('drim');
      const reply = await post(double.repositoryUrlFor('drim'), fixed, PUBLICATION_CT);
      assert.equal(reply.status, 200, reply.body);
      assert.match(String(reply.headers['content-type']), /^multipart\/related;.*type="application\/xop\+xml"/);
      assert.equal(statusOf(reply), SUCCESS);
      const env = read(reply);
      assert.equal(env.Header.Action['#text'] ?? env.Header.Action, 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse');
      assert.equal(env.Header.RelatesTo, 'urn:uuid:a6ba8f7f-b214-4a2d-96f1-54293d537ce3');

      const [sub] = await tenant.waitForSubmissions(1, 1000);
      assert.equal(sub.outcome, 'accepted');
      assert.equal(sub.transport, 'mtom');
      assert.equal(sub.contentType, PUBLICATION_CT);
      assert.equal(sub.messageId, 'urn:uuid:a6ba8f7f-b214-4a2d-96f1-54293d537ce3');
      assert.match(sub.soapXml, /^\s*<\?xml version="1.0"/);
      assert.deepEqual(sub.submissionSet, {
        uniqueId: '1.2.250.1.999.1.1.8121.5.7122',
        sourceId: '1.2.250.1.999.1.1.8121',
        patientId: '162018885045327^^^&1.2.250.1.213.1.4.10&ISO^NH',
      });
      assert.deepEqual(
        sub.documents.map((d) => d.entryId),
        ['DocumentKOS', 'Signature01'],
      );
      const [kos, signature] = sub.documents;
      assert.equal(kos.typeCode, 'IMG-KOS');
      assert.equal(kos.classCode, '31');
      assert.equal(kos.mimeType, 'application/dicom');
      assert.equal(kos.title, "Reference d'Objets d'un Examen d'Imagerie");
      assert.deepEqual(kos.confidentialityCodes, ['N']);
      assert.equal(kos.formatCode, '1.2.840.10008.5.1.4.1.1.88.59');
      assert.equal(kos.healthcareFacilityTypeCode, 'SA01');
      assert.equal(kos.practiceSettingCode, 'AMBULATOIRE');
      assert.equal(kos.uniqueId, '1.3.2.751468943.3.1234.56838.231114144457.1.1.1');
      assert.equal(kos.creationTime, '20231114144457');
      assert.deepEqual(kos.patientId, {
        id: '162018885045327',
        oid: '1.2.250.1.213.1.4.10',
        raw: '162018885045327^^^&1.2.250.1.213.1.4.10&ISO^NH',
      });
      // DocumentKOS travels base64 (Content-Transfer-Encoding: BASE64): decoded bytes match its own hash/size.
      assert.equal(kos.content.length, 8450);
      assert.equal(createHash('sha1').update(kos.content).digest('hex'), '58408c116b51497c0f2084c90da3c85c7098455a');
      assert.equal(kos.content.subarray(128, 132).toString('latin1'), 'DICM');
      assert.deepEqual(signature.confidentialityCodes, ['N', 'MASQUE_PS', 'INVISIBLE_PATIENT']);
      assert.equal(signature.typeCode, 'E1762');
      assert.ok(signature.content.equals(sig));
      assert.deepEqual(signature.patientId, kos.patientId);

      // The registry now returns the KOS to a professional, not the MASQUE_PS signature.
      const queried = await post(double.registryUrlFor('drim'), findDocumentsXml('162018885045327^^^&1.2.250.1.213.1.4.10&ISO^NH'));
      assert.equal(queried.status, 200, queried.body);
      const objs = read(queried).Body.AdhocQueryResponse.RegistryObjectList.ExtrinsicObject ?? [];
      assert.deepEqual(
        objs.map((o: { Name: { LocalizedString: { '@value': string } } }) => o.Name.LocalizedString['@value']),
        ["Reference d'Objets d'un Examen d'Imagerie"],
      );
    });
  });

  test('MTOM submission with a CDA (binary and base64 parts): accepted and recorded', async () => {
    const tenant = double.tenant('mtom');
    const doc = cda('11488-4');
    const second = cda('11488-4');
    const xml = pnrXml(
      [
        { id: 'Doc01', title: 'CR consultation', hash: createHash('sha1').update(doc).digest('hex'), size: String(doc.length) },
        { id: 'Doc02', title: 'Deuxième' },
      ],
      xopDoc('Doc01') + xopDoc('Doc02'),
      { messageId: 'urn:uuid:mtom-1' },
    );
    const multipart = mtom(xml, [
      { cid: 'Doc01@vigie.test', bytes: doc },
      { cid: 'Doc02@vigie.test', bytes: second, cte: 'base64' },
    ]);
    const reply = await post(double.repositoryUrlFor('mtom'), multipart.body, multipart.contentType);
    assert.equal(reply.status, 200, reply.body);
    assert.match(String(reply.headers['content-type']), /^multipart\/related/);
    assert.equal(statusOf(reply), SUCCESS);
    assert.match(reply.body, /<wsa:RelatesTo>urn:uuid:mtom-1<\/wsa:RelatesTo>/);
    const [sub] = tenant.submissions();
    assert.equal(sub.outcome, 'accepted');
    assert.equal(sub.transport, 'mtom');
    assert.deepEqual(sub.anomalies, []);
    assert.ok(sub.documents[0].content.equals(doc));
    assert.ok(sub.documents[1].content.equals(second));
    assert.equal(sub.documents[0].typeCode, '11488-4');
    assert.equal(sub.documents[0].title, 'CR consultation');
    assert.deepEqual(sub.documents[0].patientId, { ...INS, raw: CX });
    assert.equal(sub.response?.status, 200);
    assert.equal(sub.response?.raw, reply.body);
    assert.ok(typeof sub.durationMs === 'number' && sub.durationMs >= 0);
  });

  test('inline submission (base64 inside Document): accepted, plain SOAP answer', async () => {
    const doc = cda('11488-4');
    const reply = await post(double.repositoryUrlFor('inline'), pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', doc)));
    assert.equal(reply.status, 200, reply.body);
    assert.match(String(reply.headers['content-type']), /^application\/soap\+xml/);
    assert.equal(statusOf(reply), SUCCESS);
    const [sub] = double.tenant('inline').submissions();
    assert.equal(sub.transport, 'inline');
    assert.equal(sub.outcome, 'accepted');
    assert.ok(sub.documents[0].content.equals(doc));
  });

  test('refusal DMPClosed: RegistryResponse Failure with the ANS code; fault behaviour: Receiver fault', async () => {
    const tenant = double.tenant('closed');
    tenant.respondWith({ kind: 'refuse', code: 'DMPClosed', context: 'DMP fermé' });
    const reply = await post(double.repositoryUrlFor('closed'), pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', cda('11488-4'))));
    assert.equal(reply.status, 200, reply.body);
    const resp = read(reply).Body.RegistryResponse;
    assert.equal(resp['@status'], FAILURE);
    assert.equal(resp.RegistryErrorList['@highestSeverity'], 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error');
    assert.deepEqual(resp.RegistryErrorList.RegistryError, [
      {
        '@errorCode': 'DMPClosed',
        '@codeContext': 'DMP fermé',
        '@severity': 'urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error',
      },
    ]);
    const [sub] = tenant.submissions();
    assert.equal(sub.outcome, 'refused');
    assert.deepEqual(sub.refusal, { code: 'DMPClosed', context: 'DMP fermé' });
    assert.equal(tenant.storedDocuments().length, 0, 'a refused document is not registered');

    tenant.respondWith({ kind: 'fault', reason: 'Service indisponible <maintenance>' });
    const faultReply = await post(double.repositoryUrlFor('closed'), pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', cda('11488-4'))));
    assert.equal(faultReply.status, 500);
    assert.deepEqual(faultOf(faultReply), {
      value: 'soap:Receiver',
      reason: 'Service indisponible <maintenance>',
      code: 'service_indisponible',
    });
    assert.equal(tenant.submissions()[1].outcome, 'fault');
  });

  test('metadata contradicting the CDA: a RegistryResponse Failure naming both values (typeCode, patient)', async () => {
    const repo = double.repositoryUrlFor('contradict');
    const type = await post(repo, pnrXml([{ id: 'Doc01', typeCode: '34133-9' }], inlineDoc('Doc01', cda('11488-4'))));
    assert.equal(type.status, 200);
    const [tf] = registryErrorsOf(type);
    assert.equal(tf!.code, 'XDSRegistryMetadataError');
    assert.equal(tf!.location, 'Doc01');
    assert.match(tf!.context, /DocumentEntry "Doc01": typeCode "34133-9" contradicts the CDA \/ClinicalDocument\/code\/@code "11488-4"/);

    const pat = await post(repo, pnrXml([{ id: 'Doc01', patient: OTHER_CX }], inlineDoc('Doc01', cda('11488-4'))));
    const [pf] = registryErrorsOf(pat);
    assert.equal(pf!.code, 'XDSPatientIdDoesNotMatch');
    assert.match(
      pf!.context,
      new RegExp(
        `patientId "${OTHER.id}" \\(oid ${OTHER.oid.replace(/\./g, '\\.')}\\) is not among the CDA recordTarget/patientRole/id: ${INS.id} \\(root ${INS.oid.replace(/\./g, '\\.')}\\)`,
      ),
    );
    // Same extension, other root: still a contradiction.
    const root = await post(
      repo,
      pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', cda('11488-4', [{ id: INS.id, oid: '1.2.250.1.213.1.4.9' }]))),
    );
    assert.equal(registryErrorsOf(root)[0]!.code, 'XDSPatientIdDoesNotMatch');
    // A text/xml document that is not a CDA is not compared.
    const other = await post(
      repo,
      pnrXml(
        [{ id: 'Doc01', typeCode: 'E1762' }],
        inlineDoc('Doc01', Buffer.from('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"/>')),
      ),
    );
    assert.equal(statusOf(other), SUCCESS);
    assert.deepEqual(
      double
        .tenant('contradict')
        .submissions()
        .map((s) => s.outcome),
      ['refused', 'refused', 'refused', 'accepted'],
    );
  });

  test('codes outside the DMP value sets: one RegistryError per slot, naming the value and the value set; a formatCode of another volet', async () => {
    const repo = double.repositoryUrlFor('value-sets');
    const reply = await post(repo, pnrXml([{ id: 'Doc01', classCode: 'CR-MG', conf: ['SECRET'] }], inlineDoc('Doc01', cda('11488-4'))));
    assert.equal(reply.status, 200);
    const errors = registryErrorsOf(reply);
    assert.deepEqual(
      errors.map((e) => [e.code, e.location]),
      [
        ['XDSRegistryMetadataError', 'Doc01'],
        ['XDSRegistryMetadataError', 'Doc01'],
      ],
    );
    assert.match(errors[0]!.context, /classCode "CR-MG" is not in the value set JDV_J57_ClassCode_DMP/);
    assert.match(errors[1]!.context, /confidentialityCode "SECRET" is not in the value set JDV_J08_XdsConfidentialityCode_CISIS/);
    // The CDA of a VSM (its templateId) declared with the formatCode of an unstructured PDF.
    const vsm = Buffer.from(cda('11488-4').toString().replace('1.3.6.1.4.1.19376.1.2.20', '1.2.250.1.213.1.1.1.13'));
    const [format] = registryErrorsOf(await post(repo, pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', vsm))));
    assert.match(
      format!.context,
      /formatCode "urn:ihe:iti:xds-sd:pdf:2008" but the CDA declares the templateIds 1\.2\.250\.1\.213\.1\.1\.1\.13/,
    );
  });

  test('a uniqueId resubmitted with other bytes: XDSNonIdenticalHash; with the same bytes, accepted', async () => {
    const repo = double.repositoryUrlFor('resubmit');
    assert.equal(
      statusOf(await post(repo, pnrXml([{ id: 'Doc01', uniqueId: '1.2.250.1.999.7.1' }], inlineDoc('Doc01', cda('11488-4'))))),
      SUCCESS,
    );
    const changed = Buffer.from(cda('11488-4').toString().replace('Consultation du jour', 'Consultation modifiée'));
    const [error] = registryErrorsOf(
      await post(repo, pnrXml([{ id: 'Doc01', uniqueId: '1.2.250.1.999.7.1' }], inlineDoc('Doc01', changed))),
    );
    assert.equal(error!.code, 'XDSNonIdenticalHash');
    assert.match(error!.context, /uniqueId 1\.2\.250\.1\.999\.7\.1 was stored earlier with other bytes/);
  });

  describe('hostile and broken inputs get a Sender fault (not ITI-41) or a RegistryResponse Failure (ITI-41 with wrong metadata), are recorded, and the double keeps serving', () => {
    const doc = cda('11488-4');
    const good = () => mtom(pnrXml([{ id: 'Doc01' }], xopDoc('Doc01')), [{ cid: 'Doc01@vigie.test', bytes: doc }]);
    const BOMB =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
      ']>' +
      pnrXml([{ id: 'Doc01', title: '&lol9;' }], inlineDoc('Doc01', doc)).replace(/^<\?xml[^>]*>/, '');
    const XXE =
      '<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
      pnrXml([{ id: 'Doc01', title: '&xxe;' }], inlineDoc('Doc01', doc)).replace(/^<\?xml[^>]*>/, '');
    const cases: Array<{
      name: string;
      make: () => { body: Buffer | string; contentType: string };
      status?: number;
      value?: string;
      code: string;
      reason: RegExp;
    }> = [
      {
        name: 'MTOM without boundary parameter',
        make: () => mtom(pnrXml([{ id: 'Doc01' }], xopDoc('Doc01')), [{ cid: 'Doc01@vigie.test', bytes: doc }], { boundaryParam: false }),
        code: 'mtom_invalide',
        reason: /no boundary parameter/,
      },
      {
        name: 'MTOM whose boundary never occurs',
        make: () => ({ ...good(), contentType: good().contentType.replace('MIMEBoundary_vigie_test', 'OtherBoundary') }),
        code: 'mtom_invalide',
        reason: /boundary "OtherBoundary" does not occur/,
      },
      {
        name: 'MTOM truncated (no closing delimiter)',
        make: () => mtom(pnrXml([{ id: 'Doc01' }], xopDoc('Doc01')), [{ cid: 'Doc01@vigie.test', bytes: doc }], { close: false }),
        code: 'mtom_invalide',
        reason: /no closing delimiter/,
      },
      {
        name: 'MTOM without root part (start matches nothing)',
        make: () => mtom(pnrXml([{ id: 'Doc01' }], xopDoc('Doc01')), [{ cid: 'Doc01@vigie.test', bytes: doc }], { start: '<nowhere@x>' }),
        code: 'mtom_invalide',
        reason: /no root part: the start parameter <nowhere@x> matches no part/,
      },
      {
        name: 'xop:Include whose cid is absent',
        make: () => mtom(pnrXml([{ id: 'Doc01' }], xopDoc('Doc01', 'missing@vigie.test')), [{ cid: 'Doc01@vigie.test', bytes: doc }]),
        code: 'mtom_invalide',
        reason: /xop:Include href "cid:missing%40vigie.test" matches no MIME part/,
      },
      {
        name: 'xop:Include in an inline message',
        make: () => ({ body: pnrXml([{ id: 'Doc01' }], xopDoc('Doc01')), contentType: SOAP12 }),
        code: 'mtom_invalide',
        reason: /not MTOM/,
      },
      {
        name: 'billion laughs',
        make: () => ({ body: BOMB, contentType: SOAP12 }),
        code: 'dtd_interdite',
        reason: /^DTD and entity declarations are not accepted$/,
      },
      {
        name: 'external entity',
        make: () => ({ body: XXE, contentType: SOAP12 }),
        code: 'dtd_interdite',
        reason: /^DTD and entity declarations are not accepted$/,
      },
      {
        name: 'DOCTYPE in the MTOM root part',
        make: () =>
          mtom('<!DOCTYPE x>' + pnrXml([{ id: 'Doc01' }], xopDoc('Doc01')).replace(/^<\?xml[^>]*>/, ''), [
            { cid: 'Doc01@vigie.test', bytes: doc },
          ]),
        code: 'dtd_interdite',
        reason: /DTD/,
      },
      {
        name: 'malformed XML',
        make: () => ({ body: pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', doc)).replace('</soap:Body>', ''), contentType: SOAP12 }),
        code: 'xml_malforme',
        reason: /^Malformed XML/,
      },
      { name: 'not XML at all', make: () => ({ body: 'hello DMP', contentType: SOAP12 }), code: 'xml_malforme', reason: /^Malformed XML/ },
      {
        name: 'no DocumentEntry',
        make: () => ({ body: pnrXml([], inlineDoc('Doc01', doc)), contentType: SOAP12 }),
        code: 'XDSMissingDocumentMetadata',
        reason: /no DocumentEntry/,
      },
      {
        name: 'DocumentEntry without its Document',
        make: () => ({ body: pnrXml([{ id: 'Doc01' }, { id: 'Doc02' }], inlineDoc('Doc01', doc)), contentType: SOAP12 }),
        code: 'XDSMissingDocument',
        reason: /DocumentEntry "Doc02" has no Document/,
      },
      {
        name: 'Document without DocumentEntry',
        make: () => ({ body: pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', doc) + inlineDoc('Doc09', doc)), contentType: SOAP12 }),
        code: 'XDSMissingDocumentMetadata',
        reason: /Document "Doc09" has no DocumentEntry/,
      },
      {
        name: 'hash slot not matching the bytes',
        make: () => ({
          body: pnrXml([{ id: 'Doc01', hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' }], inlineDoc('Doc01', doc)),
          contentType: SOAP12,
        }),
        code: 'XDSRepositoryMetadataError',
        reason: new RegExp(
          `hash slot "da39a3ee5e6b4b0d3255bfef95601890afd80709" does not match the SHA-1 of the document bytes "${createHash('sha1').update(doc).digest('hex')}"`,
        ),
      },
      {
        name: 'size slot not matching the bytes',
        make: () => ({ body: pnrXml([{ id: 'Doc01', size: '12' }], inlineDoc('Doc01', doc)), contentType: SOAP12 }),
        code: 'XDSRepositoryMetadataError',
        reason: new RegExp(`size slot "12" does not match the document's ${doc.length} bytes`),
      },
      {
        name: 'patientId missing',
        make: () => ({ body: pnrXml([{ id: 'Doc01', patient: null }], inlineDoc('Doc01', doc), { setPatient: CX }), contentType: SOAP12 }),
        code: 'XDSRegistryMetadataError',
        reason: /DocumentEntry "Doc01": patientId .* missing/,
      },
      {
        name: 'patientId not a CX',
        make: () => ({
          body: pnrXml([{ id: 'Doc01', patient: '279035121518989' }], inlineDoc('Doc01', doc), { setPatient: CX }),
          contentType: SOAP12,
        }),
        code: 'XDSRegistryMetadataError',
        reason: /patientId "279035121518989" is not a CX/,
      },
      {
        name: 'invalid base64 document',
        make: () => ({ body: pnrXml([{ id: 'Doc01' }], '<xds:Document id="Doc01">@@not base64@@</xds:Document>'), contentType: SOAP12 }),
        code: 'XDSRepositoryMetadataError',
        reason: /not valid base64/,
      },
      {
        name: 'wrong wsa:Action',
        make: () => ({ body: pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', doc), { action: SQ_ACTION }), contentType: SOAP12 }),
        code: 'action_invalide',
        reason: /expected "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b", received "urn:ihe:iti:2007:RegistryStoredQuery"/,
      },
      {
        name: 'no wsa:Action',
        make: () => ({ body: pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', doc), { action: null }), contentType: SOAP12 }),
        code: 'action_absente',
        reason: /wsa:Action header missing/,
      },
      {
        name: 'SOAP 1.1 envelope',
        make: () => ({
          body: '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>',
          contentType: 'text/xml',
        }),
        status: 500,
        value: 'soap:VersionMismatch',
        code: 'version_soap',
        reason: /SOAP 1\.2/,
      },
      {
        name: 'unsupported Content-Type',
        make: () => ({ body: '{}', contentType: 'application/json' }),
        status: 415,
        code: 'content_type_non_supporte',
        reason: /Unsupported Content-Type "application\/json"/,
      },
      { name: 'empty body', make: () => ({ body: '', contentType: SOAP12 }), code: 'corps_vide', reason: /Empty SOAP message/ },
    ];
    for (const [i, c] of cases.entries()) {
      test(c.name, async () => {
        const tenant = `hostile-${i}`;
        const repo = double.repositoryUrlFor(tenant);
        const { body, contentType } = c.make();
        const reply = await post(repo, body, contentType);
        assert.ok(reply.ms < 1000, `answered in ${reply.ms} ms`);
        const subs = double.tenant(tenant).submissions();
        assert.equal(subs.length, 1);
        assert.equal(subs[0].response?.status, reply.status);
        assert.doesNotMatch(reply.body, /root:|lollol/);
        if (c.code.startsWith('XDS')) {
          // An ITI-41 request wrong in its metadata or documents: HTTP 200, RegistryResponse Failure, the entry named.
          assert.equal(reply.status, 200, reply.body);
          const [error] = registryErrorsOf(reply);
          assert.equal(error!.code, c.code, error!.context);
          assert.match(error!.context, c.reason);
          assert.equal(subs[0].outcome, 'refused');
          assert.deepEqual(subs[0].registryErrors?.[0], error);
        } else {
          // Not an ITI-41 request at all: a SOAP fault.
          assert.equal(reply.status, c.status ?? 400, reply.body);
          assert.match(String(reply.headers['content-type']), /^application\/soap\+xml/);
          const fault = faultOf(reply);
          assert.equal(fault.value, c.value ?? 'soap:Sender');
          assert.equal(fault.code, c.code, fault.reason);
          assert.match(fault.reason, c.reason);
          assert.equal(subs[0].outcome, 'fault');
          assert.equal(subs[0].fault, fault.reason);
        }
        const again = good();
        assert.equal(statusOf(await post(repo, again.body, again.contentType)), SUCCESS);
      });
    }

    test('a body over maxBodyBytes (default 20 MiB) gets 413', async () => {
      const repo = double.repositoryUrlFor('oversized');
      const padding = `<!--${'x'.repeat(21 * 1024 * 1024)}-->`;
      const reply = await post(repo, pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', doc)).replace('<soap:Body>', `<soap:Body>${padding}`));
      assert.equal(reply.status, 413);
      const fault = faultOf(reply);
      assert.equal(fault.code, 'corps_trop_volumineux');
      assert.match(fault.reason, /exceeds 20971520 bytes/);
      const [sub] = double.tenant('oversized').submissions();
      assert.equal(sub.outcome, 'fault');
      assert.ok(sub.raw.length <= 64 * 1024);
      const again = good();
      assert.equal(statusOf(await post(repo, again.body, again.contentType)), SUCCESS);
    });
  });

  test('hold, release with the current behaviour, release({drop:true})', async () => {
    const tenant = double.tenant('hold');
    const repo = double.repositoryUrlFor('hold');
    const body = () => pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', cda('11488-4')));
    tenant.hold();
    const p1 = post(repo, body());
    const p2 = post(repo, body());
    await tenant.waitForHeld(2, 2000);
    assert.equal(tenant.heldCount(), 2);
    assert.deepEqual(
      tenant.submissions().map((s) => [s.outcome, s.response, s.durationMs]),
      [
        ['held', null, null],
        ['held', null, null],
      ],
    );
    assert.equal(tenant.storedDocuments().length, 0);
    // Faults are not held.
    assert.equal((await post(repo, 'junk')).status, 400);
    tenant.respondWith({ kind: 'refuse', code: 'DMPClosed', context: 'DMP fermé' }); // applies to parked submissions too
    assert.equal(tenant.release(), 2);
    const [r1, r2] = await Promise.all([p1, p2]);
    assert.deepEqual([statusOf(r1), statusOf(r2)], [FAILURE, FAILURE]);
    assert.deepEqual(
      tenant.submissions().map((s) => s.outcome),
      ['refused', 'refused', 'fault'],
    );

    tenant.respondWith({ kind: 'accept' });
    tenant.hold();
    const p3 = post(repo, body());
    await tenant.waitForHeld(1, 2000);
    assert.equal(tenant.release({ drop: true }), 1);
    await assert.rejects(p3, (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET' || /socket hang up/.test(err.message));
    const last = tenant.submissions().at(-1)!;
    assert.equal(last.outcome, 'dropped');
    assert.equal(last.response, null);
    assert.equal(tenant.storedDocuments().length, 0, 'a dropped submission is not registered');
    assert.equal(statusOf(await post(repo, body())), SUCCESS, 'not holding any more');
  });

  test('FindDocuments: accepted documents of that patient only, not MASQUE_PS ones, plus seeded ones', async () => {
    const tenant = double.tenant('registry');
    const repo = double.repositoryUrlFor('registry');
    const ok = (r: Reply) => assert.equal(statusOf(r), SUCCESS, r.body);
    ok(
      await post(
        repo,
        pnrXml(
          [
            { id: 'A1', title: 'Visible', classCode: '11', uniqueId: '1.2.3.1' },
            { id: 'A2', title: 'Masqué aux PS', conf: ['N', 'MASQUE_PS'] },
          ],
          inlineDoc('A1', cda('11488-4')) + inlineDoc('A2', cda('11488-4')),
        ),
      ),
    );
    ok(await post(repo, pnrXml([{ id: 'B1', title: 'Autre patient', patient: OTHER_CX }], inlineDoc('B1', cda('11488-4', [OTHER])))));
    ok(
      await post(
        repo,
        pnrXml([{ id: 'A3', title: 'Invisible patient', conf: ['N', 'INVISIBLE_PATIENT'] }], inlineDoc('A3', cda('11488-4'))),
      ),
    );
    tenant.seedDocument(INS, { title: 'VSM ancien', typeCode: '60591-5', classCode: '11' });
    tenant.respondWith({ kind: 'refuse', code: 'DMPClosed', context: 'DMP fermé' });
    await post(repo, pnrXml([{ id: 'A4', title: 'Refusé' }], inlineDoc('A4', cda('11488-4'))));
    tenant.hold(); // holds do not apply to queries

    const reply = await post(double.registryUrlFor('registry'), findDocumentsXml(CX));
    assert.equal(reply.status, 200, reply.body);
    const resp = read(reply).Body.AdhocQueryResponse;
    assert.equal(resp['@status'], SUCCESS);
    assert.match(reply.body, /<wsa:Action soap:mustUnderstand="true">urn:ihe:iti:2007:RegistryStoredQueryResponse<\/wsa:Action>/);
    const objs: RegistryObject[] = resp.RegistryObjectList.ExtrinsicObject;
    const codeOf = (o: RegistryObject, scheme: string) =>
      o.Classification.filter((c) => c['@classificationScheme'] === scheme).map((c) => c['@nodeRepresentation']);
    const extOf = (o: RegistryObject, scheme: string) =>
      o.ExternalIdentifier.find((e) => e['@identificationScheme'] === scheme)?.['@value'];
    assert.deepEqual(
      objs.map((o) => o.Name.LocalizedString['@value']),
      ['Visible', 'Invisible patient', 'VSM ancien'],
    );
    assert.deepEqual(
      objs.map((o) => codeOf(o, SCHEMES.typeCode)),
      [['11488-4'], ['11488-4'], ['60591-5']],
    );
    assert.deepEqual(
      objs.map((o) => codeOf(o, SCHEMES.classCode)),
      [['11'], ['11'], ['11']],
    );
    assert.deepEqual(
      objs.map((o) => codeOf(o, SCHEMES.conf)),
      [['N'], ['N', 'INVISIBLE_PATIENT'], ['N']],
    );
    assert.equal(extOf(objs[0], SCHEMES.uniqueId), '1.2.3.1');
    assert.match(extOf(objs[2], SCHEMES.uniqueId) ?? '', /^2\.25\.\d+$/);
    assert.ok(objs.every((o) => extOf(o, SCHEMES.patientId) === CX));
    assert.ok(objs.every((o) => /^urn:uuid:[0-9a-f-]{36}$/.test(o['@id'])));
    assert.equal(new Set(objs.map((o) => o['@id'])).size, 3);

    const [q] = await tenant.waitForQueries(1, 1000);
    assert.equal(q.outcome, 'answered');
    assert.equal(q.returned, 3);
    assert.equal(q.queryId, FIND_DOCUMENTS);
    assert.deepEqual(q.patientId, { ...INS, raw: CX });
    assert.equal(q.messageId, 'urn:uuid:q-1');
    assert.equal(q.response?.raw, reply.body);

    const refs = await post(double.registryUrlFor('registry'), findDocumentsXml(OTHER_CX, { returnType: 'ObjectRef' }));
    assert.equal(read(refs).Body.AdhocQueryResponse.RegistryObjectList.ObjectRef.length, 1);
    const none = await post(double.registryUrlFor('registry'), findDocumentsXml('999^^^&1.2.250.1.213.1.4.8&ISO^NH'));
    assert.equal(read(none).Body.AdhocQueryResponse['@status'], SUCCESS);
    assert.equal(tenant.queries()[2].returned, 0);

    const unknown = await post(
      double.registryUrlFor('registry'),
      findDocumentsXml(CX, { queryId: 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4' }),
    );
    assert.equal(unknown.status, 400);
    assert.equal(faultOf(unknown).code, 'XDSUnknownStoredQuery');
    const unquoted = await post(double.registryUrlFor('registry'), findDocumentsXml(CX, { quoted: false }));
    assert.match(faultOf(unquoted).reason, /not a quoted CX/);
    assert.deepEqual(
      tenant.queries().map((x) => x.outcome),
      ['answered', 'answered', 'answered', 'fault', 'fault'],
    );
    tenant.release({ drop: true });
  });

  test('tenants are isolated', async () => {
    const isoA = double.tenant('iso-a');
    const isoB = double.tenant('iso-b');
    isoA.respondWith({ kind: 'refuse', code: 'DMPClosed', context: 'DMP fermé' });
    const body = pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', cda('11488-4')));
    assert.equal(statusOf(await post(double.repositoryUrlFor('iso-a'), body)), FAILURE);
    assert.equal(statusOf(await post(double.repositoryUrlFor('iso-b'), body)), SUCCESS);
    isoA.seedDocument(INS, { title: 'Seulement A', typeCode: '11488-4' });
    const qa = await post(double.registryUrlFor('iso-a'), findDocumentsXml(CX));
    const qb = await post(double.registryUrlFor('iso-b'), findDocumentsXml(CX));
    const titles = (r: Reply) =>
      (read(r).Body.AdhocQueryResponse.RegistryObjectList.ExtrinsicObject ?? []).map(
        (o: RegistryObject) => o.Name.LocalizedString['@value'],
      );
    assert.deepEqual(titles(qa), ['Seulement A']);
    assert.deepEqual(titles(qb), ['Compte rendu']);
    assert.deepEqual([isoA.submissions().length, isoB.submissions().length, isoA.queries().length, isoB.queries().length], [1, 1, 1, 1]);
    assert.deepEqual([isoA.submissions()[0].tenant, isoB.submissions()[0].tenant], ['iso-a', 'iso-b']);
    assert.ok(isoB.submissions()[0].seq > isoA.submissions()[0].seq);
    isoA.reset();
    assert.deepEqual([isoA.submissions().length, isoA.queries().length, isoA.storedDocuments().length], [0, 0, 0]);
    assert.equal(statusOf(await post(double.repositoryUrlFor('iso-a'), body)), SUCCESS, 'reset restores "accept"');
    assert.equal((await post(`${double.baseUrl}/dmp/bad.tenant/repository`, body)).status, 404);
    assert.equal((await post(`${double.baseUrl}/dmp/iso-a/other`, body)).status, 404);
    assert.throws(() => double.tenant('no/slash'), /invalid tenant id/);
    assert.throws(() => double.repositoryUrlFor('a b'), /invalid tenant id/);
  });

  test('waits are bounded and their timeout messages say what happened', async () => {
    const tenant = double.tenant('waits');
    await post(double.repositoryUrlFor('waits'), 'x');
    await assert.rejects(tenant.waitForSubmissions(3, 50), /tenant "waits" received 1 submission\(s\) \(ITI-41\), expected 3 within 50 ms/);
    await assert.rejects(tenant.waitForQueries(1, 30), /tenant "waits" received 0 query\(ies\) \(ITI-18\), expected 1 within 30 ms/);
    await assert.rejects(tenant.waitForHeld(1, 30), /tenant "waits" has 0 parked submission\(s\), expected 1 within 30 ms/);
    assert.equal((await tenant.waitForSubmissions(1, 50)).length, 1);
  });
});

test('stop() while a submission is parked resolves quickly; the client sees the connection end; waits are rejected', async () => {
  const double = new DmpDouble();
  await double.start();
  try {
    const tenant = double.tenant('parked');
    tenant.hold();
    const pending = post(double.repositoryUrlFor('parked'), pnrXml([{ id: 'Doc01' }], inlineDoc('Doc01', cda('11488-4'))));
    const clientFails = assert.rejects(pending);
    await tenant.waitForHeld(1, 2000);
    const waiting = assert.rejects(tenant.waitForSubmissions(5, 60_000), /stopped/);
    const started = performance.now();
    await double.stop();
    assert.ok(performance.now() - started < 1000);
    await clientFails;
    await waiting;
    const sub: DmpSubmission = tenant.submissions()[0];
    assert.equal(sub.outcome, 'dropped');
  } finally {
    await double.stop(); // idempotent; and a failed assertion must not leave the server running
  }
});
