import {
  After,
  AfterAll,
  AfterStep,
  Before,
  BeforeStep,
  ITestCaseHookParameter,
  ITestStepHookParameter,
  Status,
  setDefaultTimeout,
} from '@cucumber/cucumber';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CdaJvm } from '../../src/cda';
import { PROJECT_ROOT } from '../../src/config/load';
import { TestPki, doubleTls, pkiHosts, testPki } from '../../src/doubles/common/pki';
import type { ClientCertificate } from '../../src/doubles/common/types';
import { DmpDouble } from '../../src/doubles/dmp';
import { EPrescriptionDouble } from '../../src/doubles/eprescription';
import { InsiDouble } from '../../src/doubles/insi';
import { MssDefect, MssDouble } from '../../src/doubles/mss';
import { HttpDriver } from '../../src/drivers/http-driver';
import { UiDriver, UiDriverClass } from '../../src/drivers/ui-driver';
import { AttendedDriver } from '../../src/drivers/attended/driver';
import { suffixOf, variantOf } from '../../src/drivers/attended/people';
import { attendedRun } from '../../src/drivers/attended/run';
import { SelectorMap, loadPageObjects, loadSelectorMap } from '../../src/drivers/ui/selector-map';
import { people } from '../../src/fixtures/people';
import { within } from '../../src/harness/wait';
import { CATALOGUE_TAG, scenarioSide } from '../../src/report/catalogue';
import { VERDICT_MEDIA_TYPE } from '../../src/report/summary';
import { VigieWorld, WORKSTATIONS } from './world';

// Every wait inside a step has its own, smaller bound; this only catches a harness bug. An attended
// run (a person's pace, each task bounded by attended.taskMinutes) sets its own, larger, in its process.
setDefaultTimeout(Number(process.env.VIGIE_STEP_TIMEOUT_MS) || 60_000);

// One set of doubles per cucumber run (per worker when parallel), started on first use.
interface Doubles {
  insi: InsiDouble;
  dmp: DmpDouble;
  eprescription: EPrescriptionDouble;
  mss: MssDouble;
}
let doubles: Doubles | undefined;
let pki: TestPki | undefined;
/** The run's test PKI, kept between runs (build/pki): every worker process speaks with the same CA. */
const PKI_DIR = join(PROJECT_ROOT, 'build', 'pki');
let tenantSeq = 0;
let jvm: CdaJvm | undefined;
let selectorMap: { file: string; map: SelectorMap } | undefined;
let pageObjects: { file: string; driverClass: UiDriverClass } | undefined;

/** The warm JVM that judges CDA documents, shared by the scenarios of a run (started on first use). */
export function cdaJvm(): CdaJvm {
  jvm ??= new CdaJvm();
  return jvm;
}

/** Closes the JVM kept across runs (VIGIE_KEEP_JVM=1, the matrix workers). */
export function closeCdaJvm(): void {
  jvm?.close();
  jvm = undefined;
}

async function startDoubles(world: VigieWorld): Promise<Doubles> {
  if (!doubles) {
    const cfg = world.parameters.doubles;
    const common = { host: cfg.host, advertisedHost: cfg.advertisedHost };
    // The real INSi and DMP want a client certificate; the e-prescription service is HTTPS.
    pki = cfg.tls ? testPki(PKI_DIR, pkiHosts(cfg.host, cfg.advertisedHost)) : undefined;
    const tls = pki
      ? doubleTls(
          pki,
          (cfg.clientCas ?? []).map((f) => readFileSync(f, 'utf8')),
        )
      : undefined;
    const set: Doubles = {
      insi: new InsiDouble({ ...common, tls: tls?.mutual, port: cfg.insiPort, people: people().map((p) => ({ ...p.insi })) }),
      dmp: new DmpDouble({ ...common, tls: tls?.mutual, port: cfg.dmpPort }),
      eprescription: new EPrescriptionDouble({ ...common, tls: tls?.https, port: cfg.ePrescriptionPort }),
      mss: new MssDouble({
        ...common,
        smtpPort: cfg.mssSmtpPort,
        pop3Port: cfg.mssPop3Port,
        ...(tls ? { tlsKey: tls.https.key, tlsCert: tls.https.cert } : {}),
      }),
    };
    // An attended session's own identities (src/drivers/attended/people.ts) are INSi's people too.
    const attended = attendedRun();
    if (attended) set.insi.addPeople(attended.insiPeople());
    const started = await Promise.allSettled([set.insi.start(), set.dmp.start(), set.eprescription.start(), set.mss.start()]);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // The doubles that did start are stopped: a listening server left behind would keep the run alive.
      await Promise.allSettled([set.insi.stop(), set.dmp.stop(), set.eprescription.stop(), set.mss.stop()]);
      throw failed.reason;
    }
    doubles = set;
  }
  return doubles;
}

function makeDriver(world: VigieWorld, api: HttpDriver) {
  const ui = world.parameters.ui;
  if (world.parameters.driver !== 'ui' || !ui) return api;
  if (selectorMap?.file !== ui.selectors) selectorMap = loadSelectorMap(ui.selectors);
  // A fresh browser context per scenario, from the worker's one browser (src/drivers/ui/browser.ts).
  // A target's page objects (ui.pageObjects) subclass UiDriver for a flow the map cannot describe.
  if (ui.pageObjects && pageObjects?.file !== ui.pageObjects) pageObjects = loadPageObjects(ui.pageObjects) as typeof pageObjects;
  const Driver = ui.pageObjects ? pageObjects!.driverClass : UiDriver;
  const timeouts = world.parameters.timeouts;
  return new Driver({
    api,
    map: selectorMap.map,
    uiBaseUrl: ui.baseUrl,
    actionMs: timeouts.actionMs,
    trace: ui.trace,
    traceSnapshots: ui.traceSnapshots,
    findMs: ui.findMs,
  });
}

Before(async function (this: VigieWorld, { pickle }: ITestCaseHookParameter) {
  const tags = pickle.tags.map((t) => t.name);
  this.requirements = tags.map((t) => CATALOGUE_TAG.exec(t)?.[1]).filter((x): x is string => !!x);
  this.tenant = `${this.parameters.runId}-${process.pid.toString(36)}-${++tenantSeq}`;
  const attended = this.parameters.driver === 'attended' ? attendedRun() : undefined;
  if (attended) {
    // One practice for the whole session (the LGC is configured once); each scenario its own people.
    this.tenant = 'attended';
    const number = attended.numberOf(`${relative(PROJECT_ROOT, pickle.uri)}:${pickle.location?.line ?? 0}`);
    this.personOf = (p) => variantOf(p, number || 999);
    this.birthNameAsPlayed = (name) => `${name} ${suffixOf(number || 999)}`;
    Object.assign(attended.shared, { exchanges: [], attachments: [], scenario: `${number ? `n° ${number} — ` : ''}${pickle.name}` });
  }
  const ds = await startDoubles(this);
  const since = new Date().toISOString();
  this.tlsRefusals = () => [
    ...ds.insi.tlsRefusals(since).map((r) => ({ ...r, double: 'INSi' })),
    ...ds.dmp.tlsRefusals(since).map((r) => ({ ...r, double: 'DMP' })),
    ...ds.eprescription.tlsRefusals(since).map((r) => ({ ...r, double: 'e-prescription' })),
  ];
  this.insi = ds.insi.tenant(this.tenant);
  this.insi.reset();
  this.dmp = ds.dmp.tenant(this.tenant);
  this.dmp.reset();
  this.eprescription = ds.eprescription.tenant(this.tenant);
  this.eprescription.reset();
  this.mss = ds.mss.tenant(this.tenant);
  this.mss.reset();
  this.mss.setDefects((this.parameters.serviceDefects ?? []) as MssDefect[]);
  this.mssService = { smtp: ds.mss.smtp, pop3: ds.mss.pop3 };
  const practiceMailbox = this.mss.mailboxFor('cabinet');
  this.mss.registerMailbox(practiceMailbox, { kind: 'professional' });
  const timeouts = this.parameters.timeouts;
  const api = new HttpDriver(this.parameters.baseUrl, timeouts.actionMs);
  this.driver = attended ? new AttendedDriver(attended.shared) : makeDriver(this, api);
  // Attended: the person arranges too (a second driver on the same session, so that a refusal while
  // arranging is a failed set-up, as with the test-driver API).
  this.arrange = attended ? new AttendedDriver(attended.shared) : api;
  if (scenarioSide(tags) === 'service') {
    // The operator's rules judge an MSSanté service (the double, or an external one): no LGC involved.
    if (this.parameters.service) this.mssService = { smtp: this.parameters.service.smtp, pop3: this.parameters.service.pop3 };
    return;
  }
  await this.driver.reset({
    tenant: this.tenant,
    doubles: {
      insi: ds.insi.endpointFor(this.tenant),
      dmp: { repositoryUrl: ds.dmp.repositoryUrlFor(this.tenant), registryUrl: ds.dmp.registryUrlFor(this.tenant) },
      eprescription: ds.eprescription.urlFor(this.tenant),
      mss: { smtp: ds.mss.smtp, pop3: ds.mss.pop3, mailbox: practiceMailbox, password: 'vigie' },
      ...(pki ? { tls: { ca: pki.ca.cert, certificate: pki.client.cert, key: pki.client.key } } : {}),
    },
    workstations: Object.values(WORKSTATIONS),
    insiTimeoutMs: timeouts.insiTimeoutMs,
    ePrescriptionTimeoutMs: timeouts.ePrescriptionTimeoutMs,
    dmpTimeoutMs: timeouts.dmpTimeoutMs,
  });
});

BeforeStep(function (this: VigieWorld, { pickleStep }: ITestStepHookParameter) {
  this.stepText = pickleStep.text;
  if (this.driver instanceof UiDriver) this.driver.step = pickleStep.text;
  if (this.driver instanceof AttendedDriver) this.driver.step = pickleStep.text;
});

// Attended evidence: the screenshots the person attached to their answers, with the step they answered.
AfterStep(function (this: VigieWorld) {
  const attended = this.driver instanceof AttendedDriver ? attendedRun() : undefined;
  if (!attended || this.parameters.evidence === false) return;
  const shots = attended.shared.attachments.splice(0);
  for (const shot of shots) {
    const type = shot.file.endsWith('.png') ? 'image/png' : shot.file.endsWith('.webp') ? 'image/webp' : 'image/jpeg';
    this.attach(readFileSync(join(dirname(attended.journalFile), shot.file)), {
      mediaType: type,
      fileName: `attested screenshot — ${shot.step.slice(0, 80)}${shot.file.slice(shot.file.lastIndexOf('.'))}`,
    });
  }
});

// UI evidence: the screen as it was at each verdict-bearing step (Then), pass or fail.
AfterStep(async function (this: VigieWorld, { pickleStep, result }: ITestStepHookParameter) {
  if (!(this.driver instanceof UiDriver)) return;
  if (pickleStep.type !== 'Outcome' && result.status !== Status.FAILED) return;
  const shot = await this.driver.screenshot();
  if (shot) this.attach(shot, { mediaType: 'image/jpeg', fileName: `screenshot — ${pickleStep.text.slice(0, 80)}.jpg` });
});

/** Who the exchange came from, when it came over mutual TLS (the client certificate is evidence too). */
const tlsClient = (c?: ClientCertificate) =>
  c ? `, over mutual TLS, client certificate « ${c.subject} » (serial ${c.serial}, issuer « ${c.issuer} »)` : '';

const named = (w: VigieWorld, body: string | Buffer, mediaType: string, fileName: string) =>
  typeof body === 'string' ? w.attach(body, { mediaType, fileName }) : w.attach(body, { mediaType, fileName });

After(async function (this: VigieWorld, { pickle, result }: ITestCaseHookParameter) {
  if (!this.insi || !this.driver) return;
  // Unblock anything still waiting on a held answer, then give the LGC a bounded moment to finish.
  this.insi.release({ drop: true });
  this.dmp.release({ drop: true });
  this.eprescription.release({ drop: true });
  await within(Promise.allSettled(this.pending.map((p) => p.promise)), 2000);
  const targetMs = this.driver.exchanges().reduce((sum, x) => sum + (x.ms ?? 0), 0);
  this.attach(
    JSON.stringify({
      pickle: pickle.id,
      checks: this.checks,
      tenant: this.tenant,
      requirements: this.requirements,
      targetMs,
      windowMs: this.windowMs,
      cdaDocuments: this.cdaDocuments,
    }),
    VERDICT_MEDIA_TYPE,
  );
  // A run that writes no report (the defect matrix) keeps only the verdict: the evidence would cost CPU for nothing.
  if (this.parameters.evidence === false) {
    await closeDriver(this, result);
    return;
  }
  for (const ex of this.insi.exchanges()) {
    const head =
      `INSi exchange #${ex.seq} (${ex.operation ?? 'unknown operation'}) received ${ex.receivedAt}, outcome ${ex.outcome}` +
      (ex.durationMs != null ? `, answered after ${Math.round(ex.durationMs)} ms` : '') +
      tlsClient(ex.clientCertificate);
    named(
      this,
      `<!-- ${head} -->\n<!-- request (${ex.request.contentType}) -->\n${ex.request.raw}\n<!-- response ${ex.response ? 'HTTP ' + ex.response.status : '(none)'} -->\n${ex.response?.raw ?? ''}`,
      'text/xml',
      `INSi exchange #${ex.seq}.xml`,
    );
  }
  for (const sub of this.dmp.submissions()) {
    named(
      this,
      sub.raw,
      sub.contentType.split(';')[0] === 'multipart/related' ? 'multipart/related' : 'application/soap+xml',
      `DMP submission #${sub.seq} (ITI-41 request)`,
    );
    named(
      this,
      `<!-- DMP submission #${sub.seq}: ${sub.outcome}${sub.refusal ? ' ' + sub.refusal.code : ''}${sub.fault ? ' fault: ' + sub.fault : ''}${tlsClient(sub.clientCertificate)} -->\n${sub.response?.raw ?? '(no answer)'}`,
      'text/xml',
      `DMP submission #${sub.seq} (answer).xml`,
    );
    sub.documents.forEach((doc, i) =>
      named(this, doc.content, doc.mimeType ?? 'application/octet-stream', `DMP submission #${sub.seq} document ${i + 1} (CDA).xml`),
    );
  }
  for (const q of this.dmp.queries()) {
    named(
      this,
      `<!-- DMP query #${q.seq}: ${q.outcome}, ${q.returned} document(s) -->\n${q.raw}\n<!-- answer -->\n${q.response?.raw ?? ''}`,
      'text/xml',
      `DMP query #${q.seq} (ITI-18).xml`,
    );
  }
  for (const m of this.mss.messages()) {
    named(this, m.raw, 'message/rfc822', `MSSanté message #${m.seq}.eml`);
    named(
      this,
      JSON.stringify(
        { mss: { seq: m.seq, envelope: m.envelope, generated: m.generated, deliveries: m.deliveries, parseError: m.parseError } },
        null,
        2,
      ),
      'application/json',
      `MSSanté message #${m.seq} (envelope and deliveries).json`,
    );
  }
  for (const ex of this.eprescription.exchanges()) {
    named(
      this,
      JSON.stringify({ eprescription: ex }, null, 2),
      'application/json',
      `e-prescription exchange #${(ex as { seq?: number }).seq ?? '?'}.json`,
    );
  }
  named(this, JSON.stringify(this.driver.exchanges(), null, 2), 'application/json', 'test-driver and UI calls.json');
  if (result?.status === Status.FAILED) {
    this.log(
      `tenant ${this.tenant}: ${this.insi.exchanges().length} INSi exchange(s), ${this.dmp.submissions().length} DMP submission(s), ${this.driver.exchanges().length} driver call(s) attached`,
    );
  }
  await closeDriver(this, result);
});

async function closeDriver(world: VigieWorld, result: ITestCaseHookParameter['result']) {
  if (world.driver instanceof UiDriver) {
    const errors = world.driver.pageErrorsSeen();
    if (errors.length && world.parameters.evidence !== false)
      named(world, JSON.stringify({ pageErrors: errors }, null, 2), 'application/json', 'page errors.json');
    // The Playwright trace (open with `npx playwright show-trace`) is kept for a scenario that did not pass.
    const trace = await world.driver.finish(world.parameters.evidence !== false && result?.status !== Status.PASSED);
    if (trace) named(world, trace, 'application/zip', 'playwright-trace.zip');
  } else {
    await world.driver.close();
  }
}

AfterAll(async function () {
  // A matrix worker runs many suites in one process: its warm JVM outlives each run (closed at the end).
  if (process.env.VIGIE_KEEP_JVM !== '1') {
    jvm?.close();
    jvm = undefined;
  }
  const running = doubles;
  doubles = undefined;
  if (running) await Promise.all([running.insi.stop(), running.dmp.stop(), running.eprescription.stop(), running.mss.stop()]);
});
