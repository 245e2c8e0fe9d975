/**
 * A robot playing the person of an attended session, for Vigie's own tests: it reads each task on
 * the attended console (in a real Chromium), performs the instruction on the reference LGC through
 * its web UI only (the ui driver's screens, plus the UI's own new-patient and settings forms), and
 * answers the questions from what that UI shows — never from the test-driver API, which would repeat
 * the LGC's own word. `lie` lets a test give a wrong answer on purpose.
 */
import type { Browser } from 'playwright';
import { HttpDriver } from '../../src/drivers/http-driver';
import { UiDriver } from '../../src/drivers/ui-driver';
import { loadSelectorMap } from '../../src/drivers/ui/selector-map';
import type { DocumentView, IdentityView, OutgoingMessage, Traits, Workstation } from '../../src/drivers/driver';

export interface PlayedTask {
  id: number;
  op: string;
  kind: string;
  answers: Record<string, string>;
  ms: number;
}

export interface PersonOptions {
  browser: Browser;
  consoleUrl: string;
  /** The reference LGC's base URL (its web UI is under /ui). */
  lgcUrl: string;
  tenant?: string;
  /** A wrong answer on purpose: the answers to give instead, for a task (op, fields). */
  lie?: (op: string, answers: Record<string, string>) => Record<string, string> | undefined;
  /** Stop when this resolves (the run ended). */
  ended: Promise<unknown>;
  /** Attach a screenshot of the LGC's screen to each answered question. */
  screenshots?: boolean;
  /** Called with the console page when a task appears, before the robot acts (docs' pictures, a pause). */
  onTask?: (consolePage: import('playwright').Page, op: string) => Promise<void | 'leave'>;
}

const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

/** The answers, by console field, of what the LGC's identity panel shows. */
function identityAnswers(view: IdentityView): Record<string, string> {
  const answers: Record<string, string> = {
    'ins.status': view.ins.status,
    'ins.matricule': view.ins.matricule ? `${view.ins.matricule}${view.ins.key ?? ''}` : '',
    'ins.qualifiedBy': view.ins.qualifiedBy ?? '',
    'insi.lastCall.outcome': view.insi.lastCall?.outcome ?? 'pending',
    'insi.lastCall.message': view.insi.lastCall?.message ?? '',
    'qualification.offered': view.qualification.offered ? 'yes' : 'no',
    'qualification.documents': (view.qualification.documents ?? []).join('\n'),
    'qualification.exceptionProcedure.offered': view.qualification.exceptionProcedure?.offered ? 'yes' : 'no',
    'qualification.exceptionProcedure.attestation': view.qualification.exceptionProcedure?.attestation ?? '',
    'comparison.differs': (view.qualification.comparison ?? [])
      .filter((r) => r.differs)
      .map((r) => r.trait)
      .join(','),
  };
  for (const row of view.qualification.comparison ?? []) {
    answers[`comparison.${row.trait}.file`] = row.file;
    answers[`comparison.${row.trait}.insi`] = row.insi;
  }
  return answers;
}

function documentAnswers(view: DocumentView): Record<string, string> {
  return {
    'sendToDmp.checked': view.sendToDmp.checked ? 'yes' : 'no',
    'dmp.status': view.dmp.status,
    'dmp.message': view.dmp.message ?? '',
    typeCode: view.typeCode ?? '',
    typeCodeSetBy: view.typeCodeSetBy ?? 'automatic',
    status: view.status ?? 'draft',
    'printed.datamatrix': view.printed?.datamatrix ? 'yes' : 'no',
  };
}

export async function playPerson(options: PersonOptions): Promise<PlayedTask[]> {
  const tenant = options.tenant ?? 'attended';
  const { map } = loadSelectorMap('config/ui/reference.json');
  const ui = new UiDriver({ api: new HttpDriver(options.lgcUrl), map, uiBaseUrl: options.lgcUrl, actionMs: 15_000, trace: false });
  // The practice the person works in (Vigie configured the embedded reference for this tenant).
  Object.assign(ui, { tenant });
  const consolePage = await options.browser.newPage();
  const lgc = await options.browser.newPage();
  await consolePage.goto(options.consoleUrl);
  const patients = new Map<string, string>();
  const documents = new Map<string, string>();
  const played: PlayedTask[] = [];
  let lastActionMs = 0;
  const ended = options.ended.then(() => 'ended' as const);
  let last = 0;
  const patient = (handle: unknown) => {
    const id = patients.get(String(handle));
    if (!id) throw new Error(`the robot never made the file « ${String(handle)} »`);
    return id;
  };
  for (;;) {
    // The next task, or the end of the run (the task wait has no bound of its own: the run's end is it).
    const next = consolePage
      .waitForFunction((after) => Number(document.querySelector('#task')?.getAttribute('data-task-id') ?? 0) > after, last, { timeout: 0 })
      .then(() => 'task' as const);
    next.catch(() => undefined);
    if ((await Promise.race([next, ended])) === 'ended') break;
    const task = await consolePage.$eval('#task', (el) => ({
      id: Number(el.getAttribute('data-task-id')),
      op: el.getAttribute('data-op') ?? '',
      kind: el.getAttribute('data-kind') ?? '',
      args: JSON.parse((el as HTMLElement).dataset.args ?? 'null') as Record<string, unknown>,
      fields: Array.from(new Set(Array.from(el.querySelectorAll('[data-field]')).map((f) => f.getAttribute('data-field') ?? ''))),
      label: el.textContent ?? '',
    }));
    last = task.id;
    // 'leave': the person walks away from this task (e.g. after pausing the session).
    if ((await options.onTask?.(consolePage, task.op)) === 'leave') continue;
    const args = task.args ?? {};
    const ws = args.ws as Workstation;
    let answers: Record<string, string> = {};
    let refusal: string | undefined;
    const t0 = performance.now();
    const start = async () => {
      if (await consolePage.$('#start')) await consolePage.click('#start');
    };
    switch (task.op) {
      case 'configure':
        break;
      case 'createPatient': {
        const file = args.file as Traits;
        await lgc.goto(`${options.lgcUrl}/ui/patients?tenant=${tenant}&ws=ps`);
        const form = (name: string) => `[data-testid="new-patient-${name}"]`;
        for (const key of ['birthName', 'usedName', 'firstName', 'firstNames', 'birthPlace'] as const)
          if (file[key]) await lgc.fill(form(key), file[key]!);
        await lgc.selectOption(form('sex'), file.sex);
        await lgc.fill(form('birthDate'), file.birthDate);
        if (((args.appointments as string[] | undefined) ?? []).includes(new Date().toISOString().slice(0, 10)))
          await lgc.check(form('appointmentToday'));
        await Promise.all([lgc.waitForURL(/\/ui\/patients\/[^/?]+/), lgc.click(form('submit'))]);
        patients.set(String(args.handle), decodeURIComponent(/\/ui\/patients\/([^/?]+)/.exec(lgc.url())![1]));
        break;
      }
      case 'settings': {
        await lgc.goto(`${options.lgcUrl}/ui/settings?tenant=${tenant}&ws=ps`);
        const wanted = args.settings as Record<string, boolean>;
        for (const [key, on] of Object.entries(wanted)) await lgc.setChecked(`[data-testid="setting-${key}"]`, on);
        await Promise.all([lgc.waitForLoadState(), lgc.click('[data-testid="settings-submit"]')]);
        await lgc.goto(`${options.lgcUrl}/ui/settings?tenant=${tenant}&ws=ps`);
        for (const [key, on] of Object.entries(wanted))
          answers[`applied.${key}`] = (await lgc.isChecked(`[data-testid="setting-${key}"]`)) === on ? 'yes' : 'no';
        break;
      }
      case 'insertCarteVitale': {
        await start();
        const done = await ui.insertCarteVitale(ws, args.card as never);
        patients.set(String(args.handle), done.value.patientId);
        lastActionMs = done.ms;
        break;
      }
      case 'openPatientFile':
        await start();
        lastActionMs = (await ui.openPatientFile(ws, patient(args.patientId))).ms;
        break;
      case 'startOfDay': {
        await start();
        const done = await ui.startOfDay(ws, String(args.date));
        lastActionMs = done.ms;
        answers.patientsOfTheDay = String(done.value.patientsOfTheDay);
        break;
      }
      case 'identity': {
        const read = await ui.identity(patient(args.patientId));
        lastActionMs = read.ms;
        answers = identityAnswers(read.value);
        break;
      }
      case 'qualify': {
        await start();
        const done = await ui.qualify(ws, patient(args.patientId), args.method as never, args.document as string | undefined);
        lastActionMs = done.ms;
        if (!done.value.qualified) refusal = done.value.message || done.value.reason;
        else
          Object.assign(answers, {
            clicks: String(done.value.clicks),
            screenChanges: String(done.value.screenChanges),
            shown: done.value.shown.join('\n'),
          });
        break;
      }
      case 'createDocument': {
        const made = await ui.createDocument(ws, patient(args.patientId), args.type as never, args.content as never);
        made.value.forEach((d, i) =>
          documents.set(made.value.length > 1 ? `${String(args.base)} — ${i + 1}/${made.value.length}` : String(args.base), d.documentId),
        );
        answers = { count: String(made.value.length), 'sendToDmp.checked': made.value.every((d) => d.sendToDmp.checked) ? 'yes' : 'no' };
        break;
      }
      case 'document': {
        const read = await ui.document(documents.get(String(args.documentId)) ?? String(args.documentId));
        answers = documentAnswers(read.value);
        break;
      }
      case 'validate':
      case 'doNotSend':
      case 'mask': {
        await start();
        const id = documents.get(String(args.documentId)) ?? String(args.documentId);
        const done =
          task.op === 'validate'
            ? await ui.validate(ws, id)
            : task.op === 'doNotSend'
              ? await ui.doNotSend(ws, id)
              : await ui.mask(ws, id, (args.maskedFrom as never) ?? []);
        lastActionMs = done.ms;
        answers = { clicks: String(done.value.clicks.length) };
        const printed = done.value.printed ?? done.value.document?.printed;
        if (task.fields.includes('printed.datamatrix')) answers['printed.datamatrix'] = printed?.datamatrix ? 'yes' : 'no';
        if (task.fields.includes('ePrescriptionNumber')) answers.ePrescriptionNumber = printed?.ePrescriptionNumber ?? '';
        break;
      }
      case 'consultDmp': {
        await start();
        const done = await ui.consultDmp(ws, patient(args.patientId), args.nonOpposition as boolean | undefined);
        lastActionMs = done.ms;
        const seen = done.value;
        answers = {
          asked: seen.asked ? 'yes' : 'no',
          question: seen.question ?? '',
          reminder: seen.reminder ?? '',
          consulted: seen.consulted ? 'yes' : 'no',
          documents: String(seen.documents?.length ?? 0),
          error: seen.error ?? '',
        };
        break;
      }
      case 'sendMessage': {
        await start();
        const message = args.message as OutgoingMessage;
        const to = 'patientId' in message.to ? patient(message.to.patientId) : undefined;
        const about = to ?? [...patients.values()][patients.size - 1];
        await lgc.goto(
          `${options.lgcUrl}/ui/patients/${encodeURIComponent(about!)}/messages?tenant=${tenant}&ws=${ws.role === 'PS' ? 'ps' : 'secretariat'}`,
        );
        if (to) await lgc.check('[data-testid="message-to-patient"]');
        else {
          await lgc.check('[data-testid="message-to-address"]');
          await lgc.fill('[data-testid="message-address"]', (message.to as { address: string }).address);
        }
        await lgc.fill('[data-testid="message-subject"]', message.subject);
        await lgc.fill('[data-testid="message-body"]', message.body);
        for (const attachment of message.attachments ?? [])
          await lgc.check(`[data-testid="message-attachment"][value="${documents.get(attachment.documentId) ?? attachment.documentId}"]`);
        if (message.readReceipt) await lgc.check('[data-testid="message-read-receipt"]');
        await Promise.all([lgc.waitForLoadState(), lgc.click('[data-testid="message-submit"]')]);
        const flash = (await lgc.locator('[data-testid="flash"], [data-testid="flash-error"]').first().textContent()) ?? '';
        const sent = /Message envoyé à (\S+)/.exec(flash);
        if (!sent) refusal = flash.trim() || 'no confirmation shown';
        else answers.address = sent[1];
        break;
      }
      case 'endExchange':
        await start();
        await lgc.goto(`${options.lgcUrl}/ui/patients/${encodeURIComponent(patient(args.patientId))}/messages?tenant=${tenant}&ws=ps`);
        await Promise.all([lgc.waitForLoadState(), lgc.click('[data-testid="end-exchange"]')]);
        break;
      case 'patientMessages': {
        const read = await ui.patientMessages(patient(args.patientId));
        const out = read.value.messages.filter((m) => m.direction === 'out');
        const lastOut = out[out.length - 1];
        answers = { status: lastOut?.status ?? 'sent', bounce: lastOut?.bounce?.text ?? '', ended: read.value.ended ? 'yes' : 'no' };
        break;
      }
      case 'documentContent': {
        const id = documents.get(String(args.documentId)) ?? String(args.documentId);
        await lgc.goto(`${options.lgcUrl}/ui/documents/${encodeURIComponent(id)}?tenant=${tenant}&ws=ps`);
        const href = await lgc.getAttribute('[data-testid="export-cda"]', 'href');
        const cda = await (await lgc.request.get(new URL(href ?? '', lgc.url()).toString())).body();
        await consolePage.setInputFiles('[data-field="cda"]', { name: 'document.xml', mimeType: 'text/xml', buffer: cda });
        await consolePage.waitForSelector('[data-field="cda"][data-loaded="1"]', { timeout: 5000 });
        break;
      }
      case 'whileHeld': {
        const bound = Number(/moins de ([\d.]+) s/.exec(task.label)?.[1] ?? '1') * 1000;
        answers = { atOnce: lastActionMs <= bound ? 'yes' : 'no' };
        break;
      }
      default:
        refusal = `the robot cannot do « ${task.op} » through the reference's web UI`;
    }
    answers = options.lie?.(task.op, answers) ?? answers;
    if (refusal) {
      consolePage.once('dialog', (d) => void d.accept(refusal));
      await consolePage.click('#refused');
    } else {
      for (const name of task.fields) {
        const value = answers[name] ?? get(answers, name);
        if (value === undefined) continue;
        const inputs = await consolePage.$$(`[data-field="${name}"]`);
        const type = inputs.length ? await inputs[0].getAttribute('type') : null;
        if (type === 'file') continue;
        if (type === 'radio') await consolePage.check(`[data-field="${name}"][value="${String(value)}"]`);
        else if (type === 'checkbox')
          for (const box of inputs)
            await box.setChecked(
              String(value)
                .split(',')
                .includes((await box.getAttribute('value')) ?? ''),
            );
        else await consolePage.fill(`[data-field="${name}"]`, String(value));
      }
      if (options.screenshots && task.kind === 'question') {
        const shot = await lgc.screenshot({ type: 'png' }).catch(() => undefined);
        if (shot) await consolePage.setInputFiles('#shot-file', { name: 'ecran.png', mimeType: 'image/png', buffer: shot });
        // The file is read asynchronously by the page before the answer is sent.
        await consolePage.waitForFunction(() => /capture/.test(document.querySelector('#shot-count')?.textContent ?? ''), undefined, {
          timeout: 5000,
        });
      }
      await consolePage.click('#done');
    }
    played.push({ id: task.id, op: task.op, kind: task.kind, answers, ms: Math.round(performance.now() - t0) });
  }
  await consolePage.close();
  await lgc.close();
  await ui.close().catch(() => undefined);
  return played;
}
