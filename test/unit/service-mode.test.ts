/**
 * Service mode: Vigie pointed at an MSSanté-like service it does not control (driver "smtp"),
 * here a standalone MSSanté double configured like an operator's test platform. What is
 * observable over SMTP/POP3 is judged; what needs the patient's side cannot be, and says so.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadTarget } from '../../src/config/load';
import { MssDouble } from '../../src/doubles/mss';
import { runSuite } from '../../src/harness/run';
import { tempDir } from '../support/tmp';

const service = new MssDouble();
before(async () => {
  await service.start();
  const tenant = service.tenant('test');
  tenant.registerMailbox('professionnel.test@medecin.mssante.fr', { kind: 'professional' });
  tenant.registerMailbox('pharmacie.test@pharmacie.mssante.fr', { kind: 'pharmacy', organisational: true });
  tenant.setPatientState('184052A00401717', 'créé non activé');
  tenant.setPatientState('278026912304518', 'opposé');
  tenant.setPatientState('160063306311233', 'clôturé');
});
after(async () => {
  await service.stop();
});

test(
  'an external MSSanté-like service: its bounces and answers judged, the patient side reported as not judgeable',
  { timeout: 90_000 },
  async () => {
    const dir = tempDir('vigie-svc-');
    const file = join(dir, 'operator.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'operator',
        driver: 'smtp',
        host: service.smtp.host,
        port: service.smtp.port,
        pop3: service.pop3,
        password: 'vigie',
        mailboxes: { professional: 'professionnel.test@medecin.mssante.fr', pharmacy: 'pharmacie.test@pharmacie.mssante.fr' },
        patients: {
          activé: '285047511208727',
          'créé non activé': '184052A00401717',
          opposé: '278026912304518',
          clôturé: '160063306311233',
        },
      }),
    );
    const run = await runSuite({ loaded: loadTarget(file), reportsDir: join(dir, 'reports'), quiet: true, log: () => undefined });
    const verdicts = Object.fromEntries(Object.entries(run.summary.requirements).map(([k, x]) => [k, x.verdict]));
    assert.equal(run.summary.driver, 'smtp');
    for (const id of ['MSS-02', 'MSS-03', 'MSS-04', 'MSS-09'])
      assert.equal(verdicts[id], 'pass', `${id}: ${JSON.stringify(run.summary.failures)}`);
    // What needs the patient's side (writing, replying, being notified, opening) is not judged, and says why.
    for (const id of ['MSS-06', 'MSS-07', 'MSS-11']) {
      assert.equal(verdicts[id], 'not-judged', `${id} needs the patient's side`);
      assert.ok(
        run.summary.requirements[id]!.reasons?.some((m) => /an external service cannot be judged on it/.test(m)),
        `${id}: ${JSON.stringify(run.summary.requirements[id]!.reasons)}`,
      );
    }
    assert.equal(run.summary.outcome, 'incomplete');
    assert.equal(run.exitCode, 2);
  },
);

test('an external service that does not answer: could not run, quickly', { timeout: 30_000 }, async () => {
  const dir = tempDir('vigie-svc-');
  const file = join(dir, 'gone.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'gone',
      driver: 'smtp',
      host: '127.0.0.1',
      port: 1,
      pop3: { host: '127.0.0.1', port: 1 },
      mailboxes: { professional: 'a@medecin.mssante.fr', pharmacy: 'b@pharmacie.mssante.fr' },
      patients: { activé: '285047511208727', 'créé non activé': '184052A00401717', opposé: '278026912304518', clôturé: '160063306311233' },
      timeouts: { reachMs: 500 },
    }),
  );
  const run = await runSuite({ loaded: loadTarget(file), reportsDir: join(dir, 'reports'), quiet: true, log: () => undefined });
  assert.equal(run.exitCode, 2);
  assert.equal(run.summary.outcome, 'could-not-run');
  assert.match((run.summary.reasons ?? []).join('; '), /did not answer: 127\.0\.0\.1:1: connection refused/);
});
