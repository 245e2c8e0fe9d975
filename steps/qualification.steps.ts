import { DataTable, Then, When } from '@cucumber/cucumber';
import { QualifyMethod, Workstation } from '../src/drivers/driver';
import { containsSentence, firstDifference, normaliseSentence } from '../src/oracles/sentence';
import { VigieWorld, WORKSTATIONS } from './support/world';

async function qualify(w: VigieWorld, ws: Workstation, method: QualifyMethod, document?: string) {
  const p = w.current();
  const a = await w.act(`qualify the INS of ${p.id}`, () => w.driver.qualify(ws, w.patientId(p), method, document));
  if (!a.settled) w.fail('the qualification answers the user', `no answer after ${Math.round(performance.now() - a.startedAt)} ms`);
  w.lastQualify = a.value;
}

const byWho: Record<string, Workstation> = {
  'the professional': WORKSTATIONS.PS,
  'the secretariat with a nominative CPE': WORKSTATIONS['secretariat-nominative'],
  'the secretariat with an anonymous CPE': WORKSTATIONS['secretariat-anonymous'],
};
const WHO = '(the professional|the secretariat with a nominative CPE|the secretariat with an anonymous CPE)';

When(new RegExp(`^${WHO} qualifies the INS naming the document "([^"]+)"$`), async function (this: VigieWorld, who: string, doc: string) {
  await qualify(this, byWho[who], 'document', doc);
});

When(new RegExp(`^${WHO} qualifies the INS through the exception procedure$`), async function (this: VigieWorld, who: string) {
  await qualify(this, byWho[who], 'exception');
});

Then(/^the LGC proposes to qualify the INS of (\S+ \S+)$/, async function (this: VigieWorld, name: string) {
  this.onScreen();
  const p = this.person(name);
  const v = (await this.driver.identity(this.patientId(p))).value;
  this.check(v.qualification.offered === true, `the identity panel of ${p.id} proposes to qualify the INS INSi returned`,
    () => `qualification.offered = ${JSON.stringify(v.qualification.offered)} (INSi outcome ${v.insi.lastCall?.outcome ?? 'none'}, INS ${v.ins.status})`);
});

Then(/^the INS of (\S+ \S+) is qualified$/, async function (this: VigieWorld, name: string) {
  this.onScreen();
  const p = this.person(name);
  const q = this.lastQualify;
  this.check(!!q && q.qualified, `the LGC qualifies the INS of ${p.id}`, () => (q && !q.qualified ? `refused (${q.status} ${q.reason}): ${q.message}` : 'no qualification'));
  const v = (await this.driver.identity(this.patientId(p))).value;
  this.check(v.ins.status === 'qualified' && v.ins.matricule === p.insi.matricule,
    `the identity panel shows the INS ${p.insi.matricule} as qualified`, () => JSON.stringify(v.ins));
});

Then('qualifying took one click, without changing screen', function (this: VigieWorld) {
  this.onScreen();
  const q = this.lastQualify;
  if (!q || !q.qualified) return this.fail('a successful qualification', 'none');
  this.check(q.clicks === 1 && q.screenChanges === 0, 'one click and no change of screen',
    () => `${q.clicks} click(s) and ${q.screenChanges} change(s) of screen`);
});

Then('the qualification is refused', function (this: VigieWorld) {
  this.onScreen();
  const q = this.lastQualify;
  if (!q) throw new Error('no qualification attempt to judge');
  this.check(!q.qualified, 'the LGC refuses to qualify the INS', () => `qualified (${JSON.stringify(q)})`);
});

Then('the exception procedure offered on the identity panel reads exactly:', async function (this: VigieWorld, sentence: string) {
  this.onScreen();
  const p = this.current();
  const v = (await this.driver.identity(this.patientId(p))).value;
  const seen = v.qualification.exceptionProcedure?.attestation ?? '';
  this.check(v.qualification.exceptionProcedure?.offered === true && containsSentence(seen, sentence),
    `the exception procedure offered, with the sentence « ${normaliseSentence(sentence)} »`,
    () => `offered ${v.qualification.exceptionProcedure?.offered}, text « ${seen} » (${firstDifference(sentence, seen)})`);
});

Then('at the moment of confirmation the LGC showed exactly:', function (this: VigieWorld, sentence: string) {
  this.onScreen();
  const q = this.lastQualify;
  if (!q || !q.qualified) return this.fail('a confirmed exception procedure', q ? `refused: ${q.reason} ${q.message}` : 'none');
  const hit = q.shown.some((s) => containsSentence(s, sentence));
  this.check(hit, `the sentence « ${normaliseSentence(sentence)} » shown whole at confirmation`,
    () => q.shown.length ? q.shown.map((s) => `« ${s} » (${firstDifference(sentence, s)})`).join('; ') : 'nothing shown');
});

Then('the identity documents offered are exactly:', async function (this: VigieWorld, table: DataTable) {
  this.onScreen();
  const p = this.current();
  const expected = table.raw().map((r) => normaliseSentence(r[0]));
  const v = (await this.driver.identity(this.patientId(p))).value;
  const seen = (v.qualification.documents ?? []).map(normaliseSentence);
  const missing = expected.filter((d) => !seen.includes(d));
  const extra = seen.filter((d) => !expected.includes(d));
  this.check(missing.length === 0 && extra.length === 0, `exactly the ${expected.length} documents: ${expected.map((d) => `« ${d} »`).join(', ')}`,
    () => `missing: ${missing.map((d) => `« ${d} »`).join(', ') || 'none'}; not expected: ${extra.map((d) => `« ${d} »`).join(', ') || 'none'}`);
});

const TRAITS: Record<string, 'birthName' | 'firstName' | 'birthDate' | 'sex'> = {
  'birth name': 'birthName', 'first name': 'firstName', 'birth date': 'birthDate', sex: 'sex',
};

Then('the identity panel shows side by side, highlighting every difference:', async function (this: VigieWorld, table: DataTable) {
  this.onScreen();
  const p = this.current();
  const v = (await this.driver.identity(this.patientId(p))).value;
  const rows = v.qualification.comparison ?? [];
  const problems: string[] = [];
  for (const r of table.hashes()) {
    const trait = TRAITS[r.trait];
    if (!trait) throw new Error(`unknown trait "${r.trait}" in the feature`);
    const seen = rows.find((x) => x.trait === trait);
    const want = { file: r.file, insi: r.INSi, differs: r.highlighted === 'yes' };
    if (!seen) { problems.push(`${r.trait}: not shown`); continue; }
    if (seen.file !== want.file || seen.insi !== want.insi) problems.push(`${r.trait}: shows "${seen.file}" / "${seen.insi}" instead of "${want.file}" / "${want.insi}"`);
    if (seen.differs !== want.differs) problems.push(`${r.trait}: ${want.differs ? 'difference not highlighted' : 'highlighted although equal'}`);
  }
  this.check(problems.length === 0, 'the four traits side by side, every difference highlighted and nothing else', () => problems.join('; '));
});
