// `ouro run`: the real binary on the examples, with its files and exit codes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'server', 'bin', 'ouro.js');
const tmp = mkdtempSync(join(tmpdir(), 'ouro-run-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function ouro(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ResultJson {
  ouro: string;
  spec: { path: string; sha256: string };
  experiment: { id: string; name: string; loop: string };
  seed: number;
  preview: boolean;
  backend: { name: string; version: string };
  packages: Record<string, string>;
  node: string;
  wallTimeMs: number;
  replicates: number;
  generations: number;
  metrics: { name: string; t: number[]; values: number[][][] }[];
}

test('ouro run --preview writes result.json and metrics.csv in tidy long form, then a summary', () => {
  const out = join(tmp, 'golden');
  const r = ouro('run', 'examples/golden-ratio.ouro', '--preview', '--backend', 'wasm', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  const dir = join(out, 'golden_weight');
  assert.deepEqual(
    readdirSync(dir).sort(),
    ['metrics.csv', 'report.html', 'result.json'],
    'no temporary files are left',
  );
  const json = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ResultJson;
  const text = readFileSync(join(root, 'examples', 'golden-ratio.ouro'), 'utf8');
  assert.equal(json.spec.sha256, createHash('sha256').update(text).digest('hex'));
  assert.equal(json.seed, 7);
  assert.equal(json.preview, true);
  assert.equal(json.backend.name, 'wasm');
  assert.equal(json.packages['@tensorflow/tfjs'], '4.22.0');
  assert.ok(json.packages['ouro']);
  assert.equal(json.node, process.version);
  assert.ok(json.wallTimeMs >= 0);
  assert.equal(json.replicates, 50);
  assert.equal(json.generations, 30);
  assert.equal(json.metrics[0]!.name, 'err');
  assert.equal(json.metrics[0]!.values.length, 19);
  const csv = readFileSync(join(dir, 'metrics.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(csv[0], 'experiment,method,w,replicate,t,metric,value');
  assert.equal(csv.length, 1 + 19 * 50);
  assert.match(csv[1]!, /^golden_weight,retrain,0\.05,0,30,err,\d/);
  // The CSV and the JSON hold the same numbers.
  const [, , w, rep, t, , value] = csv[1 + 50 * 3 + 7]!.split(',');
  assert.equal(w, '0.2');
  assert.equal(rep, '7');
  assert.equal(t, '30');
  assert.equal(Number(value), json.metrics[0]!.values[3]![7]![0]);
  assert.match(r.stdout, /golden_weight: retrain, 50 replicates × 19 sweep points, 30 generations, seed 7, wasm/);
  assert.match(r.stdout, /err: min at w = \d/);
  assert.match(r.stderr, /ran 1 experiment on wasm/);
  // --seed overrides the spec's seed and is recorded.
  const r2 = ouro('run', 'examples/golden-ratio.ouro', '--preview', '--backend=wasm', '--seed', '8', '--out', out);
  assert.equal(r2.status, 0, r2.stderr);
  assert.equal((JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ResultJson).seed, 8);
});

test('ouro run: a cycle experiment chosen by --experiment; the default output folder lies beside the spec', () => {
  const spec = join(tmp, 'pair.ouro');
  writeFileSync(
    spec,
    `data pairs = paired(text: zipf(classes: 4), image: gaussian_per_class(dim: 2))
experiment other {
  replicates 2
  model m = gaussian_fit() on pairs
  retrain m for 2 generations {
    synthetic 10 from m
  }
  metric v = variance(m) at final
}
experiment pair {
  seed 2
  replicates 3
  sweep f in [0, 0.1]
  model text = categorical_fit()
  model image = conditional_gaussian(given: text)
  cycle for 5 generations {
    image learns from text samples 40
    text learns from captions of image samples 40
    inject f from pairs
  }
  metric h = entropy(text) every generation
  metric gs = gini_simpson(text) every 5 generations
  metric s = trace_cov(image) at final
}
`,
  );
  const r = ouro('run', spec, '--experiment', 'pair', '--backend', 'wasm');
  assert.equal(r.status, 0, r.stderr);
  const dir = join(tmp, 'ouro-results', 'pair');
  assert.ok(existsSync(join(dir, 'result.json')));
  assert.ok(!existsSync(join(tmp, 'ouro-results', 'other')), 'only the chosen experiment runs');
  const csv = readFileSync(join(dir, 'metrics.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(csv[0], 'experiment,method,f,replicate,t,metric,value');
  // h: 2 points × 3 replicates × 6 generations; gs: × 2 (t = 0, 5); s: × 1.
  assert.equal(csv.length, 1 + 2 * 3 * (6 + 2 + 1));
  assert.ok(csv.some((l) => l.startsWith('pair,cycle,0.1,2,5,s,')));
});

test('ouro run: one replicate has no spread: the table shows a dash, and the header counts in the singular', () => {
  const spec = join(tmp, 'single.ouro');
  writeFileSync(
    spec,
    `data truth = gaussian(mean: 0, std: 1, dim: 1)
experiment single {
  seed 1
  replicates 1
  model m = gaussian_fit()
  retrain m for 1 generations {
    real 5 from truth
  }
  metric v = variance(m) at final
}
`,
  );
  const r = ouro('run', spec, '--backend', 'wasm', '--out', join(tmp, 'single-out'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /single: retrain, 1 replicate × 1 sweep point, 1 generation, seed 1, wasm/);
  const row = r.stdout.split('\n').find((l) => l.trimStart().startsWith('v '));
  assert.ok(row, r.stdout);
  assert.match(row, /\s—$/, 'the std column of a single replicate is a dash, not 0');
  assert.match(r.stderr, /ran 1 experiment on wasm/);
});

test('ouro run: errors name their place in the spec and exit 1; usage errors exit 2', () => {
  const diverging = join(tmp, 'diverge.ouro');
  writeFileSync(
    diverging,
    [
      'data truth = gaussian(mean: 0, std: 1e30, dim: 1)',
      'experiment blowup {',
      '  seed 1',
      '  model m = gaussian_fit()',
      '  retrain m for 3 generations {',
      '    real 20 from truth',
      '    synthetic 20 from m',
      '    weights optimal',
      '  }',
      '  metric v = variance(m) at final',
      '}',
      '',
    ].join('\n'),
  );
  const runtimeError = ouro('run', diverging, '--out', join(tmp, 'x'));
  assert.equal(runtimeError.status, 1);
  assert.match(runtimeError.stderr, /diverge\.ouro:4:3: error: model `m` diverged \(NaN or Inf\) at generation 0/);
  assert.ok(!existsSync(join(tmp, 'x', 'blowup', 'result.json')), 'no result is written for a failed experiment');
  const bad = join(tmp, 'bad.ouro');
  writeFileSync(bad, 'experiment e {\n  replicates 0\n}\n');
  const withErrors = ouro('run', bad);
  assert.equal(withErrors.status, 1);
  assert.match(withErrors.stderr, /has errors; fix them to run it/);
  assert.equal(ouro('run', 'examples/golden-ratio.ouro', '--backend', 'gpu').status, 2);
  assert.equal(ouro('run', 'examples/golden-ratio.ouro', '--seed', 'abc').status, 2);
  assert.equal(ouro('run').status, 2);
  assert.equal(ouro('run', 'no-such.ouro').status, 2);
  const missing = ouro('run', 'examples/golden-ratio.ouro', '--experiment', 'nope', '--out', join(tmp, 'y'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no experiment `nope`; the spec has `golden_weight`/);
  assert.ok(!existsSync(join(tmp, 'y')), 'no results folder is made for a run that does not start');
  const folder = ouro('run', 'examples');
  assert.equal(folder.status, 2);
  assert.match(folder.stderr, /examples is a folder; give one spec file/);
});

test('ouro run: results that cannot be written are a clear error, never a crash or a lost run', () => {
  const spec = join(tmp, 'w.ouro');
  writeFileSync(
    spec,
    'data truth = gaussian(mean: 0, std: 1, dim: 1)\nexperiment w {\n  seed 1\n  replicates 2\n  model m = gaussian_fit()\n' +
      '  retrain m for 2 generations {\n    real 5 from truth\n  }\n  metric v = variance(m) at final\n}\n',
  );
  // --out names a file (or a folder below one): refused before the run starts.
  const file = join(tmp, 'a-file');
  writeFileSync(file, '');
  for (const out of [file, join(file, 'below')]) {
    const r = ouro('run', spec, '--out', out);
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      r.stderr,
      /^ouro run: cannot write results to .*: it is a file, or lies below one; give --out a folder/,
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  // A file where the experiment's results folder goes: refused too.
  const taken = join(tmp, 'taken');
  mkdirSync(taken);
  writeFileSync(join(taken, 'w'), '');
  const t = ouro('run', spec, '--out', taken);
  assert.equal(t.status, 2);
  assert.match(t.stderr, /taken\/w is a file, where experiment w's results go; move it, or give --out another folder/);
  // A write that fails after the run (result.json is a folder here): the figures are printed, the failure
  // named, exit 1, and no temporary file is left behind.
  const blocked = join(tmp, 'blocked');
  mkdirSync(join(blocked, 'w', 'result.json', 'x'), { recursive: true });
  const b = ouro('run', spec, '--out', blocked);
  assert.equal(b.status, 1, b.stderr);
  assert.match(b.stdout, /w: retrain, 2 replicates/);
  assert.match(b.stdout, /\n {2}v {2,}2 /);
  assert.match(b.stderr, /the results of w could not be written to .*blocked\/w: /);
  assert.match(b.stderr, /no results written; not written: w \(the figures are above\)/);
  assert.deepEqual(readdirSync(join(blocked, 'w')), ['result.json']);
});
