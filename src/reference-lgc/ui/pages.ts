// Every screen of the reference web UI, side by side. Over 300 lines so that the selector map
// (./README.md) is checked against one file: a data-role renamed here is renamed for every screen.
/** Server-rendered screens of the reference LGC's web UI (the business state comes from the same functions as the API). */
import { DOCUMENT_TYPES, TYPE_META, type DocumentType } from '../cda';
import { MASKING_CODES, type Masking } from '../dmp-client';
import { documentView, type ConsultResult, type DocumentRecord } from '../documents';
import { identityView } from '../identity';
import type { ThreadView } from '../messaging';
import type { Patient, TenantState } from '../tenant';
import { newPatientSection } from './forms';
import { datamatrix, esc, flash, prompt, tid, type Nav } from './html';

export const TYPE_LABELS: Record<DocumentType, string> = {
  prescription: 'Ordonnance',
  'vaccination-note': 'Note de vaccination',
  vsm: 'Volet de synthèse médicale (VSM)',
  'consultation-report': 'Compte rendu de consultation',
};

export const INS_STATUS: Record<Patient['ins']['status'], string> = {
  none: 'Pas d’INS',
  recovered: 'INS récupérée (non qualifiée)',
  qualified: 'INS qualifiée',
};

export const OUTCOMES: Record<string, string> = {
  pending: 'Appel INSi en cours…',
  found: 'Identité INS trouvée',
  'not-found': 'Aucune identité trouvée',
  several: 'Plusieurs identités trouvées',
  error: 'Erreur du téléservice INSi',
  'no-answer': 'Pas de réponse du téléservice INSi',
};

export const TRIGGERS: Record<string, string> = {
  'carte-vitale': 'lecture de la Carte Vitale',
  'open-file': 'ouverture du dossier',
  'start-of-day': 'démarrage de la journée',
};

export const TRAIT_LABELS: Record<string, string> = {
  birthName: 'Nom de naissance',
  firstName: 'Premier prénom',
  birthDate: 'Date de naissance',
  sex: 'Sexe',
};

/** The words the editor shows for a document's status (the selector map reads them). */
export const DOCUMENT_STATUS: Record<string, string> = { draft: 'brouillon', validated: 'validé' };

/** The words shown for a message's status. */
export const MESSAGE_STATUS: Record<string, string> = { sent: 'envoyé', bounced: 'non distribué', read: 'lu', received: 'reçu' };

export const DMP_STATUS: Record<string, string> = {
  'not-sent': 'Non envoyé',
  pending: 'Envoi au DMP en cours',
  sent: 'Envoyé au DMP',
  refused: 'Refusé par le DMP',
  error: 'Erreur d’envoi au DMP',
};

export interface Flash {
  text?: string;
  kind?: 'ok' | 'error';
}

const flashOf = (f: Flash | undefined): string => flash(f?.text, f?.kind ?? 'ok');
const hidden = (nav: Nav): string =>
  `<input type="hidden" name="tenant" value="${esc(nav.tenant)}"><input type="hidden" name="ws" value="${esc(nav.ws)}">`;
const action = (nav: Nav, path: string): string => esc(path + nav.q);

// ---------------------------------------------------------------------------------------------
// Patient list

export function patientsBody(nav: Nav, tenant: TenantState, notice?: Flash): string {
  const rows = [...tenant.patients.values()]
    .map(
      (p) =>
        `<tr ${tid(`patient-row-${p.id}`)}><td><a href="${action(nav, `/ui/patients/${encodeURIComponent(p.id)}`)}" ${tid(`patient-link-${p.id}`)} data-patient-id="${esc(p.id)}">${esc(p.file.birthName)} ${esc(p.file.firstName)}</a></td>` +
        `<td>${esc(p.file.birthDate)}</td><td>${esc(p.file.sex)}</td><td ${tid(`patient-ins-${p.id}`)} data-status="${p.ins.status}">${esc(INS_STATUS[p.ins.status])}</td></tr>`,
    )
    .join('');
  const today = new Date().toISOString().slice(0, 10);
  return `${flashOf(notice)}
<section ${tid('patient-list')}><h2>Patients</h2>
${rows ? `<table><thead><tr><th>Patient</th><th>Naissance</th><th>Sexe</th><th>INS</th></tr></thead><tbody>${rows}</tbody></table>` : '<p class="muted" data-testid="patient-list-empty">Aucun patient.</p>'}
</section>
${newPatientSection(nav)}
<section><h2>Lire la Carte Vitale</h2>
<form method="post" action="${action(nav, '/ui/carte-vitale')}" ${tid('carte-vitale-form')}>
<label>Matricule (NIR, 13 caractères) <input name="matricule" required pattern="[0-9ABab]{13}" ${tid('cv-matricule')}></label>
<label>Clé <input name="key" size="3" ${tid('cv-key')}></label>
<label>Nom de naissance <input name="birthName" required ${tid('cv-birth-name')}></label>
<label>Prénom <input name="firstName" required ${tid('cv-first-name')}></label>
<label>Date de naissance <input type="date" name="birthDate" required ${tid('cv-birth-date')}></label>
<button type="submit" ${tid('cv-submit')}>Lire la Carte Vitale</button>
</form></section>
<section><h2>Journée</h2>
<form method="post" action="${action(nav, '/ui/start-of-day')}" ${tid('start-of-day-form')}>
<label>Date <input type="date" name="date" value="${today}" required ${tid('start-of-day-date')}></label>
<button type="submit" ${tid('start-of-day')}>Démarrer la journée</button>
</form></section>`;
}

// ---------------------------------------------------------------------------------------------
// Patient file: the identity panel (a region refreshed in place)

export function identityPanel(nav: Nav, tenant: TenantState, patient: Patient, notice?: Flash): string {
  const view = identityView(patient, tenant.defects);
  const base = `/ui/patients/${encodeURIComponent(patient.id)}`;
  const apiUrl = `/ui/api/patients/${encodeURIComponent(patient.id)}/identity${nav.q}`;
  const call = view.insi.lastCall;
  const pending = call?.outcome === 'pending';
  const ins = view.ins;
  const insNumber = ins.matricule ? `${ins.matricule}${ins.key ?? ''}` : '';
  const parts: string[] = [];
  parts.push(flashOf(notice));
  parts.push(
    `<p>Statut INS : <strong ${tid('ins-status')} data-status="${ins.status}">${esc(INS_STATUS[ins.status])}</strong>` +
      (insNumber ? ` — <span ${tid('ins-number')}>${esc(insNumber)}</span>` : '') +
      (ins.qualifiedBy
        ? ` — <span ${tid('ins-qualified-by')}>${esc(ins.qualifiedBy === 'exception' ? "procédure d'exception" : ins.qualifiedBy)}</span>`
        : '') +
      `</p>`,
  );
  parts.push(
    `<p>Dernier appel INSi : <span ${tid('insi-outcome')} data-outcome="${esc(call?.outcome ?? 'none')}">${esc(call ? (OUTCOMES[call.outcome] ?? call.outcome) : 'aucun')}</span>` +
      (call
        ? ` <span class="muted">(<span ${tid('insi-trigger')} data-trigger="${esc(call.trigger)}">${esc(TRIGGERS[call.trigger] ?? call.trigger)}</span>, <span ${tid('insi-at')}>${esc(call.at)}</span>)</span>`
        : '') +
      (call?.code || call?.message
        ? ` <span ${tid('insi-message')}>${esc([call.code, call.message].filter(Boolean).join(' — '))}</span>`
        : '') +
      ` <button type="button" data-refresh="${esc(apiUrl)}" ${tid('insi-refresh')}>Actualiser</button></p>`,
  );
  const qualification = view.qualification;
  if (qualification.comparison.length) {
    const rows = qualification.comparison
      .map(
        (r) =>
          `<tr${r.differs ? ' class="diff"' : ''} ${tid(r.differs ? `trait-${r.trait}-diff` : `trait-${r.trait}`)} data-trait="${r.trait}"><th>${esc(TRAIT_LABELS[r.trait] ?? r.trait)}</th><td>${esc(r.file)}</td><td>${esc(r.insi)}</td></tr>`,
      )
      .join('');
    parts.push(
      `<table ${tid('trait-comparison')}><thead><tr><th>Trait</th><th>Dossier</th><th>INSi</th></tr></thead><tbody>${rows}</tbody></table>` +
        `<p ${tid('concordance')} data-concordant="${String(qualification.concordant)}">${qualification.concordant ? 'Traits concordants' : 'Traits discordants : corrigez les différences signalées'}</p>`,
    );
  }
  if (qualification.offered) {
    const threeClicks = tenant.defects.has('qualify-in-three-clicks');
    const qs: string[] = [`<div ${tid('qualification')}><h3>Qualifier l'identité INS</h3>`];
    if (threeClicks) {
      // seeded defect qualify-in-three-clicks: a separate screen, then a confirmation
      qs.push(
        `<form method="get" action="${esc(`${base}/qualify`)}" ${tid('qualify-document-form')}>${hidden(nav)}<input type="hidden" name="method" value="document">` +
          `<button type="submit" ${tid('qualify-document')}>Qualifier</button></form>`,
      );
    } else {
      const opts = qualification.documents
        .map((d, i) => `<option value="${esc(d)}"${i === 0 ? ' selected' : ''}>${esc(d)}</option>`)
        .join('');
      qs.push(
        `<form method="post" action="${action(nav, `${base}/qualify`)}" data-inplace ${tid('qualify-document-form')}><input type="hidden" name="method" value="document">` +
          `<label>Justificatif d'identité <select name="document" ${tid('qualify-document-select')}>${opts}</select></label>` +
          `<button type="submit" ${tid('qualify-document')}>Qualifier avec ce justificatif</button></form>`,
      );
    }
    if (qualification.exceptionProcedure.offered && qualification.exceptionProcedure.attestation) {
      const attestation = qualification.exceptionProcedure.attestation;
      qs.push(
        threeClicks
          ? `<form method="get" action="${esc(`${base}/qualify`)}" ${tid('qualify-exception-form')}>${hidden(nav)}<input type="hidden" name="method" value="exception">` +
              `<p>Procédure d'exception</p><button type="submit" ${tid('qualify-exception')}>Procédure d'exception</button></form>`
          : `<form method="post" action="${action(nav, `${base}/qualify`)}" data-inplace ${tid('qualify-exception-form')}><input type="hidden" name="method" value="exception">` +
              `<p>Procédure d'exception (professionnel de santé, concordance parfaite) :</p>` +
              `<button type="submit" ${tid('qualify-exception')} data-attestation="${esc(attestation)}">${esc(attestation)}</button></form>`,
      );
    }
    qs.push('</div>');
    parts.push(qs.join(''));
  }
  return `<section id="identity-panel" data-region ${tid('identity-panel')}${pending ? ` data-poll="${esc(apiUrl)}"` : ''}><h2>Identité</h2>
<p>Dossier : <span ${tid('file-traits')}>${esc(view.file.birthName)}${view.file.usedName ? ` (usage ${esc(view.file.usedName)})` : ''} ${esc(view.file.firstName)}, ${esc(view.file.sex)}, né(e) le ${esc(view.file.birthDate)}${view.file.birthPlace ? ` à ${esc(view.file.birthPlace)}` : ''}</span></p>
${parts.join('\n')}</section>`;
}

export function dmpPanel(nav: Nav, patient: Patient, consultation?: ConsultResult): string {
  const base = `/ui/patients/${encodeURIComponent(patient.id)}/dmp-consult`;
  const parts: string[] = [];
  if (consultation?.asked) {
    parts.push(
      `<div class="dialog" ${tid('dmp-consult-ask')}><p ${tid('dmp-consult-question')}>${esc(consultation.question)}</p>${consultation.reminder ? `<p class="muted" ${tid('dmp-consult-reminder')}>${esc(consultation.reminder)}</p>` : ''}` +
        `<form method="post" action="${action(nav, base)}" data-inplace>` +
        `<button type="submit" name="nonOpposition" value="yes" ${tid('dmp-consult-yes')}>Oui</button> ` +
        `<button type="submit" name="nonOpposition" value="no" ${tid('dmp-consult-no')}>Non</button></form></div>`,
    );
  } else {
    parts.push(
      `<form method="post" action="${action(nav, base)}" data-inplace><button type="submit" ${tid('dmp-consult')}>Consulter le DMP</button></form>`,
    );
  }
  if (consultation?.error) parts.push(`<p class="flash error" ${tid('dmp-consult-error')}>${esc(consultation.error)}</p>`);
  if (consultation && !consultation.asked && !consultation.consulted && !consultation.error)
    parts.push(`<p ${tid('dmp-consult-refused')}>Consultation non effectuée (opposition du patient).</p>`);
  if (consultation?.consulted && consultation.documents) {
    parts.push(
      `<ul ${tid('dmp-consult-documents')}>${consultation.documents.map((d) => `<li>${esc(d.title)} <span class="muted">(${esc(d.typeCode)})</span></li>`).join('') || '<li class="muted">Aucun document</li>'}</ul>`,
    );
  }
  return `<section id="dmp-panel" data-region ${tid('dmp-panel')}><h2>DMP / Mon espace santé</h2>${parts.join('')}</section>`;
}

export function patientBody(nav: Nav, tenant: TenantState, patient: Patient, notice?: Flash): string {
  const docs = [...tenant.documents.values()].filter((d) => d.patientId === patient.id);
  const docRows = docs
    .map(
      (d) =>
        `<li ${tid(`document-row-${d.id}`)}><a href="${action(nav, `/ui/documents/${encodeURIComponent(d.id)}`)}" ${tid(`document-link-${d.id}`)}>${esc(d.content.title ?? TYPE_LABELS[d.type])}</a> ` +
        `<span class="muted">${d.status === 'draft' ? 'brouillon' : 'validé'} — ${esc(DMP_STATUS[d.dmp.status])}</span></li>`,
    )
    .join('');
  const typeOpts = DOCUMENT_TYPES.map((ty) => `<option value="${ty}">${esc(TYPE_LABELS[ty])}</option>`).join('');
  return `${identityPanel(nav, tenant, patient, notice)}
<section ${tid('documents')}><h2>Documents</h2>
${docRows ? `<ul ${tid('documents-list')}>${docRows}</ul>` : '<p class="muted">Aucun document.</p>'}
<form method="post" action="${action(nav, `/ui/patients/${encodeURIComponent(patient.id)}/documents`)}" ${tid('new-document-form')}>
<label>Type <select name="type" ${tid('new-document-type')}>${typeOpts}</select></label>
<label>Titre <input name="title" ${tid('new-document-title')}></label>
<label>Contenu <span class="muted">(ordonnance : une ligne « produit ; posologie » par médicament ; vaccination : « vaccin ; date AAAA-MM-JJ ; lot » ; VSM : un problème par ligne)</span><br>
<textarea name="content" rows="5" cols="70" ${tid('new-document-content')}></textarea></label>
<label>Médecin traitant (VSM) <input name="medecinTraitant" ${tid('new-document-medecin')}></label>
<button type="submit" ${tid('new-document')}>Nouveau document</button>
</form></section>
${dmpPanel(nav, patient)}
<section><a href="${action(nav, `/ui/patients/${encodeURIComponent(patient.id)}/messages`)}" ${tid('messages-link')}>Messagerie sécurisée du patient</a></section>`;
}

// ---------------------------------------------------------------------------------------------
// Qualification in three clicks (seeded defect qualify-in-three-clicks): a separate screen

export function qualifyScreen(
  nav: Nav,
  tenant: TenantState,
  patient: Patient,
  method: 'document' | 'exception',
  step: number,
  document?: string,
): string {
  const view = identityView(patient, tenant.defects);
  const base = `/ui/patients/${encodeURIComponent(patient.id)}`;
  const back = `<p><a href="${esc(`${base}${nav.q}&opened=1`)}" ${tid('back-to-patient')}>Retour au dossier</a></p>`;
  const attestation = view.qualification.exceptionProcedure.attestation ?? '';
  if (step < 2) {
    const choose =
      method === 'document'
        ? `<label>Justificatif d'identité <select name="document" required ${tid('qualify-document-select')}><option value="">— choisir —</option>${view.qualification.documents
            .map((d) => `<option value="${esc(d)}">${esc(d)}</option>`)
            .join('')}</select></label>`
        : '';
    return (
      prompt({
        id: 'qualify-step1',
        title: "Qualification de l'identité — étape 1",
        ...(method === 'exception' ? { text: attestation, textTestid: 'attestation' } : {}),
        form: { method: 'get', action: `${base}/qualify`, testid: 'qualify-step1-form' },
        fields: `${hidden(nav)}<input type="hidden" name="method" value="${method}"><input type="hidden" name="step" value="2">${choose}`,
        continueLabel: 'Suivant',
        continueTestid: 'qualify-next',
      }) + back
    );
  }
  return (
    prompt({
      id: 'qualify-step2',
      title: "Qualification de l'identité — confirmation",
      ...(document ? { text: `Justificatif : ${document}` } : { text: attestation, textTestid: 'attestation' }),
      form: { method: 'post', action: `${base}/qualify${nav.q}`, testid: 'qualify-confirm-form' },
      fields: `<input type="hidden" name="method" value="${method}">${document ? `<input type="hidden" name="document" value="${esc(document)}">` : ''}`,
      continueLabel: 'Confirmer la qualification',
      continueTestid: 'qualify-confirm',
    }) + back
  );
}

// ---------------------------------------------------------------------------------------------
// Document editor (a region refreshed in place)

export interface EditorDialog {
  confirmDoNotSend?: boolean;
  chooseType?: boolean;
  masking?: { typeChosen: boolean };
}

function contentSummary(doc: DocumentRecord): string {
  const content = doc.content;
  const items: string[] = [];
  for (const l of content.lines) items.push(`${l.product}${l.dosage ? ` — ${l.dosage}` : ''}`);
  for (const v of content.vaccinations) items.push(`${v.vaccine}${v.date ? ` (${v.date})` : ''}${v.lot ? ` lot ${v.lot}` : ''}`);
  for (const x of content.problems) items.push(x);
  for (const x of content.treatments) items.push(`Traitement : ${x}`);
  for (const x of content.allergies) items.push(`Allergie : ${x}`);
  return `<div ${tid('document-content')}>${content.text ? `<p>${esc(content.text)}</p>` : ''}${items.length ? `<ul>${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>` : ''}${content.medecinTraitant ? `<p>Médecin traitant : ${esc(content.medecinTraitant)}</p>` : ''}</div>`;
}

function maskBoxes(nav: Nav, doc: DocumentRecord, prefix: string, disabled: boolean): string {
  return (Object.keys(MASKING_CODES) as Masking[])
    .map(
      (m) =>
        `<label><input type="checkbox" name="mask" value="${m}"${doc.maskedFrom.includes(m) ? ' checked' : ''}${disabled ? ' disabled' : ''} ${tid(`${prefix}-${m}`)}> ${esc(MASKING_CODES[m].display)}</label>`,
    )
    .join('');
}

export function editorPanel(nav: Nav, tenant: TenantState, doc: DocumentRecord, notice?: Flash, dialog: EditorDialog = {}): string {
  const view = documentView(doc);
  const base = `/ui/documents/${encodeURIComponent(doc.id)}`;
  const apiUrl = `/ui/api/documents/${encodeURIComponent(doc.id)}${nav.q}`;
  const draft = view.status === 'draft';
  const pending = view.dmp.status === 'pending';
  const parts: string[] = [flashOf(notice)];
  parts.push(
    `<p>Type : <span ${tid('document-type')} data-type="${view.type}">${esc(TYPE_LABELS[view.type])}</span>` +
      ` — code <span ${tid('document-type-code')}>${esc(view.typeCode ?? 'non renseigné')}</span>` +
      ` — statut <strong ${tid('document-status')} data-status="${view.status}">${esc(DOCUMENT_STATUS[view.status])}</strong></p>`,
  );
  parts.push(contentSummary(doc));
  parts.push(
    `<p><label><input type="checkbox" ${tid('send-to-dmp')} name="sendToDmp"${view.sendToDmp.checked ? ' checked' : ''}${draft ? '' : ' disabled'}` +
      (draft ? ` data-toggle-on="${action(nav, `${base}/send-box`)}" data-toggle-off="${action(nav, `${base}/do-not-send`)}"` : '') +
      `> <span ${tid('send-to-dmp-label')}>${esc(view.sendToDmp.label)}</span></label></p>`,
  );
  if (draft) {
    if (dialog.confirmDoNotSend) {
      parts.push(
        prompt({
          id: 'do-not-send-dialog',
          text: 'Êtes-vous sûr ?',
          form: { method: 'post', action: `${base}/do-not-send${nav.q}`, inplace: true },
          fields: '<input type="hidden" name="confirmed" value="1">',
          continueLabel: 'Oui, ne pas envoyer',
          continueTestid: 'do-not-send-confirm',
          after: `<button type="button" data-refresh="${esc(apiUrl)}" ${tid('do-not-send-cancel')}>Annuler</button>`,
        }),
      );
    }
    parts.push(
      `<form method="post" action="${action(nav, `${base}/do-not-send`)}" data-inplace ${tid('do-not-send-form')}><button type="submit" ${tid('do-not-send')}>Ne pas envoyer</button></form>`,
    );
    parts.push(
      `<form method="post" action="${action(nav, `${base}/masking`)}" data-inplace data-autosubmit ${tid('masking-form')}><input type="hidden" name="masking" value="1"><p>Masquage :</p>${maskBoxes(nav, doc, 'mask', false)}` +
        `<button type="submit" ${tid('masking-apply')}>Appliquer le masquage</button></form>`,
    );
    if (dialog.chooseType) {
      parts.push(
        prompt({
          id: 'type-choice-dialog',
          text: 'Choisissez le type du document',
          form: { method: 'post', action: `${base}/validate${nav.q}`, inplace: true },
          fields:
            '<input type="hidden" name="typeChosen" value="1">' +
            `<label>Type de document <select name="typeCode" required ${tid('type-choice-select')}><option value="">— choisir —</option>${DOCUMENT_TYPES.map(
              (ty) => `<option value="${esc(TYPE_META[ty].typeCode.code)}">${esc(TYPE_META[ty].typeCode.display)}</option>`,
            ).join('')}</select></label>`,
          continueLabel: 'Valider le type',
          continueTestid: 'type-choice-confirm',
        }),
      );
    } else if (dialog.masking) {
      parts.push(
        prompt({
          id: 'masking-dialog',
          title: 'Préférences de masquage',
          form: { method: 'post', action: `${base}/validate${nav.q}`, inplace: true },
          fields: `<input type="hidden" name="maskingDone" value="1">${dialog.masking.typeChosen ? '<input type="hidden" name="typeChosen" value="1">' : ''}${maskBoxes(nav, doc, 'masking-dialog', false)}`,
          continueLabel: 'OK',
        }),
      );
    } else {
      parts.push(
        `<form method="post" action="${action(nav, `${base}/validate`)}" data-inplace ${tid('validate-form')}><button type="submit" ${tid('validate')}>Valider et imprimer</button></form>`,
      );
    }
  } else {
    parts.push(`<div>${maskBoxes(nav, doc, 'mask', true)}</div>`);
    if (view.printed) {
      // The printed prescription as the user sees it: with the ordonnance numérique 2D code drawn, or without.
      const dm = view.printed.datamatrix
        ? datamatrix(
            String(view.printed.ePrescriptionNumber ?? ''),
            'datamatrix',
            `Ordonnance numérique n° <span ${tid('eprescription-number')}>${esc(view.printed.ePrescriptionNumber)}</span>`,
          )
        : '';
      parts.push(
        `<div ${tid('printed')} data-datamatrix="${view.printed.datamatrix}"><p>Imprimé${view.printed.datamatrix ? '' : ' (sans code 2D)'}</p>${dm}</div>`,
      );
    }
    if (tenant.defects.has('separate-send-button') && view.dmp.status !== 'pending' && view.dmp.status !== 'sent') {
      parts.push(
        `<form method="post" action="${action(nav, `${base}/send-to-dmp`)}" data-inplace><button type="submit" ${tid('send-to-dmp-button')}>Envoyer au DMP</button></form>`,
      );
    }
  }
  parts.push(
    `<p>DMP : <strong ${tid('dmp-status')} data-status="${view.dmp.status}">${esc(DMP_STATUS[view.dmp.status])}</strong>` +
      (view.dmp.message ? ` — <span ${tid('dmp-message')}>${esc(view.dmp.message)}</span>` : '') +
      ` <span class="muted" ${tid('dmp-attempts')} data-attempts="${view.dmp.attempts}">(${view.dmp.attempts} tentative(s))</span>` +
      ` <button type="button" data-refresh="${esc(apiUrl)}" ${tid('dmp-refresh')}>Actualiser</button></p>`,
  );
  return `<section id="editor-panel" data-region ${tid('editor-panel')} data-document="${esc(doc.id)}"${pending ? ` data-poll="${esc(apiUrl)}"` : ''}>${parts.join('\n')}</section>`;
}

export function documentBody(nav: Nav, tenant: TenantState, doc: DocumentRecord, notice?: Flash, dialog: EditorDialog = {}): string {
  const patient = tenant.patients.get(doc.patientId);
  return `<p>Patient : <a href="${esc(`/ui/patients/${encodeURIComponent(doc.patientId)}${nav.q}&opened=1`)}" ${tid('back-to-patient')}>${esc(patient ? `${patient.file.birthName} ${patient.file.firstName}` : doc.patientId)}</a></p>
${editorPanel(nav, tenant, doc, notice, dialog)}
<p><a href="${action(nav, `/ui/documents/${encodeURIComponent(doc.id)}/cda`)}" ${tid('export-cda')}>Exporter le document CDA</a></p>`;
}

// ---------------------------------------------------------------------------------------------
// Secure messages of the patient

export function messagesBody(nav: Nav, patient: Patient, th: ThreadView | undefined, error?: string): string {
  const back = `<p><a href="${esc(`/ui/patients/${encodeURIComponent(patient.id)}${nav.q}&opened=1`)}" ${tid('back-to-patient')}>Retour au dossier</a></p>`;
  if (!th) return `${back}${flash(error ?? 'Messagerie indisponible', 'error')}`;
  const rows = th.messages
    .map(
      (m) =>
        `<li ${tid(`message-${m.messageId}`)} data-status="${m.status}" data-direction="${m.direction}"><span ${tid(`message-${m.messageId}-direction`)}>${m.direction === 'out' ? 'Envoyé' : 'Reçu'}</span> ${esc(m.subject)} ` +
        `<span class="muted">(<span ${tid(`message-${m.messageId}-status`)}>${esc(MESSAGE_STATUS[m.status] ?? m.status)}</span>, ${esc(m.at)})</span>` +
        (m.bounce ? `<div class="flash error" ${tid(`message-${m.messageId}-bounce`)}>${esc(m.bounce.text)}</div>` : '') +
        (m.readAt ? ` <span ${tid(`message-${m.messageId}-read`)}>lu le ${esc(m.readAt)}</span>` : '') +
        `</li>`,
    )
    .join('');
  const unlinked = (th.unlinkedBounces ?? []).map((u) => `<li>${esc(u.subject)} — ${esc(u.text)}</li>`).join('');
  return `${back}${th.mailboxError ? flash(th.mailboxError, 'error') : ''}
<section ${tid('messages')}><h2>Messages</h2>${rows ? `<ul ${tid('messages-list')}>${rows}</ul>` : '<p class="muted">Aucun message.</p>'}
${th.ended ? `<p ${tid('messages-ended')}>Échanges terminés ([FIN]).</p>` : ''}</section>
${unlinked ? `<section ${tid('unlinked-bounces')}><h2>Non-distributions non rattachées</h2><ul>${unlinked}</ul></section>` : ''}`;
}
