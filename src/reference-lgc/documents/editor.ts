/** The editor: a new document (SEND-03: every new document starts as "send"), « Ne pas envoyer », masking. */
import { TYPE_META, newOid, type DocumentContent, type DocumentType } from '../cda';
import type { Masking } from '../dmp-client';
import { Unprocessable } from '../errors';
import type { Patient, TenantState, Workstation } from '../tenant';
import {
  documentView,
  MEDECIN_TRAITANT_REQUIRED,
  requireDraft,
  SEND_LABEL,
  type ActionResult,
  type Click,
  type DocumentRecord,
} from './record';

export function createDocuments(
  tenant: TenantState,
  patient: Patient,
  ws: Workstation,
  type: DocumentType,
  content: DocumentContent,
): DocumentRecord[] {
  if (type === 'vsm' && !content.medecinTraitant && tenant.defects.has('vsm-requires-medecin-traitant')) {
    throw new Unprocessable('medecin-traitant-required', MEDECIN_TRAITANT_REQUIRED);
  }
  const split = type === 'vaccination-note' && !tenant.defects.has('two-vaccinations-one-note');
  const contents = split ? content.vaccinations.map((v) => ({ ...content, vaccinations: [v] })) : [content];
  const byUser = tenant.defects.has('type-code-chosen-by-user');
  return contents.map((c) => {
    let checked = true; // OPP-01 / SEND-03: opt-out, every new document starts as "send"
    if (tenant.defects.has('send-box-unchecked')) checked = false;
    else if (tenant.defects.has('send-choice-remembered') && tenant.lastSendChoice !== undefined) checked = tenant.lastSendChoice;
    else if (tenant.defects.has('send-choice-remembered-per-type')) checked = tenant.lastSendChoiceByType.get(type) ?? true;
    const doc: DocumentRecord = {
      id: tenant.newDocumentId(),
      patientId: patient.id,
      type,
      content: c,
      typeCode: byUser ? null : TYPE_META[type].typeCode.code,
      typeCodeSetBy: byUser ? null : 'automatic',
      status: 'draft',
      sendToDmp: { checked, label: SEND_LABEL },
      maskedFrom: [],
      dmp: { status: 'not-sent', attempts: 0 },
      uniqueId: newOid(),
      setId: newOid(),
      author: tenant.workstation(ws),
      createdAt: new Date(),
    };
    tenant.documents.set(doc.id, doc);
    return doc;
  });
}

export function doNotSend(tenant: TenantState, doc: DocumentRecord): ActionResult {
  requireDraft(doc);
  doc.sendToDmp.checked = false;
  const clicks: Click[] = [{ purpose: 'do-not-send', label: 'Ne pas envoyer au DMP' }];
  if (tenant.defects.has('do-not-send-two-clicks')) clicks.push({ purpose: 'confirm', label: 'Êtes-vous sûr ?' });
  return { clicks, screenChanges: 0, document: documentView(doc) };
}

export function setMasking(doc: DocumentRecord, maskedFrom: Masking[]): ActionResult {
  requireDraft(doc);
  doc.maskedFrom = maskedFrom;
  return { clicks: [{ purpose: 'masking', label: 'Masquer le document' }], screenChanges: 0, document: documentView(doc) };
}
