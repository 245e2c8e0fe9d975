// The reference web UI's routes. Just over 300 lines: one handler per screen action, in the order
// of the screens, each a few lines over the shared business functions.
/**
 * The reference LGC's web UI under /ui/: plain server-rendered HTML screens over the same
 * per-tenant state as the test-driver API, calling the same functions (triggers, identity,
 * documents, messaging) — so the seeded defects show in the UI as they do through the API.
 * Selector map: ./README.md.
 */
import type * as http from 'node:http';
import {
  Conflict,
  consult,
  createDocuments,
  doNotSend,
  parseContent,
  parseDocumentType,
  parseMasking,
  sendToDmp,
  setMasking,
  validate,
  type DocumentRecord,
} from '../documents';
import { userMessage } from '../errors';
import { identityView, qualify } from '../identity';
import type { Patient, TenantState, TenantStore, Workstation } from '../tenant';
import { carteVitale, openFile, startOfDay, type CallContext } from '../triggers';
import { parseCard } from '../validation';
import { formContent } from './form-content';
import { exportCda } from './export-cda';
import { layout } from './html';
import { createPatientFromForm, saveSettingsFromForm, settingsBody } from './forms';
import { errorPage, flashQuery, redirect, sendHtml, sendJson, UiError } from './http';
import { endExchangeFromForm, messagesScreen, sendMessageFromForm } from './message-forms';
import { preferencesDialog, withPreferencesDialog } from './preferences-dialog';
import { readRequest, TENANT_COOKIE, WORKSTATIONS, type Req } from './request';
import {
  documentBody,
  dmpPanel,
  editorPanel,
  identityPanel,
  patientBody,
  patientsBody,
  qualifyScreen,
  type EditorDialog,
  type Flash,
} from './pages';

export const UI_PREFIX = '/ui';
export { TENANT_COOKIE, WORKSTATIONS };
export interface UiDeps {
  store: TenantStore;
  ctx: CallContext;
  bodyLimit: number;
}

export function createUiHandler(deps: UiDeps): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const { store, ctx } = deps;

  function patientOf(tenant: TenantState, id: string): Patient {
    const patient = tenant.patients.get(id);
    if (!patient) throw new UiError(404, `Patient inconnu : ${id}`);
    return patient;
  }
  function documentOf(tenant: TenantState, id: string): DocumentRecord {
    const doc = tenant.documents.get(id);
    if (!doc) throw new UiError(404, `Document inconnu : ${id}`);
    return doc;
  }

  function page(res: http.ServerResponse, request: Req, title: string, body: string, extra = ''): void {
    sendHtml(res, 200, layout({ ...request.nav, extra }, title, body), request.setCookie);
  }

  /** Answer an in-place action: the region as JSON for fetch, else a redirect to the screen. */
  function answer(res: http.ServerResponse, request: Req, region: string, html: string, location: string, notice: Flash): void {
    if (request.json) sendJson(res, 200, { region, html, ...(notice.text ? { flash: notice } : {}) });
    else redirect(res, location + flashQuery(notice), request.setCookie);
  }

  /** The workstation of the UI's `ws` parameter, as the reset described it (card holder and idNat). */
  const ws = (r: Req): Workstation => r.t.workstation(WORKSTATIONS[r.nav.ws]);
  const flashOf = (r: Req): Flash => {
    const text = r.url.searchParams.get('flash') ?? undefined;
    return text ? { text, kind: r.url.searchParams.get('flashKind') === 'error' ? 'error' : 'ok' } : {};
  };

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === UI_PREFIX) {
      redirect(res, `/ui/patients${url.search}`, undefined, 302);
      return;
    }
    const request = await readRequest(req, url, store, deps.bodyLimit);
    const { t, nav } = request;
    const matchPath = (re: RegExp): string[] | null => {
      const found = re.exec(path);
      return found ? found.slice(1).map((s) => decodeURIComponent(s)) : null;
    };
    const isGet = request.method === 'GET' || request.method === 'HEAD';
    const isPost = request.method === 'POST';
    let groups: string[] | null;

    if (path === '/ui/patients' && isGet) {
      return page(res, request, 'Patients', patientsBody(nav, t, flashOf(request)));
    }
    // a new file: the same creation as POST /testdriver/patients, then the file (not an opening: opened=1)
    if (path === '/ui/patients' && isPost) return redirect(res, createPatientFromForm(request), request.setCookie);
    if (path === '/ui/settings' && isGet) return page(res, request, 'Paramètres', settingsBody(request));
    if (path === '/ui/settings' && isPost) return redirect(res, saveSettingsFromForm(request), request.setCookie);
    if (path === '/ui/carte-vitale' && isPost) {
      const form = request.form;
      try {
        const card = parseCard({
          matricule: form.get('matricule') ?? '',
          key: form.get('key') ?? undefined,
          birthName: form.get('birthName') ?? '',
          firstName: form.get('firstName') ?? '',
          birthDate: form.get('birthDate') ?? '',
        });
        const patient = await carteVitale(ctx, t, ws(request), card);
        // the card read was the INSi trigger: the file shown is not "opened" a second time
        return redirect(res, `/ui/patients/${encodeURIComponent(patient.id)}${nav.q}&opened=1`, request.setCookie);
      } catch (e) {
        const msg = userMessage(e);
        if (!msg) throw e;
        return redirect(res, `/ui/patients${nav.q}${flashQuery({ text: msg, kind: 'error' })}`, request.setCookie);
      }
    }
    if (path === '/ui/start-of-day' && isPost) {
      const date = (request.form.get('date') ?? '').trim();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
        return redirect(res, `/ui/patients${nav.q}${flashQuery({ text: 'Date invalide', kind: 'error' })}`, request.setCookie);
      }
      const n = await startOfDay(ctx, t, ws(request), date);
      return redirect(
        res,
        `/ui/patients${nav.q}${flashQuery({ text: `Journée du ${date} démarrée : ${n} patient(s) du jour` })}`,
        request.setCookie,
      );
    }
    if ((groups = matchPath(/^\/ui\/patients\/([^/]+)$/)) && isGet) {
      const patient = patientOf(t, groups[0]);
      // opening the file is the INSi trigger (in the background: the page renders at once)
      if (request.url.searchParams.get('opened') !== '1') await openFile(ctx, t, ws(request), patient);
      return page(
        res,
        request,
        `Dossier de ${patient.file.birthName} ${patient.file.firstName}`,
        patientBody(nav, t, patient, flashOf(request)),
        '&opened=1',
      );
    }
    if ((groups = matchPath(/^\/ui\/api\/patients\/([^/]+)\/identity$/)) && isGet) {
      const patient = patientOf(t, groups[0]);
      return sendJson(res, 200, {
        region: 'identity-panel',
        html: identityPanel(nav, t, patient),
        identity: identityView(patient, t.defects),
      });
    }
    if ((groups = matchPath(/^\/ui\/patients\/([^/]+)\/qualify$/))) {
      const patient = patientOf(t, groups[0]);
      const method =
        (isGet ? request.url.searchParams.get('method') : request.form.get('method')) === 'exception' ? 'exception' : 'document';
      if (isGet) {
        const step = Number(request.url.searchParams.get('step') ?? '1');
        const document = request.url.searchParams.get('document') ?? undefined;
        const extra = `&method=${method}${step >= 2 ? '&step=2' : ''}${document ? `&document=${encodeURIComponent(document)}` : ''}`;
        return page(res, request, "Qualification de l'identité", qualifyScreen(nav, t, patient, method, step, document), extra);
      }
      if (!isPost) throw new UiError(405, 'Méthode non permise');
      const document = request.form.get('document') ?? undefined;
      let notice: Flash;
      if (patient.ins.status === 'qualified') notice = { text: "L'INS de ce patient est déjà qualifiée.", kind: 'error' };
      else if (method === 'document' && !document?.trim()) notice = { text: "Choisissez le justificatif d'identité.", kind: 'error' };
      else {
        const result = qualify(patient, { workstation: ws(request), method, ...(document ? { document } : {}) }, t.defects);
        notice = 'reason' in result ? { text: result.message, kind: 'error' } : { text: `INS qualifiée : ${result.shown.join(' ')}` };
      }
      return answer(
        res,
        request,
        'identity-panel',
        identityPanel(nav, t, patient, notice),
        `/ui/patients/${encodeURIComponent(patient.id)}${nav.q}&opened=1`,
        notice,
      );
    }
    if ((groups = matchPath(/^\/ui\/patients\/([^/]+)\/documents$/)) && isPost) {
      const patient = patientOf(t, groups[0]);
      try {
        const type = parseDocumentType(request.form.get('type'));
        const docs = createDocuments(t, patient, ws(request), type, parseContent(formContent(type, request.form), type));
        return redirect(res, `/ui/documents/${encodeURIComponent(docs[0].id)}${nav.q}`, request.setCookie);
      } catch (e) {
        const msg = userMessage(e);
        if (!msg) throw e;
        return redirect(
          res,
          `/ui/patients/${encodeURIComponent(patient.id)}${nav.q}&opened=1${flashQuery({ text: msg, kind: 'error' })}`,
          request.setCookie,
        );
      }
    }
    if ((groups = matchPath(/^\/ui\/patients\/([^/]+)\/dmp-consult$/)) && isPost) {
      const patient = patientOf(t, groups[0]);
      const nonOpposition = request.form.get('nonOpposition');
      const result = await consult(ctx, t, patient, nonOpposition === 'yes' ? true : nonOpposition === 'no' ? false : undefined);
      if (request.json) return sendJson(res, 200, { region: 'dmp-panel', html: dmpPanel(nav, patient, result), consult: result });
      return page(
        res,
        request,
        `Dossier de ${patient.file.birthName} ${patient.file.firstName}`,
        `${identityPanel(nav, t, patient)}${dmpPanel(nav, patient, result)}`,
      );
    }
    if ((groups = matchPath(/^\/ui\/patients\/([^/]+)\/messages$/)) && isGet) {
      return page(res, request, 'Messagerie sécurisée', await messagesScreen(ctx, request, patientOf(t, groups[0]), flashOf(request)));
    }
    // « Nouveau message » and « Clôturer l'échange »: sendSecureMessage and endExchange, as the API (./message-forms.ts)
    if ((groups = matchPath(/^\/ui\/patients\/([^/]+)\/messages$/)) && isPost) {
      return redirect(res, await sendMessageFromForm(ctx, request, patientOf(t, groups[0]), ws(request)), request.setCookie);
    }
    if ((groups = matchPath(/^\/ui\/patients\/([^/]+)\/messages\/end$/)) && isPost) {
      return redirect(res, await endExchangeFromForm(ctx, request, patientOf(t, groups[0]), ws(request)), request.setCookie);
    }
    if ((groups = matchPath(/^\/ui\/documents\/([^/]+)$/)) && isGet) {
      const doc = documentOf(t, groups[0]);
      const dialog: EditorDialog = request.url.searchParams.get('confirm') === 'do-not-send' ? { confirmDoNotSend: true } : {};
      return page(res, request, 'Document', documentBody(nav, t, doc, flashOf(request), dialog));
    }
    // « Exporter le document CDA »: the bytes of GET /testdriver/documents/{id}/content, as a download (./export-cda.ts)
    if ((groups = matchPath(/^\/ui\/documents\/([^/]+)\/cda$/)) && isGet) return exportCda(res, request, documentOf(t, groups[0]));
    if ((groups = matchPath(/^\/ui\/api\/documents\/([^/]+)$/)) && isGet) {
      const doc = documentOf(t, groups[0]);
      return sendJson(res, 200, { region: 'editor-panel', html: editorPanel(nav, t, doc) });
    }
    if ((groups = matchPath(/^\/ui\/documents\/([^/]+)\/([a-z-]+)$/)) && isPost) {
      const doc = documentOf(t, groups[0]);
      const loc = `/ui/documents/${encodeURIComponent(doc.id)}${nav.q}`;
      let notice: Flash = {};
      let dialog: EditorDialog = {};
      let preferences = ''; // seeded defect masking-dialog-renamed (./preferences-dialog.ts)
      try {
        switch (groups[1]) {
          case 'do-not-send':
            // seeded defect do-not-send-two-clicks: « Êtes-vous sûr ? » first
            if (t.defects.has('do-not-send-two-clicks') && request.form.get('confirmed') !== '1') {
              dialog = { confirmDoNotSend: true };
              if (!request.json) return redirect(res, `${loc}&confirm=do-not-send`, request.setCookie);
              break;
            }
            doNotSend(t, doc);
            notice = { text: 'Le document ne sera pas envoyé au DMP.' };
            break;
          case 'send-box':
            if (doc.status !== 'draft') throw new Conflict('already-validated', 'Ce document est déjà validé.');
            doc.sendToDmp.checked = true; // the user ticks the box again
            break;
          case 'masking':
            setMasking(doc, parseMasking(request.form.getAll('mask')));
            break;
          case 'validate': {
            const typeChosen = request.form.get('typeChosen') === '1';
            if (doc.status === 'draft' && t.defects.has('type-code-chosen-by-user') && !typeChosen) {
              dialog = { chooseType: true };
            } else if (doc.status === 'draft' && t.defects.has('masking-dialog') && request.form.get('maskingDone') !== '1') {
              dialog = { masking: { typeChosen } };
            } else if (doc.status === 'draft' && t.defects.has('masking-dialog-renamed') && request.form.get('preferencesDone') !== '1') {
              preferences = preferencesDialog(nav, doc, typeChosen);
              if (!request.json)
                return page(res, request, 'Document', withPreferencesDialog(documentBody(nav, t, doc, notice, dialog), preferences));
            } else {
              if (request.form.get('maskingDone') === '1' && doc.status === 'draft')
                setMasking(doc, parseMasking(request.form.getAll('mask')));
              await validate(ctx, t, doc, ws(request));
              notice = { text: 'Document validé et imprimé.' };
            }
            if (!request.json && (dialog.chooseType || dialog.masking)) {
              // without script: the dialog is shown on the editor screen
              return page(res, request, 'Document', documentBody(nav, t, doc, notice, dialog));
            }
            break;
          }
          case 'send-to-dmp':
            await sendToDmp(ctx, t, doc);
            break;
          default:
            throw new UiError(404, `Action inconnue : ${groups[1]}`);
        }
      } catch (e) {
        const msg = userMessage(e);
        if (!msg) throw e;
        notice = { text: msg, kind: 'error' };
      }
      if (request.json) {
        const html = withPreferencesDialog(editorPanel(nav, t, doc, notice, dialog), preferences);
        return sendJson(res, 200, { region: 'editor-panel', html, ...(notice.text ? { flash: notice } : {}) });
      }
      return redirect(res, loc + flashQuery(notice), request.setCookie);
    }
    throw new UiError(404, `Page inconnue : ${request.method} ${url.pathname}`);
  }

  return (req, res) => {
    route(req, res).catch((e: unknown) => {
      if (e instanceof UiError) errorPage(res, e.status, e.message);
      else errorPage(res, 500, e instanceof Error ? e.message : String(e));
    });
  };
}

export { formContent };
