/**
 * Regenerates the pictures of docs/attended.md: the attended console at a laptop's size (1366×768)
 * on a real attended run of the embedded reference, played by the robot of Vigie's tests: the
 * set-up task, an instruction, the questions after a gesture, and the printable patient sheet.
 *
 *   TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register scripts/attended-screenshots.ts
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/config/load';
import { closeBrowser, launchBrowser } from '../src/drivers/ui/browser';
import { playPerson } from '../test/support/attended-person';

async function main(): Promise<void> {
  const out = join(PROJECT_ROOT, 'docs', 'img');
  mkdirSync(out, { recursive: true });
  const run = spawn(
    process.execPath,
    [join(PROJECT_ROOT, 'bin', 'vigie'), 'run', '--driver', 'attended', '--tags', '@QUAL-02', '--reports', '/tmp/vigie-attended-shots'],
    {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    run.stdout.on('data', (chunk: Buffer) => {
      const found = /open (http:\/\/127\.0\.0\.1:\d+\/) in your browser/.exec(chunk.toString('utf8'));
      if (found) resolve(found[1]);
    });
    run.on('exit', (code) => reject(new Error(`vigie run ended (${code}) before its console started`)));
  });
  const browser = await launchBrowser(30_000);
  const exited = new Promise((resolve) => run.on('exit', resolve));
  try {
    // The person is played by the robot of Vigie's tests (on the reference's web UI); the console is
    // photographed at a laptop's size when each kind of task first appears.
    const shots: Record<string, string> = {
      configure: 'attended-setup.png',
      openPatientFile: 'attended-instruction.png',
      qualify: 'attended-question.png',
    };
    const setup = await browser.newPage();
    await setup.goto(url);
    const lgcUrl = (await setup.locator('#task td[data-label^="Le logiciel"]').textContent({ timeout: 20_000 })) ?? '';
    await setup.close();
    await playPerson({
      browser,
      consoleUrl: url,
      lgcUrl: new URL(lgcUrl).origin,
      ended: exited,
      onTask: async (page, op) => {
        if (!shots[op]) return;
        await page.setViewportSize({ width: 1366, height: 768 });
        if (op === 'qualify') {
          // The questions that follow the gesture: shown once the person says it is under way.
          await page.click('#start');
          await page.fill('[data-field="clicks"]', '1');
        }
        await page.screenshot({ path: join(out, shots[op]) });
        delete shots[op];
        if (op === 'configure') {
          const sheet = await browser.newPage({ viewport: { width: 1366, height: 768 } });
          await sheet.goto(`${url}sheet`);
          await sheet.screenshot({ path: join(out, 'attended-sheet.png') });
          await sheet.close();
        }
      },
    });
  } finally {
    await closeBrowser();
    await exited;
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
