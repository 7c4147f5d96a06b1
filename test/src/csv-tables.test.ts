// CSV data: the host's parser (server/src/tables.ts) and `ouro run` on a spec whose data is a CSV file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CsvError, parseCsv, readTables } from '@ouro/server/out/tables.js';
import { irOf } from './harness/runtime.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ouro-csv-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('parses quoted fields, doubled quotes, CRLF, a BOM and blank lines; numeric columns are detected', () => {
  const t = parseCsv('\uFEFFx,"name, full",y\r\n1,"a ""b""",2.5\r\n\r\n 3 ,"two\nlines",-1e3\n', 'f.csv');
  assert.deepEqual(t.columns, ['x', 'name, full', 'y']);
  assert.deepEqual(t.numeric, [true, false, true]);
  assert.equal(t.rows.length, 2);
  assert.deepEqual([t.rows[0]![0], t.rows[0]![2], t.rows[1]![0], t.rows[1]![2]], [1, 2.5, 3, -1000]);
});

test('bad CSV names the file, the line and the fix', () => {
  const bad: [string, RegExp][] = [
    ['a,b\n1,2\n3\n', /^f\.csv:3: this row has 1 field but the header has 2; give every row one field per column/],
    ['a,b\n1,"2\n', /^f\.csv:2: a quoted field is never closed; add the closing `"`/],
    ['a,a\n1,2\n', /^f\.csv:1: the column name "a" appears twice; rename one/],
    ['a,b\n1,x"y"\n', /^f\.csv:2: a quote inside an unquoted field/],
    ['', /^f\.csv: the file is empty/],
    ['a,b\n', /^f\.csv: the file has a header but no rows/],
  ];
  for (const [text, re] of bad)
    assert.throws(
      () => parseCsv(text, 'f.csv'),
      (e: unknown) => e instanceof CsvError && re.test(e.message),
      text,
    );
});

test('readTables resolves paths from the spec and reports a missing file with the data node', () => {
  const spec = join(tmp, 'spec.ouro');
  const text = `data pts = csv("pts.csv", columns: ["x", "y"])
experiment e {
  seed 1
  model m = gaussian_fit()
  retrain m for 2 generations { real 20 from pts }
  metric v = trace_cov(m)
}`;
  writeFileSync(spec, text);
  const ir = irOf(text, spec);
  assert.throws(
    () => readTables(ir),
    (e: unknown) =>
      e instanceof CsvError && e.nodeId === 'data:pts' && /pts\.csv: cannot read .*no such file/.test(e.message),
  );
  writeFileSync(join(tmp, 'pts.csv'), 'x,y\n1,2\n3,4\n5,7\n');
  assert.deepEqual(readTables(ir)['pts.csv']?.rows, [
    [1, 2],
    [3, 4],
    [5, 7],
  ]);
});

test('ouro run reads the CSV file of the spec and runs on it; a malformed file fails with its line', () => {
  const dir = mkdtempSync(join(tmp, 'run-'));
  const spec = join(dir, 'line.ouro');
  writeFileSync(
    spec,
    `data line = csv("line.csv", columns: ["x", "y"])
experiment fit_line {
  seed 1
  model reg = linear_regression()
  retrain reg for 3 generations {
    real 50 from line
    synthetic 50 from reg
    weights real: 0.5, synthetic: 0.5
  }
  metric slope = mse(reg.coef, [2]) every generation
}
`,
  );
  const rows = Array.from({ length: 40 }, (_, i) => `${i / 10},${(2 * i) / 10 + 1}`);
  writeFileSync(join(dir, 'line.csv'), `x,y\n${rows.join('\n')}\n`);
  const bin = join(root, 'server', 'bin', 'ouro.js');
  const ok = spawnSync(process.execPath, [bin, 'run', spec, '--out', join(dir, 'out'), '--backend', 'wasm'], {
    encoding: 'utf8',
  });
  assert.equal(ok.status, 0, ok.stderr);
  const result = JSON.parse(readFileSync(join(dir, 'out', 'fit_line', 'result.json'), 'utf8')) as {
    metrics: { name: string; values: number[][][] }[];
  };
  const slope = result.metrics.find((m) => m.name === 'slope')!;
  for (const v of slope.values.flat(2)) assert.ok(v < 1e-6, `the slope is 2 (squared error ${v})`);
  writeFileSync(join(dir, 'line.csv'), 'x,y\n1,2\n3\n');
  const bad = spawnSync(process.execPath, [bin, 'run', spec, '--out', join(dir, 'out2'), '--backend', 'wasm'], {
    encoding: 'utf8',
  });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /line\.csv:3: this row has 1 field but the header has 2.*line\.ouro:1:1/);
});
