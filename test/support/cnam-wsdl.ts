/**
 * A third-party SOAP client (node-soap) built from the CNAM INSi WSDL. The WSDL imports WS-Addressing
 * from w3.org; offline, that import is redirected to fixtures/insi/wsdl/xsd/WSA/ws-addr-minimal.xsd
 * through node-soap's overrideImportLocation, so the vendored WSDL stays untouched.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as soap from 'soap';
import type { InsiPerson } from '../../src/doubles/insi';

const WSDL_DIR = path.resolve(__dirname, '../../fixtures/insi/wsdl');
const WSDL = path.join(WSDL_DIR, 'DESIR_ICIR_EXP_1.5.0.wsdl');
const LOCAL_WSA = path.join(WSDL_DIR, 'xsd/WSA/ws-addr-minimal.xsd');
const REMOTE_WSA = 'http://www.w3.org/2006/03/addressing/ws-addr.xsd';

/** An invented person born in Corsica (valid NIR key). */
export const CORSE: InsiPerson = {
  matricule: '180032B020401',
  key: '23',
  oid: '1.2.250.1.213.1.4.8',
  birthName: 'CORSE',
  firstName: 'ANTHONY',
  firstNames: 'ANTHONY',
  sex: 'M',
  birthDate: '1980-03-02',
  birthPlace: '2B020',
};

export async function cnamInsiClient(endpoint: string): Promise<soap.Client> {
  const imports: string[] = [];
  const client = await soap.createClientAsync(WSDL, {
    endpoint,
    forceSoap12Headers: true,
    disableCache: true,
    wsdl_options: {
      overrideImportLocation: (location: string) => {
        imports.push(location);
        return location === REMOTE_WSA ? LOCAL_WSA : location;
      },
    },
  });
  assert.ok(imports.includes(REMOTE_WSA), 'the WS-Addressing import went through the override');
  return client;
}
