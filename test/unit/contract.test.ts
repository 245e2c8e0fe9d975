/** The test-driver contract is a real OpenAPI document, and the http driver uses only what it defines. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const doc = parse(readFileSync(join(ROOT, 'docs', 'test-driver.openapi.yaml'), 'utf8'));

test('the contract parses as OpenAPI 3 and every $ref resolves', () => {
  assert.match(doc.openapi, /^3\./);
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/(components\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length > 10);
  for (const r of refs) {
    const path = r.split('/');
    let node: unknown = doc;
    for (const k of path) node = (node as Record<string, unknown>)?.[k];
    assert.ok(node, `unresolved ${r}`);
  }
});

test('every path and method the http driver calls is in the contract', () => {
  const src = readFileSync(join(ROOT, 'src', 'drivers', 'http-driver.ts'), 'utf8');
  const calls = [...src.matchAll(/'(GET|POST)', `?('|`)(\/testdriver\/[^'`]+)\2/g)].map((m) => [m[1], m[3]] as const)
    .filter(([, p]) => !p.includes('${action}'));
  const actions = [...src.matchAll(/documentAction\([^)]*'([a-z-]+)'/g)].map((m) => ['POST', `/testdriver/documents/{documentId}/${m[1]}`] as const);
  assert.ok(calls.length >= 8, `found ${calls.length} calls`);
  for (const [method, raw] of [...calls, ...actions]) {
    const path = raw.replace(/\$\{encodeURIComponent\((\w+)\)\}/g, (_, v) => `{${v}}`);
    const entry = doc.paths[path];
    assert.ok(entry, `path ${path} is not in the contract`);
    assert.ok(entry[method.toLowerCase()], `${method} ${path} is not in the contract`);
  }
});
