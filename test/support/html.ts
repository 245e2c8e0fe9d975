/** Reading the reference LGC's server-rendered HTML in tests: its opening tags and entities. */
import assert from 'node:assert/strict';

/** The opening tag carrying data-testid. */
export function tag(html: string, testid: string): string {
  const i = html.indexOf(`data-testid="${testid}"`);
  assert.ok(i >= 0, `no data-testid ${testid}`);
  return html.slice(html.lastIndexOf('<', i), html.indexOf('>', i) + 1);
}

/** The five entities the reference's HTML escaping writes, back to text. */
export const decode = (s: string): string =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
