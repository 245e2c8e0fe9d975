/**
 * The patient's secure-messaging screen (GET /ui/patients/<id>/messages) and its two actions:
 * « Nouveau message » (POST /ui/patients/<id>/messages) and « Clôturer l'échange » (POST
 * /ui/patients/<id>/messages/end). Each form is only read here and handed to the same domain
 * functions as the test-driver API (`parseOutgoing` + `sendSecureMessage`, as POST
 * /testdriver/messages; `endExchange`, as POST /testdriver/patients/<id>/messages/end), with the
 * workstation of the request: what is accepted or refused is decided there.
 */
import { userMessage } from '../errors';
import { endExchange, parseOutgoing, patientThread, sendSecureMessage, type ThreadView } from '../messaging';
import type { Patient, Workstation } from '../tenant';
import type { CallContext } from '../triggers';
import { esc, flash, tid, type Nav } from './html';
import { flashQuery } from './http';
import { DOCUMENT_STATUS, messagesBody, TYPE_LABELS, type Flash } from './pages';
import type { Req } from './request';

/** The messaging screen of the patient, with the tenant and workstation (then `suffix`). */
const screenPath = (nav: Nav, patient: Patient, suffix = ''): string =>
  `/ui/patients/${encodeURIComponent(patient.id)}/messages${suffix}${nav.q}`;

/** The flash of an action, the thread (the mailbox is read first), then « Nouveau message » and « Clôturer l'échange ». */
export async function messagesScreen(ctx: CallContext, request: Req, patient: Patient, notice: Flash): Promise<string> {
  const { nav } = request;
  const shown = flash(notice.text, notice.kind ?? 'ok');
  let th: ThreadView;
  try {
    th = await patientThread(ctx, request.t, patient);
  } catch (e) {
    const msg = userMessage(e);
    if (!msg) throw e;
    return shown + messagesBody(nav, patient, undefined, msg);
  }
  return `${shown}${messagesBody(nav, patient, th)}
${newMessageSection(request, patient)}
<section><h2>Fin des échanges</h2>
<form method="post" action="${esc(screenPath(nav, patient, '/end'))}" ${tid('end-exchange-form')}>
<button type="submit" ${tid('end-exchange')}>Clôturer l'échange</button>
</form></section>`;
}

/** « Nouveau message »: the recipient (the patient's Mon espace santé mailbox, or an address typed), subject, text, attachments, read receipt. */
function newMessageSection(request: Req, patient: Patient): string {
  const { nav, t } = request;
  const docs = [...t.documents.values()].filter((d) => d.patientId === patient.id);
  const attachments = docs.length
    ? docs
        .map(
          (d) =>
            `<label><input type="checkbox" name="attachment" value="${esc(d.id)}" ${tid('message-attachment')}> ${esc(d.content.title ?? TYPE_LABELS[d.type])} ` +
            `<span class="muted">(${esc(DOCUMENT_STATUS[d.status] ?? d.status)})</span></label>`,
        )
        .join('\n')
    : '<p class="muted">Aucun document.</p>';
  return `<section><h2>Nouveau message</h2>
<form method="post" action="${esc(screenPath(nav, patient))}" ${tid('message-form')}>
<fieldset><legend>Destinataire</legend>
<label><input type="radio" name="to" value="patient" checked ${tid('message-to-patient')}> le patient (sa messagerie Mon espace santé)</label>
<label><input type="radio" name="to" value="address" ${tid('message-to-address')}> une autre adresse</label>
<label>Adresse <input name="address" size="40" autocomplete="off" ${tid('message-address')}></label>
</fieldset>
<label>Objet <input name="subject" size="60" ${tid('message-subject')}></label>
<label>Texte<br><textarea name="body" rows="6" cols="70" ${tid('message-body')}></textarea></label>
<fieldset><legend>Pièces jointes</legend>
${attachments}
</fieldset>
<label><input type="checkbox" name="readReceipt" value="1" ${tid('message-read-receipt')}> Demander un accusé de lecture</label>
<button type="submit" ${tid('message-submit')}>Envoyer</button>
</form></section>`;
}

/** The messaging screen with the refusal of a domain function as the error flash (an unexpected error is thrown). */
function refused(error: unknown, back: string): string {
  const msg = userMessage(error);
  if (!msg) throw error;
  return back + flashQuery({ text: msg, kind: 'error' });
}

/**
 * POST /ui/patients/<id>/messages: the form read as the API's body (`to` = { patientId } or
 * { address }, the ticked documents as attachments), sent by sendSecureMessage; back to the screen
 * with « Message envoyé à <address> », or the refusal as the error flash.
 */
export async function sendMessageFromForm(ctx: CallContext, request: Req, patient: Patient, ws: Workstation): Promise<string> {
  const { form, nav, t } = request;
  const back = screenPath(nav, patient);
  try {
    const outgoing = parseOutgoing({
      to: form.get('to') === 'address' ? { address: form.get('address') ?? '' } : { patientId: patient.id },
      subject: form.get('subject') ?? '',
      body: form.get('body') ?? '',
      attachments: form.getAll('attachment').map((documentId) => ({ documentId })),
      readReceipt: form.has('readReceipt'),
    });
    const sent = await sendSecureMessage(ctx, t, ws, outgoing);
    return back + flashQuery({ text: `Message envoyé à ${sent.address}` });
  } catch (e) {
    return refused(e, back);
  }
}

/** POST /ui/patients/<id>/messages/end: endExchange (the [FIN] message); back to the screen with its answer. */
export async function endExchangeFromForm(ctx: CallContext, request: Req, patient: Patient, ws: Workstation): Promise<string> {
  const back = screenPath(request.nav, patient);
  try {
    await endExchange(ctx, request.t, ws, patient);
    return back + flashQuery({ text: 'Échange clôturé : message de fin envoyé au patient' });
  } catch (e) {
    return refused(e, back);
  }
}
