// docs/results.schema.json describes result.json as `ouro run` writes it: every example's result (run now at
// its preview budget) and every recorded result fixture validate against it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ouro-schema-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const schema = JSON.parse(readFileSync(join(root, 'docs', 'results.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);

function check(what: string, json: unknown): void {
  const ok = validate(json);
  assert.ok(
    ok,
    `${what} matches docs/results.schema.json:\n${(validate.errors ?? [])
      .slice(0, 10)
      .map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
      .join('\n')}`,
  );
}

const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ouro'));

for (const file of examples) {
  test(`examples/${file}: result.json of every experiment matches the schema`, () => {
    const out = join(tmp, file);
    const r = spawnSync(
      process.execPath,
      [join(root, 'server', 'bin', 'ouro.js'), 'run', join('examples', file), '--preview', '--out', out],
      { cwd: root, encoding: 'utf8', timeout: 300_000 },
    );
    assert.equal(r.status, 0, `ouro run examples/${file} --preview: ${r.stderr}`);
    const dirs = readdirSync(out);
    assert.ok(dirs.length > 0);
    for (const d of dirs)
      check(`${file}: ${d}/result.json`, JSON.parse(readFileSync(join(out, d, 'result.json'), 'utf8')));
  });
}

test('the recorded results in test/fixtures/results/ match the schema', () => {
  const dir = join(root, 'test', 'fixtures', 'results');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')))
    check(f, JSON.parse(readFileSync(join(dir, f), 'utf8')));
});

test('the schema rejects what ouro run never writes', () => {
  const good = JSON.parse(
    readFileSync(join(root, 'test', 'fixtures', 'results', 'golden-ratio.json'), 'utf8'),
  ) as Record<string, unknown>;
  assert.equal(validate({ ...good, seed: 1.5 }), false, 'a fractional seed');
  assert.equal(validate({ ...good, spec: { path: 'x', sha256: 'nothex' } }), false, 'a malformed hash');
  const { metrics: _m, ...noMetrics } = good;
  assert.equal(validate(noMetrics), false, 'no metrics');
  assert.equal(validate({ ...good, extra: 1 }), false, 'an unknown field');
});
