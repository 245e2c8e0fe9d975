import { After, AfterAll, Before, ITestCaseHookParameter, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { InsiDouble } from '../../src/doubles/insi';
import { HttpDriver } from '../../src/drivers/http-driver';
import { people } from '../../src/fixtures/people';
import { VigieWorld } from './world';

// Every wait inside a step has its own, smaller bound; this only catches a harness bug.
setDefaultTimeout(60_000);

const CATALOGUE_ID = /^@((INS|QUAL|OPP|SEND|CDA|MSS)-\d{2})$/;

// One INSi double per cucumber run (per worker when parallel), started on first use.
let insi: InsiDouble | undefined;
let tenantSeq = 0;

async function insiDouble(w: VigieWorld): Promise<InsiDouble> {
  if (!insi) {
    const d = w.parameters.doubles;
    const double = new InsiDouble({
      host: d.host, port: d.insiPort, advertisedHost: d.advertisedHost,
      people: people().map((p) => ({ ...p.insi })),
    });
    await double.start();
    insi = double;
  }
  return insi;
}

Before(async function (this: VigieWorld, { pickle }: ITestCaseHookParameter) {
  this.requirements = pickle.tags.map((t) => CATALOGUE_ID.exec(t.name)?.[1]).filter((x): x is string => !!x);
  // The longest response bound a step of this scenario states ("within 1000 ms"), plus a margin.
  const bounds = pickle.steps.map((s) => Number(/within (\d+) ms/.exec(s.text)?.[1] ?? 0));
  this.holdWindowMs = Math.max(1000, ...bounds) + 500;
  this.tenant = `${this.parameters.runId}-${process.pid.toString(36)}-${++tenantSeq}`;
  const double = await insiDouble(this);
  this.insi = double.tenant(this.tenant);
  this.insi.reset();
  this.driver = new HttpDriver(this.parameters.baseUrl, this.parameters.timeouts.actionMs);
  await this.driver.reset({
    tenant: this.tenant,
    doubles: { insi: double.endpointFor(this.tenant) },
    defects: this.parameters.defects,
    insiTimeoutMs: this.parameters.timeouts.insiTimeoutMs,
  });
});

After(async function (this: VigieWorld, { result }: ITestCaseHookParameter) {
  if (!this.insi || !this.driver) return;
  // Unblock anything still waiting on a held answer, then give the LGC a bounded moment to finish.
  this.insi.release({ drop: true });
  await Promise.race([Promise.allSettled(this.pending.map((p) => p.promise)), new Promise((r) => setTimeout(r, 2000))]);
  const failed = result?.status === Status.FAILED;
  const targetMs = this.driver.exchanges().reduce((t, x) => t + (x.ms ?? 0), 0);
  this.attach(JSON.stringify({ evidence: [...this.evidenceKinds], tenant: this.tenant, requirements: this.requirements, targetMs, windowMs: this.windowMs }), 'application/vnd.vigie.verdict+json');
  for (const ex of this.insi.exchanges()) {
    const head = `INSi exchange #${ex.seq} (${ex.operation ?? 'unknown operation'}) received ${ex.receivedAt}, outcome ${ex.outcome}` +
      (ex.durationMs != null ? `, answered after ${ex.durationMs} ms` : '');
    this.attach(`<!-- ${head} -->\n<!-- request (${ex.request.contentType}) -->\n${ex.request.raw}\n<!-- response ${ex.response ? 'HTTP ' + ex.response.status : '(none)'} -->\n${ex.response?.raw ?? ''}`, 'text/xml');
  }
  this.attach(JSON.stringify(this.driver.exchanges(), null, 2), 'application/json');
  if (failed) this.log(`tenant ${this.tenant}: ${this.insi.exchanges().length} INSi exchange(s), ${this.driver.exchanges().length} test-driver call(s) attached`);
  await this.driver.close();
});

AfterAll(async function () {
  const d = insi;
  insi = undefined;
  if (d) await d.stop();
});
