/**
 * « Exporter le document CDA » (GET /ui/documents/<id>/cda): the document's CDA as a download,
 * the bytes of `documentContent`, the function behind GET /testdriver/documents/{id}/content (the
 * one built at validation, or for a draft generated from what the editor holds). A refusal of the
 * domain comes back to the document screen as `flash-error`, as the editor's actions do.
 */
import type * as http from 'node:http';
import { documentContent, type DocumentRecord } from '../documents';
import { userMessage } from '../errors';
import { flashQuery, redirect } from './http';
import type { Req } from './request';

/** The file name offered: the document's type and id, e.g. `prescription-d1.xml` (ASCII only, safe in the header). */
export const cdaFileName = (doc: DocumentRecord): string => `${doc.type}-${doc.id}`.replace(/[^A-Za-z0-9._-]/g, '_') + '.xml';

export function exportCda(res: http.ServerResponse, request: Req, doc: DocumentRecord): void {
  let data: Buffer;
  try {
    data = documentContent(request.t, doc);
  } catch (e) {
    const msg = userMessage(e);
    if (!msg) throw e;
    const screen = `/ui/documents/${encodeURIComponent(doc.id)}${request.nav.q}`;
    return redirect(res, screen + flashQuery({ text: msg, kind: 'error' }), request.setCookie);
  }
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': 'text/xml; charset=utf-8',
    'Content-Disposition': `attachment; filename="${cdaFileName(doc)}"`,
    'Content-Length': data.length,
    'Cache-Control': 'no-store',
  };
  if (request.setCookie) headers['Set-Cookie'] = request.setCookie;
  res.writeHead(200, headers);
  res.end(data);
}
