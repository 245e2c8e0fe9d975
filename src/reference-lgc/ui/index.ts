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
import { patientThread } from '../messaging';
import type { Patient, TenantState, TenantStore, Workstation } from '../tenant';
import { carteVitale, openFile, startOfDay, type CallContext } from '../triggers';
import { parseCard } from '../validation';
import { formContent } from './form-content';
import { layout } from './html';
import { errorPage, redirect, sendHtml, sendJson, UiError } from './http';
import { preferencesDialog, withPreferencesDialog } from './preferences-dialog';
import { readRequest, TENANT_COOKIE, WORKSTATIONS, type Req } from './request';
import {
  documentBody,
  dmpPanel,
  editorPanel,
  identityPanel,
  messagesBody,
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

const flashQuery = (f: Flash): string =>
  f.text ? `&flash=${encodeURIComponent(f.text)}${f.kind === 'error' ? '&flashKind=error' : ''}` : '';

export function createUiHandler(deps: UiDeps): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const { store, ctx } = deps;

  function patientOf(t: TenantState, id: string): Patient {
    const p = t.patients.get(id);
    if (!p) throw new UiError(404, `Patient inconnu : ${id}`);
    return p;
  }
  function documentOf(t: TenantState, id: string): DocumentRecord {
    const d = t.documents.get(id);
    if (!d) throw new UiError(404, `Document inconnu : ${id}`);
    return d;
  }

  function page(res: http.ServerResponse, r: Req, title: string, body: string, extra = ''): void {
    sendHtml(res, 200, layout({ ...r.nav, extra }, title, body), r.setCookie);
  }

  /** Answer an in-place action: the region as JSON for fetch, else a redirect to the screen. */
  function answer(res: http.ServerResponse, r: Req, region: string, html: string, location: string, f: Flash): void {
    if (r.json) sendJson(res, 200, { region, html, ...(f.text ? { flash: f } : {}) });
    else redirect(res, location + flashQuery(f), r.setCookie);
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
    const r = await readRequest(req, url, store, deps.bodyLimit);
    const { t, nav } = r;
    const m = (re: RegExp): string[] | null => {
      const x = re.exec(path);
      return x ? x.slice(1).map((s) => decodeURIComponent(s)) : null;
    };
    const isGet = r.method === 'GET' || r.method === 'HEAD';
    const isPost = r.method === 'POST';
    let x: string[] | null;

    if (path === '/ui/patients' && isGet) {
      return page(res, r, 'Patients', patientsBody(nav, t, flashOf(r)));
    }
    if (path === '/ui/carte-vitale' && isPost) {
      const f = r.form;
      try {
        const card = parseCard({
          matricule: f.get('matricule') ?? '',
          key: f.get('key') ?? undefined,
          birthName: f.get('birthName') ?? '',
          firstName: f.get('firstName') ?? '',
          birthDate: f.get('birthDate') ?? '',
        });
        const p = await carteVitale(ctx, t, ws(r), card);
        // the card read was the INSi trigger: the file shown is not "opened" a second time
        return redirect(res, `/ui/patients/${encodeURIComponent(p.id)}${nav.q}&opened=1`, r.setCookie);
      } catch (e) {
        const msg = userMessage(e);
        if (!msg) throw e;
        return redirect(res, `/ui/patients${nav.q}${flashQuery({ text: msg, kind: 'error' })}`, r.setCookie);
      }
    }
    if (path === '/ui/start-of-day' && isPost) {
      const date = (r.form.get('date') ?? '').trim();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
        return redirect(res, `/ui/patients${nav.q}${flashQuery({ text: 'Date invalide', kind: 'error' })}`, r.setCookie);
      }
      const n = await startOfDay(ctx, t, ws(r), date);
      return redirect(
        res,
        `/ui/patients${nav.q}${flashQuery({ text: `Journée du ${date} démarrée : ${n} patient(s) du jour` })}`,
        r.setCookie,
      );
    }
    if ((x = m(/^\/ui\/patients\/([^/]+)$/)) && isGet) {
      const p = patientOf(t, x[0]);
      // opening the file is the INSi trigger (in the background: the page renders at once)
      if (r.url.searchParams.get('opened') !== '1') await openFile(ctx, t, ws(r), p);
      return page(res, r, `Dossier de ${p.file.birthName} ${p.file.firstName}`, patientBody(nav, t, p, flashOf(r)), '&opened=1');
    }
    if ((x = m(/^\/ui\/api\/patients\/([^/]+)\/identity$/)) && isGet) {
      const p = patientOf(t, x[0]);
      return sendJson(res, 200, { region: 'identity-panel', html: identityPanel(nav, t, p), identity: identityView(p, t.defects) });
    }
    if ((x = m(/^\/ui\/patients\/([^/]+)\/qualify$/))) {
      const p = patientOf(t, x[0]);
      const method = (isGet ? r.url.searchParams.get('method') : r.form.get('method')) === 'exception' ? 'exception' : 'document';
      if (isGet) {
        const step = Number(r.url.searchParams.get('step') ?? '1');
        const document = r.url.searchParams.get('document') ?? undefined;
        const extra = `&method=${method}${step >= 2 ? '&step=2' : ''}${document ? `&document=${encodeURIComponent(document)}` : ''}`;
        return page(res, r, "Qualification de l'identité", qualifyScreen(nav, t, p, method, step, document), extra);
      }
      if (!isPost) throw new UiError(405, 'Méthode non permise');
      const document = r.form.get('document') ?? undefined;
      let f: Flash;
      if (p.ins.status === 'qualified') f = { text: "L'INS de ce patient est déjà qualifiée.", kind: 'error' };
      else if (method === 'document' && !document?.trim()) f = { text: "Choisissez le justificatif d'identité.", kind: 'error' };
      else {
        const result = qualify(p, { workstation: ws(r), method, ...(document ? { document } : {}) }, t.defects);
        f = 'reason' in result ? { text: result.message, kind: 'error' } : { text: `INS qualifiée : ${result.shown.join(' ')}` };
      }
      return answer(res, r, 'identity-panel', identityPanel(nav, t, p, f), `/ui/patients/${encodeURIComponent(p.id)}${nav.q}&opened=1`, f);
    }
    if ((x = m(/^\/ui\/patients\/([^/]+)\/documents$/)) && isPost) {
      const p = patientOf(t, x[0]);
      try {
        const type = parseDocumentType(r.form.get('type'));
        const docs = createDocuments(t, p, ws(r), type, parseContent(formContent(type, r.form), type));
        return redirect(res, `/ui/documents/${encodeURIComponent(docs[0].id)}${nav.q}`, r.setCookie);
      } catch (e) {
        const msg = userMessage(e);
        if (!msg) throw e;
        return redirect(
          res,
          `/ui/patients/${encodeURIComponent(p.id)}${nav.q}&opened=1${flashQuery({ text: msg, kind: 'error' })}`,
          r.setCookie,
        );
      }
    }
    if ((x = m(/^\/ui\/patients\/([^/]+)\/dmp-consult$/)) && isPost) {
      const p = patientOf(t, x[0]);
      const a = r.form.get('nonOpposition');
      const result = await consult(ctx, t, p, a === 'yes' ? true : a === 'no' ? false : undefined);
      if (r.json) return sendJson(res, 200, { region: 'dmp-panel', html: dmpPanel(nav, p, result), consult: result });
      return page(res, r, `Dossier de ${p.file.birthName} ${p.file.firstName}`, `${identityPanel(nav, t, p)}${dmpPanel(nav, p, result)}`);
    }
    if ((x = m(/^\/ui\/patients\/([^/]+)\/messages$/)) && isGet) {
      const p = patientOf(t, x[0]);
      try {
        const th = await patientThread(ctx, t, p);
        return page(res, r, 'Messagerie sécurisée', messagesBody(nav, p, th));
      } catch (e) {
        const msg = userMessage(e);
        if (!msg) throw e;
        return page(res, r, 'Messagerie sécurisée', messagesBody(nav, p, undefined, msg));
      }
    }
    if ((x = m(/^\/ui\/documents\/([^/]+)$/)) && isGet) {
      const d = documentOf(t, x[0]);
      const dialog: EditorDialog = r.url.searchParams.get('confirm') === 'do-not-send' ? { confirmDoNotSend: true } : {};
      return page(res, r, 'Document', documentBody(nav, t, d, flashOf(r), dialog));
    }
    if ((x = m(/^\/ui\/api\/documents\/([^/]+)$/)) && isGet) {
      const d = documentOf(t, x[0]);
      return sendJson(res, 200, { region: 'editor-panel', html: editorPanel(nav, t, d) });
    }
    if ((x = m(/^\/ui\/documents\/([^/]+)\/([a-z-]+)$/)) && isPost) {
      const d = documentOf(t, x[0]);
      const loc = `/ui/documents/${encodeURIComponent(d.id)}${nav.q}`;
      let f: Flash = {};
      let dialog: EditorDialog = {};
      let preferences = ''; // seeded defect masking-dialog-renamed (./preferences-dialog.ts)
      try {
        switch (x[1]) {
          case 'do-not-send':
            // seeded defect do-not-send-two-clicks: « Êtes-vous sûr ? » first
            if (t.defects.has('do-not-send-two-clicks') && r.form.get('confirmed') !== '1') {
              dialog = { confirmDoNotSend: true };
              if (!r.json) return redirect(res, `${loc}&confirm=do-not-send`, r.setCookie);
              break;
            }
            doNotSend(t, d);
            f = { text: 'Le document ne sera pas envoyé au DMP.' };
            break;
          case 'send-box':
            if (d.status !== 'draft') throw new Conflict('already-validated', 'Ce document est déjà validé.');
            d.sendToDmp.checked = true; // the user ticks the box again
            break;
          case 'masking':
            setMasking(d, parseMasking(r.form.getAll('mask')));
            break;
          case 'validate': {
            const typeChosen = r.form.get('typeChosen') === '1';
            if (d.status === 'draft' && t.defects.has('type-code-chosen-by-user') && !typeChosen) {
              dialog = { chooseType: true };
            } else if (d.status === 'draft' && t.defects.has('masking-dialog') && r.form.get('maskingDone') !== '1') {
              dialog = { masking: { typeChosen } };
            } else if (d.status === 'draft' && t.defects.has('masking-dialog-renamed') && r.form.get('preferencesDone') !== '1') {
              preferences = preferencesDialog(nav, d, typeChosen);
              if (!r.json) return page(res, r, 'Document', withPreferencesDialog(documentBody(nav, t, d, f, dialog), preferences));
            } else {
              if (r.form.get('maskingDone') === '1' && d.status === 'draft') setMasking(d, parseMasking(r.form.getAll('mask')));
              await validate(ctx, t, d, ws(r));
              f = { text: 'Document validé et imprimé.' };
            }
            if (!r.json && (dialog.chooseType || dialog.masking)) {
              // without script: the dialog is shown on the editor screen
              return page(res, r, 'Document', documentBody(nav, t, d, f, dialog));
            }
            break;
          }
          case 'send-to-dmp':
            await sendToDmp(ctx, t, d);
            break;
          default:
            throw new UiError(404, `Action inconnue : ${x[1]}`);
        }
      } catch (e) {
        const msg = userMessage(e);
        if (!msg) throw e;
        f = { text: msg, kind: 'error' };
      }
      if (r.json) {
        const html = withPreferencesDialog(editorPanel(nav, t, d, f, dialog), preferences);
        return sendJson(res, 200, { region: 'editor-panel', html, ...(f.text ? { flash: f } : {}) });
      }
      return redirect(res, loc + flashQuery(f), r.setCookie);
    }
    throw new UiError(404, `Page inconnue : ${r.method} ${url.pathname}`);
  }

  return (req, res) => {
    route(req, res).catch((e: unknown) => {
      if (e instanceof UiError) errorPage(res, e.status, e.message);
      else errorPage(res, 500, e instanceof Error ? e.message : String(e));
    });
  };
}

export { formContent };
