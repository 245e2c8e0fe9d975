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
  const calls = [...src.matchAll(/'(GET|POST)', `?('|`)(\/testdriver\/[^'`]+)\2/g)]
    .map((m) => [m[1], m[3]] as const)
    .filter(([, p]) => !p.includes('${action}'));
  const actions = [...src.matchAll(/documentAction\([^)]*'([a-z-]+)'/g)].map(
    (m) => ['POST', `/testdriver/documents/{documentId}/${m[1]}`] as const,
  );
  assert.ok(calls.length >= 8, `found ${calls.length} calls`);
  for (const [method, raw] of [...calls, ...actions]) {
    const path = raw.replace(/\$\{encodeURIComponent\((\w+)\)\}/g, (_, v) => `{${v}}`);
    const entry = doc.paths[path];
    assert.ok(entry, `path ${path} is not in the contract`);
    assert.ok(entry[method.toLowerCase()], `${method} ${path} is not in the contract`);
  }
});

test("the vendor contract carries no seeded defects; workstations carry the card holder's idNat", () => {
  const text = readFileSync(join(ROOT, 'docs', 'test-driver.openapi.yaml'), 'utf8');
  assert.doesNotMatch(text, /defects/i, 'seeded defects are reference-only (docs/reference-lgc.md)');
  const schemas = doc.components.schemas;
  assert.equal(schemas.Workstation.properties.idNat.type, 'string');
  assert.deepEqual(schemas.Reset.properties.workstations, {
    description: schemas.Reset.properties.workstations.description,
    type: 'array',
    items: { $ref: '#/components/schemas/Workstation' },
  });
});

/** What these tests read of an OpenAPI operation: a refusal has a description and a JSON body. */
interface Operation {
  requestBody?: unknown;
  responses: Record<string, { description: string; content: Record<string, { schema: unknown }> }>;
}

test('every action documents its refusals (403/409/422, Error body) and contract misuse (400 with a body, 404 with a path id)', () => {
  const errorSchema = { $ref: '#/components/schemas/Error' };
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      const responses = op.responses;
      if (op.requestBody) assert.deepEqual(responses['400'], { $ref: '#/components/responses/ContractMisuse' }, `${where}: 400`);
      if (/\{\w+\}/.test(path)) assert.deepEqual(responses['404'], { $ref: '#/components/responses/UnknownObject' }, `${where}: 404`);
      for (const code of ['403', '409', '422']) {
        if (!responses[code]) continue;
        assert.match(
          responses[code].description,
          /^Refusal shown to the user: .*`message` is what the user is shown\./s,
          `${where}: ${code} says what the user is shown`,
        );
        assert.deepEqual(responses[code].content['application/json'].schema, errorSchema, `${where}: ${code} body`);
      }
    }
  }
  for (const name of ['ContractMisuse', 'UnknownObject']) assert.match(doc.components.responses[name].description, /Contract misuse/);
});
