import { Then } from '@cucumber/cucumber';
import type { InsiExchange } from '../src/doubles/insi';
import { Person } from '../src/fixtures/people';
import { VigieWorld, delay } from './support/world';
import { concerns, describeExchanges } from './support/insi-match';

/** Waits (bounded) for a request of the last trigger that satisfies `pred`. */
async function awaitInsiRequest(w: VigieWorld, pred: (e: InsiExchange) => boolean): Promise<InsiExchange | undefined> {
  const until = performance.now() + w.timeouts.insiWaitMs;
  let hit = w.insiSinceMark().find(pred);
  while (!hit && performance.now() < until) {
    await w.insi.waitForExchanges(w.insi.exchanges().length + 1, Math.max(1, until - performance.now())).catch(() => undefined);
    hit = w.insiSinceMark().find(pred);
  }
  return hit;
}

async function expectLookup(w: VigieWorld, p: Person) {
  w.evidenceKinds.add('observed');
  const hit = await awaitInsiRequest(w, (e) => concerns(e, p));
  if (!hit) w.fail(`an INSi request about ${p.id} (${p.file.birthName} ${p.file.firstName}, ${p.file.birthDate}) within ${w.timeouts.insiWaitMs} ms, with no other user action`, describeExchanges(w.insiSinceMark()));
}

Then(/^the LGC looks up the INS of (\S+ \S+) with INSi, without any other action from the user$/, async function (this: VigieWorld, name: string) {
  await expectLookup(this, this.person(name));
});

Then(/^the LGC looks up the INS of (\S+ \S+) and (\S+ \S+) with INSi$/, async function (this: VigieWorld, a: string, b: string) {
  await expectLookup(this, this.person(a));
  await expectLookup(this, this.person(b));
});

Then(/^the LGC looks up the INS with INSi using the data of (\S+ \S+)'s Carte Vitale$/, async function (this: VigieWorld, name: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  const c = p.vitale;
  const hit = await awaitInsiRequest(this, (e) => concerns(e, p));
  if (!hit) this.fail(`an INSi request about ${p.id} within ${this.timeouts.insiWaitMs} ms of inserting the card`, describeExchanges(this.insiSinceMark()));
  const r = hit.request;
  const ok = hit.operation === 'rechercherInsAvecCarteVitale' && r.matricule === c.matricule && r.birthDate === c.birthDate;
  this.check(ok,
    `rechercherInsAvecCarteVitale with the card's matricule ${c.matricule} and birth date ${c.birthDate}`,
    () => `${hit.operation}(matricule ${r.matricule ?? 'none'}, birth name ${r.birthName ?? 'none'}, birth date ${r.birthDate ?? 'none'})`,
    `INSi exchange #${hit.seq}`);
});

Then(/^the LGC looks up the INS with INSi using the identity traits of (\S+ \S+)'s file$/, async function (this: VigieWorld, name: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  const f = p.file;
  const hit = await awaitInsiRequest(this, (e) => concerns(e, p));
  if (!hit) this.fail(`an INSi request about ${p.id} within ${this.timeouts.insiWaitMs} ms of opening the file`, describeExchanges(this.insiSinceMark()));
  const r = hit.request;
  const seen = { op: hit.operation, birthName: r.birthName, firstName: r.firstNames?.[0], sex: r.sex, birthDate: r.birthDate, birthPlace: r.birthPlace };
  // The birth place is optional in RECSANSVITALE; when the LGC sends one, it must be the file's.
  const placeOk = seen.birthPlace === undefined || seen.birthPlace === f.birthPlace;
  const ok = seen.op === 'rechercherInsAvecTraitsIdentite' && seen.birthName === f.birthName && seen.firstName === f.firstName
    && seen.sex === f.sex && seen.birthDate === f.birthDate && placeOk;
  this.check(ok,
    `rechercherInsAvecTraitsIdentite with the file's birth name "${f.birthName}", first name "${f.firstName}", sex ${f.sex}, birth date ${f.birthDate}${f.birthPlace ? `, birth place ${f.birthPlace} if sent` : ''}`,
    () => `${seen.op}(birth name "${seen.birthName}", first name "${seen.firstName}", sex ${seen.sex}, birth date ${seen.birthDate}, birth place ${seen.birthPlace ?? 'not sent'})`,
    `INSi exchange #${hit.seq}`);
});

Then(/^the LGC does not call INSi for (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  // Absence can only be observed over a window: the bound is the target's quietMs setting.
  await delay(this.timeouts.quietMs);
  this.windowMs += this.timeouts.quietMs;
  const calls = this.insiSinceMark().filter((e) => concerns(e, p));
  this.check(calls.length === 0, `no INSi request about ${p.id} (observed for ${this.timeouts.quietMs} ms)`, () => describeExchanges(calls));
});

Then(/^the LGC answers the user within (\d+) ms while INSi has not answered$/, async function (this: VigieWorld, bound: string) {
  this.evidenceKinds.add('observed');
  const ms = Number(bound);
  const a = this.lastAction;
  if (!a) throw new Error('no action to judge');
  await this.insi.waitForHeld(1, this.timeouts.insiWaitMs).catch(() => undefined);
  this.check(this.insi.heldCount() > 0, 'the LGC has called INSi, which is holding its answer', () => describeExchanges(this.insiSinceMark()));
  if (!a.settled) {
    const waited = Math.round(performance.now() - a.startedAt);
    this.fail(`"${a.label}" answers the user within ${ms} ms while INSi is silent`, `no answer after ${waited} ms: the LGC waits for INSi`);
  }
  this.check((a.ms ?? Infinity) <= ms, `"${a.label}" answers the user within ${ms} ms while INSi is silent`, () => `answered after ${a.ms} ms`);
});

Then(/^the patient file of (\S+ \S+) can be read within (\d+) ms while INSi has not answered$/, async function (this: VigieWorld, name: string, bound: string) {
  this.evidenceKinds.add('observed');
  const p = this.person(name);
  const ms = Number(bound);
  const a = await this.act(`read the patient file of ${p.id}`, () => this.driver.identity(this.patientId(p)));
  if (!a.settled) this.fail(`the patient file answers within ${ms} ms while INSi is silent`, `no answer after ${Math.round(performance.now() - a.startedAt)} ms`);
  this.check((a.ms ?? Infinity) <= ms, `the patient file answers within ${ms} ms while INSi is silent`, () => `answered after ${a.ms} ms`);
  this.check(this.insi.heldCount() > 0, 'INSi still holding its answer while the file was read', () => 'INSi had already answered');
});

Then(/^the patient file of (\S+ \S+) shows the INS recovered from INSi$/, async function (this: VigieWorld, name: string) {
  this.onScreen();
  const p = this.person(name);
  const { ok, view } = await this.identityUntil(p, (v) => v.ins.matricule === p.insi.matricule && v.ins.status !== 'none', this.timeouts.settleMs);
  this.check(ok, `the INS ${p.insi.matricule} recovered from INSi, within ${this.timeouts.settleMs} ms of INSi's answer`, () => JSON.stringify(view.ins));
});

Then(/^the patient file of (\S+ \S+) records that INSi answered "([a-z-]+)"$/, async function (this: VigieWorld, name: string, outcome: string) {
  this.onScreen();
  const p = this.person(name);
  const { ok, view } = await this.identityUntil(p, (v) => v.insi.lastCall?.outcome === outcome, this.timeouts.settleMs);
  this.check(ok, `the identity panel records the INSi outcome "${outcome}" within ${this.timeouts.settleMs} ms`, () => `last call: ${JSON.stringify(view.insi.lastCall ?? null)}`);
});

Then(/^the identity of (\S+ \S+) is not qualified$/, async function (this: VigieWorld, name: string) {
  this.onScreen();
  const p = this.person(name);
  const a = await this.act(`read the patient file of ${p.id}`, () => this.driver.identity(this.patientId(p)));
  if (!a.settled) this.fail('the patient file answers while INSi is silent', `no answer after ${Math.round(performance.now() - a.startedAt)} ms`);
  const v = a.value!;
  this.check(v.ins.status !== 'qualified', `the INS of ${p.id} is not qualified`, () => `status ${v.ins.status}${v.ins.qualifiedBy ? ' by ' + v.ins.qualifiedBy : ''}`);
});
