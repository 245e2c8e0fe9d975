import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exchange, type Reply } from '../support/http';
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { EPrescriptionDouble } from '../../src/doubles/eprescription';
import { EPRESCRIPTION_OPENAPI } from '../../src/doubles/eprescription/prescription';

function send(method: string, url: string, body?: string | Buffer, contentType = 'application/json'): Promise<Reply> {
  return exchange(method, url, body, { 'content-type': contentType });
}
const post = (url: string, body: string | Buffer) => send('POST', url, body);

const PRESCRIPTION = {
  patient: { ins: '279035121518989', birthName: 'DUPONT', firstName: 'JEAN', birthDate: '1979-03-12' },
  prescriber: { rpps: '10000000000', name: 'Dr Anne PRATICIEN' },
  lines: [{ product: 'PARACETAMOL 1 g, comprimé', dosage: '1 comprimé 3 fois par jour pendant 5 jours' }],
};
const body = JSON.stringify(PRESCRIPTION);

describe('e-prescription double', () => {
  const double = new EPrescriptionDouble();
  let url: string;
  before(async () => {
    await double.start();
    url = `${double.urlFor('main')}/prescriptions`;
  });
  after(() => double.stop());

  test('its answers are those docs/eprescription.openapi.json describes (OK with a number, KO with its reason)', async () => {
    const api = JSON.parse(readFileSync(EPRESCRIPTION_OPENAPI, 'utf8'));
    const ajv = new Ajv({ strict: false });
    const shapeOf = (name: string) => ajv.compile(api.components.schemas[name]);
    const responses = api.paths['/prescriptions'].post.responses;
    const endpoint = `${double.urlFor('contract')}/prescriptions`;
    const ok = await post(endpoint, body);
    assert.ok(responses[String(ok.status)], `status ${ok.status} documented`);
    assert.ok(shapeOf('Registered')(JSON.parse(ok.body)), ok.body);
    double.tenant('contract').respondWith({ kind: 'ko', reason: 'Refusée' });
    for (const reply of [await post(endpoint, body), await post(endpoint, '{}')]) {
      assert.ok(responses[String(reply.status)], `status ${reply.status} documented`);
      assert.ok(shapeOf('Refused')(JSON.parse(reply.body)), reply.body);
    }
    assert.ok(shapeOf('Prescription')(JSON.parse(body)), 'the example request fits the contract');
  });

  test('ok: 201 with a unique prescription number, exchange recorded', async () => {
    assert.equal(double.urlFor('main'), `${double.baseUrl}/eprescription/main`);
    const r1 = await post(url, body);
    const r2 = await post(url, body);
    assert.equal(r1.status, 201, r1.body);
    assert.match(String(r1.headers['content-type']), /^application\/json/);
    const j1 = JSON.parse(r1.body);
    const j2 = JSON.parse(r2.body);
    assert.equal(j1.status, 'OK');
    assert.match(j1.prescriptionNumber, /^EP-main-\d{8}$/);
    assert.notEqual(j1.prescriptionNumber, j2.prescriptionNumber);
    const ex = await double.tenant('main').waitForExchanges(2, 1000);
    assert.equal(ex[0].outcome, 'ok');
    assert.equal(ex[0].tenant, 'main');
    assert.equal(ex[0].prescriptionNumber, j1.prescriptionNumber);
    assert.equal(ex[0].request.raw, body);
    assert.deepEqual(ex[0].request.json, PRESCRIPTION);
    assert.deepEqual(ex[0].response, { status: 201, body: r1.body });
    assert.ok(!Number.isNaN(Date.parse(ex[0].receivedAt)));
  });

  test('ko: 422 with the programmed reason; reset restores ok', async () => {
    const tenant = double.tenant('ko');
    const endpoint = `${double.urlFor('ko')}/prescriptions`;
    tenant.respondWith({ kind: 'ko', reason: 'Prescripteur inconnu du téléservice' });
    const reply = await post(endpoint, body);
    assert.equal(reply.status, 422);
    assert.deepEqual(JSON.parse(reply.body), { status: 'KO', reason: 'Prescripteur inconnu du téléservice' });
    tenant.respondWith({ kind: 'ko' });
    assert.equal(JSON.parse((await post(endpoint, body)).body).status, 'KO');
    assert.deepEqual(
      tenant.exchanges().map((e) => [e.outcome, e.prescriptionNumber]),
      [
        ['ko', undefined],
        ['ko', undefined],
      ],
    );
    tenant.reset();
    assert.equal(tenant.exchanges().length, 0);
    assert.equal((await post(endpoint, body)).status, 201);
  });

  test('hold, release with the current behaviour, release({drop:true})', async () => {
    const tenant = double.tenant('hold');
    const endpoint = `${double.urlFor('hold')}/prescriptions`;
    tenant.hold();
    const p1 = post(endpoint, body);
    const p2 = post(endpoint, body);
    await tenant.waitForHeld(2, 2000);
    assert.equal(tenant.heldCount(), 2);
    assert.deepEqual(
      tenant.exchanges().map((e) => [e.outcome, e.response]),
      [
        ['held', null],
        ['held', null],
      ],
    );
    // Malformed requests are answered at once, even while holding.
    assert.equal((await post(endpoint, '{')).status, 400);
    tenant.respondWith({ kind: 'ko', reason: 'Service saturé' });
    assert.equal(tenant.release(), 2);
    const [r1, r2] = await Promise.all([p1, p2]);
    assert.deepEqual([r1.status, r2.status], [422, 422]);
    assert.deepEqual(
      tenant.exchanges().map((e) => e.outcome),
      ['ko', 'ko', 'rejected'],
    );

    tenant.respondWith({ kind: 'ok' });
    tenant.hold();
    const p3 = post(endpoint, body);
    await tenant.waitForHeld(1, 2000);
    assert.equal(tenant.release({ drop: true }), 1);
    await assert.rejects(p3, (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET' || /socket hang up/.test(err.message));
    const last = tenant.exchanges().at(-1)!;
    assert.equal(last.outcome, 'dropped');
    assert.equal(last.response, null);
    assert.equal((await post(endpoint, body)).status, 201, 'not holding any more');
  });

  test('malformed JSON, wrong shape and oversized bodies are rejected and recorded; the double keeps serving', async () => {
    const tenant = double.tenant('bad');
    const endpoint = `${double.urlFor('bad')}/prescriptions`;
    const malformed = await post(endpoint, '{"patient": ');
    assert.equal(malformed.status, 400);
    assert.equal(JSON.parse(malformed.body).status, 'KO');
    assert.match(JSON.parse(malformed.body).reason, /^Malformed JSON/);
    const shape = await post(endpoint, JSON.stringify({ patient: {}, lines: [] }));
    assert.equal(shape.status, 400);
    // Checked against docs/eprescription.openapi.json, each field named.
    const reason = JSON.parse(shape.body).reason as string;
    assert.match(reason, /patient\.birthName is missing/);
    assert.match(reason, /prescriber is missing/);
    assert.match(reason, /lines must NOT have fewer than 1 items/);
    assert.match(reason, /docs\/eprescription\.openapi\.json/);
    const badIns = await post(endpoint, JSON.stringify({ ...PRESCRIPTION, patient: { ...PRESCRIPTION.patient, ins: '27903512151898' } }));
    assert.equal(badIns.status, 400);
    assert.match(JSON.parse(badIns.body).reason, /patient\.ins must match pattern/);
    const big = await post(endpoint, JSON.stringify({ ...PRESCRIPTION, padding: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(big.status, 413);
    assert.match(JSON.parse(big.body).reason, /exceeds 1048576 bytes/);
    const ex = tenant.exchanges();
    assert.deepEqual(
      ex.map((e) => [e.outcome, e.response?.status]),
      [
        ['rejected', 400],
        ['rejected', 400],
        ['rejected', 400],
        ['rejected', 413],
      ],
    );
    assert.equal(ex[0].request.raw, '{"patient": ');
    assert.equal(ex[0].request.json, undefined);
    assert.ok(ex[2].request.raw.length <= 64 * 1024);
    assert.equal((await post(endpoint, body)).status, 201);
  });

  test('routing, tenant isolation, bounded waits', async () => {
    double.tenant('iso-a').respondWith({ kind: 'ko' });
    assert.equal((await post(`${double.urlFor('iso-a')}/prescriptions`, body)).status, 422);
    assert.equal((await post(`${double.urlFor('iso-b')}/prescriptions`, body)).status, 201);
    assert.equal(double.tenant('iso-a').exchanges().length, 1);
    assert.equal(double.tenant('iso-b').exchanges().length, 1);
    assert.equal((await post(`${double.baseUrl}/eprescription/iso-a`, body)).status, 404);
    assert.equal((await post(`${double.baseUrl}/eprescription/bad.tenant/prescriptions`, body)).status, 404);
    assert.equal((await send('GET', `${double.urlFor('iso-a')}/prescriptions`)).status, 405);
    assert.throws(() => double.tenant('no/slash'), /invalid tenant id/);
    await assert.rejects(double.tenant('iso-b').waitForExchanges(3, 40), /tenant "iso-b" received 1 request\(s\), expected 3 within 40 ms/);
    await assert.rejects(double.tenant('iso-b').waitForHeld(1, 20), /tenant "iso-b" has 0 parked request\(s\), expected 1 within 20 ms/);
  });
});

test('stop() while a request is parked resolves quickly and rejects pending waits', async () => {
  const double = new EPrescriptionDouble();
  await double.start();
  try {
    const tenant = double.tenant('parked');
    tenant.hold();
    const clientFails = assert.rejects(post(`${double.urlFor('parked')}/prescriptions`, body));
    await tenant.waitForHeld(1, 2000);
    const waiting = assert.rejects(tenant.waitForExchanges(5, 60_000), /stopped/);
    const started = performance.now();
    await double.stop();
    assert.ok(performance.now() - started < 1000);
    await clientFails;
    await waiting;
    assert.equal(tenant.exchanges()[0].outcome, 'dropped');
  } finally {
    await double.stop();
  }
});
