/**
 * Wire-level interoperability: a third-party SOAP client (node-soap) generated from the CNAM WSDL
 * (test/support/cnam-wsdl.ts) talks to the running double.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as soap from 'soap';
import { InsiDouble } from '../../src/doubles/insi';
import { CORSE, cnamInsiClient } from '../support/cnam-wsdl';

/** What node-soap rejects with on a SOAP fault: the parsed envelope is in `root`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SoapError = Error & { root?: any; response?: { status: number } };

describe('node-soap client generated from the CNAM WSDL', () => {
  const double = new InsiDouble({ people: [CORSE] });
  let client: soap.Client;
  before(async () => {
    await double.start();
    client = await cnamInsiClient(double.endpointFor('wire'));
    client.addSoapHeader({ 'wsa:MessageID': 'uuid:wire-test-1' }, '', 'wsa', 'http://www.w3.org/2005/08/addressing');
  });
  after(() => double.stop());

  test('rechercherInsAvecCarteVitale finds the identity by NIR', async () => {
    const [result] = await client.rechercherInsAvecCarteVitaleAsync({
      MatriculeIndividu: { NumIdentifiant: '180032B020401', Cle: '23' },
      DateNaissance: '1980-03-02',
    });
    assert.equal(result.CR.CodeCR, '00');
    assert.equal(result.INDIVIDU.INSACTIF.IdIndividu.NumIdentifiant, '180032B020401');
    assert.equal(result.INDIVIDU.INSACTIF.IdIndividu.Cle, '23');
    assert.equal(result.INDIVIDU.INSACTIF.OID, '1.2.250.1.213.1.4.8');
    assert.equal(result.INDIVIDU.TIQ.LieuNaissance, '2B020');
    assert.match(client.lastResponse ?? '', /<wsa:RelatesTo>uuid:wire-test-1<\/wsa:RelatesTo>/);
    const [ex] = double.tenant('wire').exchanges();
    assert.equal(ex.operation, 'rechercherInsAvecCarteVitale');
    assert.equal(ex.action, 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale');
    assert.match(ex.request.contentType, /^application\/soap\+xml/);
  });

  test('rechercherInsAvecTraitsIdentite: found, not found, several', async () => {
    const traits = { NomNaissance: 'Corse', Prenom: ['Anthony'], Sexe: 'M', DateNaissance: '1980-03-02' };
    const [found] = await client.rechercherInsAvecTraitsIdentiteAsync(traits);
    assert.equal(found.CR.CodeCR, '00');
    assert.equal(found.INDIVIDU.TIQ.NomNaissance, 'CORSE');
    assert.equal(found.INDIVIDU.TIQ.Prenom, 'ANTHONY');
    assert.equal(found.INDIVIDU.TIQ.DateNaissance, '1980-03-02');

    const [none] = await client.rechercherInsAvecTraitsIdentiteAsync({ ...traits, NomNaissance: 'AJACCIO' });
    assert.deepEqual(none.CR, { CodeCR: '01', LibelleCR: 'Aucune identite trouvee' });
    assert.equal(none.INDIVIDU, undefined);

    double.tenant('wire').respondWith({ kind: 'several' });
    const [several] = await client.rechercherInsAvecTraitsIdentiteAsync(traits);
    assert.equal(several.CR.CodeCR, '02');
    double.tenant('wire').respondWith({ kind: 'lookup' });
  });

  test('a programmed fault reaches the client as an error with a readable reason', async () => {
    double.tenant('wire').respondWith({ kind: 'fault', code: 'insi_503', reason: 'Service INSi indisponible' });
    try {
      await assert.rejects(client.rechercherInsAvecTraitsIdentiteAsync({ NomNaissance: 'CORSE' }), (err: SoapError) => {
        const fault = err.root?.Envelope?.Body?.Fault;
        assert.ok(fault, `no SOAP fault in ${err.message}`);
        assert.equal(err.response?.status, 500);
        assert.match(String(fault.Code.Value), /Receiver$/);
        const reason = fault.Reason.Text;
        assert.equal(typeof reason === 'string' ? reason : reason.$value, 'Service INSi indisponible');
        assert.equal(fault.Detail.Erreur.attributes.code, 'insi_503');
        assert.match(err.message, /Service INSi indisponible/);
        return true;
      });
    } finally {
      double.tenant('wire').respondWith({ kind: 'lookup' });
    }
  });
});
