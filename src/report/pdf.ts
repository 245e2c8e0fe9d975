import { pathToFileURL } from 'node:url';
import { closeBrowser, launchBrowser } from '../drivers/ui/browser';
import { within } from '../harness/wait';

/** Prints an HTML page of the reports folder to PDF (A4) with the Chromium the ui driver uses. */
export async function printPdf(htmlFile: string, pdfFile: string, timeoutMs = 30_000): Promise<void> {
  const browser = await launchBrowser(timeoutMs);
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load', timeout: timeoutMs });
    const printed = await within(page.pdf({ path: pdfFile, format: 'A4', printBackground: false, preferCSSPageSize: true }), timeoutMs);
    if (!printed.settled) throw new Error(`Chromium did not print ${htmlFile} within ${timeoutMs} ms`);
  } finally {
    await closeBrowser();
  }
}

/** A PNG of the page as a screen shows it (docs/reports.md's pictures). */
export async function screenshotPage(htmlFile: string, pngFile: string, width = 900, timeoutMs = 30_000): Promise<void> {
  const browser = await launchBrowser(timeoutMs);
  try {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load', timeout: timeoutMs });
    await page.screenshot({ path: pngFile, fullPage: true, timeout: timeoutMs });
  } finally {
    await closeBrowser();
  }
}
