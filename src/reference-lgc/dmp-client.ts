/**
 * The reference LGC's DMP client: ITI-41 Provide and Register Document Set-b in MTOM/XOP and
 * ITI-18 Registry Stored Query (FindDocuments), SOAP 1.2, plus safe parsing of the answers
 * (dmp/answers.ts). The messages (dmp/soap.ts) are modelled on
 * DRIM-M_DRIMbox/JeuxDeDonnees/exemples/XDS/publication.xml, without the signed SAML token: the
 * header carries a minimal, unsigned VIHF-like assertion; the XDS metadata is dmp/xds-metadata.ts.
 */
import { type ClientTls, httpPost } from './http-post';
import { parseQueryResponse, parseRegistryResponse, type QueryOutcome, type SubmitOutcome } from './dmp/answers';
import { iti18Envelope, iti41Mtom } from './dmp/soap';
import { ACTION_ITI18, type SubmissionSpec } from './dmp/xds-metadata';

export * from './dmp/xds-metadata';
export * from './dmp/soap';
export * from './dmp/answers';

export async function submitIti41(spec: SubmissionSpec, timeoutMs: number, cancel?: AbortSignal, tls?: ClientTls): Promise<SubmitOutcome> {
  const mtom = iti41Mtom(spec);
  const reply = await httpPost(
    spec.repositoryUrl,
    { 'Content-Type': mtom.contentType, 'MIME-Version': '1.0' },
    mtom.body,
    timeoutMs,
    cancel,
    tls,
  );
  if (!reply.ok) return { outcome: 'error', code: reply.code, message: reply.message };
  if (reply.body.length === 0)
    return { outcome: 'error', code: `HTTP-${reply.status}`, message: `the DMP answered HTTP ${reply.status} with an empty body` };
  return parseRegistryResponse(reply.body, reply.status);
}

export async function queryIti18(
  registryUrl: string,
  patientCx: string,
  timeoutMs: number,
  cancel?: AbortSignal,
  tls?: ClientTls,
): Promise<QueryOutcome> {
  const payload = Buffer.from(iti18Envelope(registryUrl, patientCx), 'utf8');
  const reply = await httpPost(
    registryUrl,
    { 'Content-Type': `application/soap+xml; charset=utf-8; action="${ACTION_ITI18}"` },
    payload,
    timeoutMs,
    cancel,
    tls,
  );
  if (!reply.ok) return { outcome: 'error', code: reply.code, message: reply.message };
  return parseQueryResponse(reply.body, reply.status);
}
