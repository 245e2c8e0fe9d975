/** The editor and « Valider et imprimer »: documents of the patient file and what is done to them (SEND-01..12). */
import {
  createDocuments,
  doNotSend,
  documentContent,
  documentView,
  parseContent,
  parseDocumentType,
  parseMasking,
  sendToDmp,
  setMasking,
  validate,
} from '../documents';
import { parseWorkstation } from '../validation';
import { documentOf, ok, patientOf, tenantOf, type Route } from './route';

export const documentRoutes: Route[] = [
  {
    method: 'POST',
    path: '/testdriver/patients/{patientId}/documents',
    handle: (r) => {
      const tenant = tenantOf(r);
      const patient = patientOf(tenant, r.params.patientId);
      const ws = parseWorkstation(r.body.workstation);
      const type = parseDocumentType(r.body.type);
      const docs = createDocuments(tenant, patient, ws, type, parseContent(r.body.content, type));
      return ok({ documents: docs.map(documentView) }, 201);
    },
  },
  {
    method: 'GET',
    path: '/testdriver/documents/{documentId}',
    handle: (r) => ok(documentView(documentOf(tenantOf(r), r.params.documentId))),
  },
  {
    method: 'GET',
    path: '/testdriver/documents/{documentId}/content',
    handle: (r) => {
      const tenant = tenantOf(r);
      const doc = documentOf(tenant, r.params.documentId);
      return { status: 200, body: undefined, raw: { contentType: 'application/xml; charset=utf-8', data: documentContent(tenant, doc) } };
    },
  },
  {
    method: 'POST',
    path: '/testdriver/documents/{documentId}/do-not-send',
    handle: (r) => {
      const tenant = tenantOf(r);
      const doc = documentOf(tenant, r.params.documentId);
      parseWorkstation(r.body.workstation);
      return ok(doNotSend(tenant, doc));
    },
  },
  {
    method: 'POST',
    path: '/testdriver/documents/{documentId}/masking',
    handle: (r) => {
      const doc = documentOf(tenantOf(r), r.params.documentId);
      parseWorkstation(r.body.workstation);
      return ok(setMasking(doc, parseMasking(r.body.maskedFrom)));
    },
  },
  {
    method: 'POST',
    path: '/testdriver/documents/{documentId}/validate',
    handle: async (r) => {
      const tenant = tenantOf(r);
      const doc = documentOf(tenant, r.params.documentId);
      const ws = parseWorkstation(r.body.workstation);
      return ok(await validate(r.app.ctx, tenant, doc, ws));
    },
  },
  {
    method: 'POST',
    path: '/testdriver/documents/{documentId}/send-to-dmp',
    handle: async (r) => {
      const tenant = tenantOf(r);
      const doc = documentOf(tenant, r.params.documentId);
      parseWorkstation(r.body.workstation);
      return ok(await sendToDmp(r.app.ctx, tenant, doc));
    },
  },
];
