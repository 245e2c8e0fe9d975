import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, checkConfig, loadTarget } from '../../src/config/load';
import { tempDir } from '../support/tmp';

const bad = (raw: unknown) => {
  try {
    checkConfig(raw, 'x.json');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return (e as Error).message;
  }
  assert.fail('expected a ConfigError');
};

test('an smtp target names what it lacks', () => {
  assert.match(bad({ name: 'v', driver: 'smtp', host: 'h', port: 25 }), /pop3: is required for an smtp target/);
  assert.match(
    bad({
      name: 'v',
      driver: 'smtp',
      host: 'h',
      port: 25,
      pop3: { host: 'h', port: 110 },
      mailboxes: { professional: 'a@b', pharmacy: 'c@d' },
      patients: { activé: 'x' },
    }),
    /patients: .*required|patients\.activé: must match pattern/,
  );
});

test('the shipped targets are valid', () => {
  assert.equal(loadTarget('example-mss-service').config.driver, 'smtp');
  assert.equal(loadTarget('reference').config.embedded, true);
  assert.equal(loadTarget('example-vendor').config.baseUrl, 'http://127.0.0.1:8700');
});

test('a misspelt key is named, with the keys allowed there', () => {
  const message = bad({ name: 'v', driver: 'http', baseURL: 'http://x' });
  assert.match(message, /baseURL: unknown key \(allowed here: name, description, driver, embedded, baseUrl/);
});

test('a nested wrong value is named by its path', () => {
  assert.match(bad({ name: 'v', driver: 'http', baseUrl: 'http://x', doubles: { host: 42 } }), /doubles\.host: must be string/);
  assert.match(
    bad({ name: 'v', driver: 'http', baseUrl: 'http://x', doubles: { insi: { port: 70000 } } }),
    /doubles\.insi\.port: must be <= 65535/,
  );
  assert.match(
    bad({ name: 'v', driver: 'http', baseUrl: 'http://x', timeouts: { insiWaitMs: 'long' } }),
    /timeouts\.insiWaitMs: must be integer/,
  );
});

test('missing keys and wrong enums are named', () => {
  assert.match(bad({ driver: 'http', baseUrl: 'http://x' }), /name: is required/);
  assert.match(bad({ name: 'v', driver: 'soap' }), /driver: must be one of \["http","ui","smtp","attended"\]/);
  assert.match(bad({ name: 'v', driver: 'http' }), /baseUrl: is required for an http target/);
  assert.match(bad({ name: 'v', driver: 'http', baseUrl: 'ftp://x' }), /baseUrl: must match pattern/);
});

test('defects only for the embedded reference', () => {
  assert.match(
    bad({ name: 'v', driver: 'http', baseUrl: 'http://x', defects: ['insi-in-request-path'] }),
    /defects: seeded defects exist only in the embedded reference LGC/,
  );
});

test('a target file: not JSON, wrong name, unknown target', () => {
  const dir = tempDir('vigie-cfg-');
  writeFileSync(join(dir, 'broken.json'), '{ "name": "broken", ');
  assert.throws(() => loadTarget(join(dir, 'broken.json')), /broken\.json: not valid JSON/);
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ name: 'not-other', driver: 'http', baseUrl: 'http://127.0.0.1:1' }));
  assert.throws(() => loadTarget(join(dir, 'other.json')), /name: "not-other" must equal the file name "other"/);
  assert.throws(
    () => loadTarget('no-such-target'),
    /no configuration .*no-such-target\.json \(known targets: example-desktop, example-mss-service, example-vendor, reference\)/,
  );
});
