/**
 * Regenerates docs/img/ (the pictures of docs/reports.md) from two reports folders that `vigie run`
 * and `vigie report` wrote: a conformant run and a not-conformant one.
 *
 *   node bin/vigie run --self-check --reports /tmp/rep-ok
 *   node bin/vigie run --defect opp-out-sent-late --reports /tmp/rep-nc && node bin/vigie report --reports /tmp/rep-nc
 *   TS_NODE_TRANSPILE_ONLY=true node -r ts-node/register scripts/doc-screenshots.ts /tmp/rep-ok /tmp/rep-nc
 *
 * Allure's HTML report loads its data with XHR, so it is served over HTTP (a local static server).
 */
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../src/config/load';
import { closeBrowser, launchBrowser } from '../src/drivers/ui/browser';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json' };

async function main(ok: string, notOk: string): Promise<void> {
  const out = join(PROJECT_ROOT, 'docs', 'img');
  mkdirSync(out, { recursive: true });
  const allure = join(notOk, 'allure-report');
  if (!existsSync(join(allure, 'index.html'))) throw new Error(`${allure}: run vigie report --reports ${notOk} first`);
  const server = createServer((req, res) => {
    const path = normalize(join(allure, decodeURIComponent((req.url ?? '/').split('?')[0]!)));
    const file = path.startsWith(allure) && existsSync(path) && statSync(path).isDirectory() ? join(path, 'index.html') : path;
    if (!file.startsWith(allure) || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await launchBrowser(30_000);
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    for (const [dir, name] of [
      [ok, 'conformance-conformant.png'],
      [notOk, 'conformance-not-conformant.png'],
    ] as const) {
      await page.goto(pathToFileURL(join(dir, 'conformance.html')).href, { waitUntil: 'load' });
      await page.screenshot({ path: join(out, name), clip: { x: 0, y: 0, width: 1000, height: 1100 }, fullPage: true });
    }
    // Allure: the overview (environment widget), the categories, one failed non-conformance opened.
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(base, { waitUntil: 'networkidle' });
    await page.screenshot({ path: join(out, 'allure-overview.png') });
    await page.goto(`${base}#categories`, { waitUntil: 'networkidle' });
    await page.locator('.node__title', { hasText: 'Not conformant' }).first().click();
    // The category opens on its tests: the first leaf is a failed scenario.
    await page.locator('.tree__content .node__title').nth(1).click();
    await page.locator('.node__leaf').first().click();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(out, 'allure-failed.png') });
  } finally {
    await closeBrowser();
    server.close();
  }
  process.stdout.write(`written in ${out}\n`);
}

main(process.argv[2] ?? '/tmp/rep-ok', process.argv[3] ?? '/tmp/rep-nc').catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});
