/**
 * A corpus of about 250 CDA documents built from the ANS examples of a rule pack: each example as
 * it is, and ten deterministic variants of it (a header element dropped or given a wrong value, an
 * older declared version, a self-presenting wrapping, a BOM and CRLF line ends). It feeds
 * `npm run bench -- --only corpus`, which times Vigie and the ANS-style pipeline on the same files.
 * Every variant is a plain text edit of the example: no parser, so a document the edit cannot apply
 * to is left out rather than made up.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

type Variant = { name: string; edit: (xml: string) => string };

const first = (pattern: RegExp, by: string | ((match: string) => string)) => (xml: string) => xml.replace(pattern, by as string);

/** An ANS self-presenting document: an xsl:stylesheet presenting the ClinicalDocument it holds. */
export function selfPresenting(xml: string): string {
  const inner = xml.replace(/^\uFEFF?\s*<\?xml[^>]*\?>\s*/, '').replace(/<\?xml-stylesheet[^>]*\?>\s*/g, '');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" href="#style"?>\n' +
    '<xsl:stylesheet version="1.0" id="style" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:n1="urn:hl7-org:v3">\n' +
    '  <xsl:template match="/"><html><body><xsl:value-of select="//n1:ClinicalDocument/n1:title"/></body></html></xsl:template>\n' +
    `${inner.trim()}\n</xsl:stylesheet>\n`
  );
}

export const VARIANTS: Variant[] = [
  { name: 'no-title', edit: first(/<title>[\s\S]*?<\/title>/, '') },
  { name: 'other-code', edit: first(/(<code\s[^>]*?code=")([^"]+)"/, (m) => m.replace(/code="([^"]+)"$/, 'code="$1-X"')) },
  { name: 'no-effective-time', edit: first(/<effectiveTime\s[^>]*\/>/, '') },
  { name: 'day-precision-time', edit: first(/(<effectiveTime\s+value=")(\d{8})\d+([^"]*)"/, '$1$2"') },
  { name: 'bad-confidentiality', edit: first(/(<confidentialityCode\s[^>]*?code=")[^"]+"/, '$1Z"') },
  { name: 'bad-language', edit: first(/(<languageCode\s[^>]*?code=")[^"]+"/, '$1xx-XX"') },
  { name: 'no-ans-templateid', edit: first(/<templateId\s+root="1\.2\.250\.1\.213\.1\.1\.1\.(?!1")[\d.]+"[^>]*\/>/, '') },
  {
    name: 'older-version',
    edit: first(/(<templateId\s+root="1\.2\.250\.1\.213\.1\.1\.1\.[\d.]+"\s+extension=")(\d{4})(\.\d{2}")/, (m) =>
      m.replace(/(\d{4})(\.\d{2}")$/, (_, year: string, rest: string) => `${Number(year) - 2}${rest}`),
    ),
  },
  { name: 'self-presenting', edit: selfPresenting },
  {
    name: 'bom-crlf',
    edit: (xml) => '\uFEFF' + xml.replace(/^\uFEFF/, '').replace(/\r?\n/g, '\r\n'),
  },
];

/** Writes the corpus into `out` (emptied first); returns the files written, originals first per example. */
export function buildCorpus(examplesDir: string, out: string): string[] {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  for (const file of readdirSync(examplesDir)
    .filter((f) => f.endsWith('.xml'))
    .sort()) {
    const xml = readFileSync(join(examplesDir, file), 'utf8');
    const stem = basename(file, '.xml');
    const put = (name: string, content: string) => {
      const path = join(out, name);
      writeFileSync(path, content);
      written.push(path);
    };
    put(`${stem}.xml`, xml);
    for (const variant of VARIANTS) {
      const changed = variant.edit(xml);
      if (changed !== xml) put(`${stem}~${variant.name}.xml`, changed);
    }
  }
  return written;
}
