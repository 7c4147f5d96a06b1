import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file runs as test/out/cli.test.js: the repository root is two folders up.
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'server', 'bin', 'ouro.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `ouro` binary from the repository root. */
function ouro(...args: string[]): Run {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l.length > 0);

const tmp = mkdtempSync(join(tmpdir(), 'ouro-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes `text` to a fresh file under the temporary folder and returns its absolute path. */
let fileCount = 0;
function tempFile(name: string, text: string): string {
  const dir = join(tmp, `case-${++fileCount}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The path `ouro check` prints for a file: relative to its working directory, the repository root. */
const shown = (path: string): string => relative(root, path);

const withErrors = `data truth = gaussian(mean: 0, std: 1, dim: 1)

experiment broken {
  seed 1
  model m = gaussian_fit()
  retrain m for 10 generations {
    real 100 from truthh
  }
  metric err = mse(m.mean, truth.mean) at final
}
`;

/**
 * The diagnostics a fixture's inline annotations expect, as 1-based line:col in the file as it is on
 * disk (annotation lines included): a caret annotation points at the nearest code line above it.
 */
function annotated(text: string): { line: number; col: number; severity: string; code: string }[] {
  const caret = /^\s*\/\/(\s*)(\^+) (error|warning|info|hint)\[([a-z0-9-]+)\]: /;
  const out: { line: number; col: number; severity: string; code: string }[] = [];
  const all = text.split('\n');
  let codeLine = 0;
  all.forEach((l, i) => {
    const m = caret.exec(l);
    if (!m) {
      codeLine = i + 1;
      return;
    }
    out.push({ line: codeLine, col: l.indexOf('^') + 1, severity: m[3]!, code: m[4]! });
  });
  return out;
}

test('check: a clean spec exits 0 and prints nothing on stdout', () => {
  const r = ouro('check', 'examples/golden-ratio.ouro');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
});

test('check: warnings only exit 0 and are printed as path:line:col: warning[code]: message', () => {
  const file = 'examples/unsafe/golden-ratio-collapse.ouro';
  const text = readFileSync(join(root, file), 'utf8');
  const r = ouro('check', file);
  assert.equal(r.status, 0, r.stderr);
  const re = /^(.+?):(\d+):(\d+): (error|warning|info|hint)\[([a-z0-9-]+)\]: (.+)$/;
  const got = lines(r.stdout).map((l) => {
    const m = re.exec(l);
    assert.ok(m, `not a diagnostic line: ${l}`);
    return { file: m[1], line: Number(m[2]), col: Number(m[3]), severity: m[4], code: m[5], message: m[6] ?? '' };
  });
  assert.ok(got.every((d) => d.file === file && d.severity === 'warning'));
  // The positions are those the file's own annotations mark.
  assert.deepEqual(
    got.map(({ line, col, severity, code }) => ({ line, col, severity, code })),
    annotated(text),
  );
  const collapse = got.filter((d) => d.code === 'model-collapse');
  assert.equal(collapse.length, 1);
  // The warning points at the `retrain` keyword of the loop with no real data.
  const at = text.split('\n')[collapse[0]!.line - 1]!.slice(collapse[0]!.col - 1);
  assert.ok(at.startsWith('retrain m for 100 generations'), at);
  assert.match(collapse[0]!.message, /no fresh real data/);
  assert.equal(got.filter((d) => d.code === 'suboptimal-real-weight').length, 2);
  assert.match(r.stderr, /1 file checked: 0 errors, 3 warnings/);
});

test('check: a spec with errors exits 1 and prints path:line:col: error[code]: message', () => {
  const file = tempFile('broken.ouro', withErrors);
  const r = ouro('check', file);
  assert.equal(r.status, 1, r.stderr);
  const out = lines(r.stdout);
  assert.equal(out.length, 1, r.stdout);
  assert.match(
    out[0]!,
    new RegExp(`^${escape(shown(file))}:7:19: error\\[unresolved-name\\]: unknown name \`truthh\`.*\`truth\``),
  );
  assert.match(r.stderr, /1 file checked: 1 error, 0 warnings/);
});

test('check --json: prints a JSON array of diagnostics with positions', () => {
  const file = tempFile('broken.ouro', withErrors);
  const r = ouro('check', '--json', file);
  assert.equal(r.status, 1, r.stderr);
  const ds = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.ok(Array.isArray(ds));
  assert.equal(ds.length, 1);
  const d = ds[0]!;
  assert.deepEqual(
    { ...d, message: undefined },
    {
      file: shown(file),
      line: 7,
      col: 19,
      endLine: 7,
      endCol: 25,
      severity: 'error',
      code: 'unresolved-name',
      message: undefined,
    },
  );
  assert.equal(typeof d['message'], 'string');
  assert.match(d['message'] as string, /truthh/);

  const clean = ouro('check', '--json', 'examples/golden-ratio.ouro');
  assert.equal(clean.status, 0, clean.stderr);
  assert.deepEqual(JSON.parse(clean.stdout), []);

  const warned = ouro('check', '--json', 'examples/unsafe/golden-ratio-collapse.ouro');
  assert.equal(warned.status, 0, warned.stderr);
  const ws = JSON.parse(warned.stdout) as { code: string; severity: string; paper?: string }[];
  assert.equal(ws.length, 3);
  for (const w of ws) {
    assert.equal(w.severity, 'warning');
    assert.equal(w.paper, 'golden-ratio.md');
  }
});

test('check: a directory argument checks every .ouro file below it', () => {
  const dir = join(tmp, 'tree');
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  // No seed: a warning.
  const top = join(dir, 'top.ouro');
  writeFileSync(top, withErrors.replace('  seed 1\n', ''));
  const deep = join(dir, 'sub', 'deeper', 'deep.ouro');
  writeFileSync(deep, withErrors);
  // Not a spec: ignored.
  writeFileSync(join(dir, 'sub', 'notes.txt'), 'experiment {');
  const r = ouro('check', '--json', dir);
  assert.equal(r.status, 1, r.stderr);
  const files = new Set((JSON.parse(r.stdout) as { file: string }[]).map((d) => d.file));
  assert.deepEqual([...files].sort(), [shown(deep), shown(top)].sort());

  const text = ouro('check', dir);
  assert.equal(text.status, 1);
  assert.match(text.stderr, /2 files checked: 2 errors, 1 warning\b/);

  // The examples folder: every spec below it, the unsafe variants included.
  const count = (d: string): number =>
    readdirSync(d, { withFileTypes: true }).reduce(
      (n, e) => n + (e.isDirectory() ? count(join(d, e.name)) : e.name.endsWith('.ouro') ? 1 : 0),
      0,
    );
  const ex = ouro('check', 'examples');
  assert.equal(ex.status, 0, ex.stderr);
  assert.match(ex.stderr, new RegExp(`^${count(join(root, 'examples'))} files checked: 0 errors`));
  const checked = new Set(lines(ex.stdout).map((l) => l.split(':')[0]));
  assert.ok(checked.has('examples/unsafe/golden-ratio-collapse.ouro'));
  assert.ok(checked.has('examples/unsafe/coevolving-closed-loop.ouro'));
  assert.ok(checked.has('examples/unsafe/coopinit-random-init.ouro'));
});

test('fmt: --check names an unformatted file, fmt rewrites it, and --check then passes', () => {
  const original = readFileSync(join(root, 'examples', 'golden-ratio.ouro'), 'utf8');
  // Mess up the code, not the comments (the formatter keeps comments as they are).
  const messy = original
    .split('\n')
    .map((l) => {
      const at = l.indexOf('//');
      const code = at < 0 ? l : l.slice(0, at);
      const rest = at < 0 ? '' : l.slice(at);
      return code.replace(/^ {2}/, '\t').replace(/ = /g, '   =  ').replace(/, /g, ',').replace(/\{$/, '{\n') + rest;
    })
    .join('\n');
  assert.notEqual(messy, original);
  const file = tempFile('messy.ouro', messy);

  const before = ouro('fmt', '--check', file);
  assert.equal(before.status, 1, before.stderr);
  assert.deepEqual(lines(before.stdout), [file]);
  assert.equal(readFileSync(file, 'utf8'), messy, '--check must not write');

  const fmt = ouro('fmt', file);
  assert.equal(fmt.status, 0, fmt.stderr);
  assert.match(fmt.stdout, /formatted /);
  assert.equal(readFileSync(file, 'utf8'), original);

  const again = ouro('fmt', '--check', file);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, '');
});

test('fmt: a file with syntax errors exits 1 and is left unchanged', () => {
  const broken = 'experiment e {\n  seed   1\n  model m = gaussian_fit(\n';
  const file = tempFile('syntax.ouro', broken);
  for (const args of [
    ['fmt', file],
    ['fmt', '--check', file],
  ]) {
    const r = ouro(...args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /error\[syntax-error\]/);
    assert.match(r.stderr, /has syntax errors; not formatted/);
    assert.equal(readFileSync(file, 'utf8'), broken);
  }
});

test('ir: prints the lowered program as JSON with a source map entry for every model and metric', () => {
  const file = 'examples/golden-ratio.ouro';
  const text = readFileSync(join(root, file), 'utf8');
  const r = ouro('ir', file);
  assert.equal(r.status, 0, r.stderr);
  const ir = JSON.parse(r.stdout) as {
    experiments: { name: string; models: { id: string; name: string }[]; metrics: { id: string; name: string }[] }[];
    sourceMap: Record<string, { start: number; end: number; line: number; col: number }>;
  };
  assert.equal(ir.experiments[0]?.name, 'golden_weight');
  const ids = ir.experiments.flatMap((e) => [...e.models, ...e.metrics]);
  assert.deepEqual(
    ir.experiments[0]!.models.map((m) => m.name),
    ['m'],
  );
  assert.deepEqual(
    ir.experiments[0]!.metrics.map((m) => m.name),
    ['err'],
  );
  for (const { id, name } of ids) {
    const entry = ir.sourceMap[id];
    assert.ok(entry, `no source map entry for ${id}`);
    // The entry spans the declaring statement.
    const span = text.slice(entry.start, entry.end);
    assert.match(span, new RegExp(`^(model|metric) ${name} = `), `${id}: ${span}`);
    assert.equal(text.split('\n')[entry.line - 1]!.slice(entry.col - 1), text.slice(entry.start).split('\n')[0]);
  }

  const broken = ouro('ir', tempFile('broken.ouro', withErrors));
  assert.equal(broken.status, 1);
  assert.equal(broken.stdout, '');
  assert.match(broken.stderr, /has errors/);
});

test('usage errors exit 2 with a message', () => {
  const unknown = ouro('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command frobnicate/);
  assert.match(unknown.stderr, /Usage:/);

  const missing = ouro('check', 'examples/no-such-file.ouro');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /examples\/no-such-file\.ouro: no such file or directory/);

  const none = ouro();
  assert.equal(none.status, 2);
  assert.match(none.stdout + none.stderr, /Usage:/);

  const noFiles = ouro('check');
  assert.equal(noFiles.status, 2);
  assert.match(noFiles.stderr, /name at least one \.ouro file/);

  const badFlag = ouro('check', '--frobnicate', 'examples/golden-ratio.ouro');
  assert.equal(badFlag.status, 2);
  assert.match(badFlag.stderr, /unknown option --frobnicate/);

  const irMissing = ouro('ir', 'examples/no-such-file.ouro');
  assert.equal(irMissing.status, 2);
  assert.match(irMissing.stderr, /no such file or directory/);

  const irFolder = ouro('ir', 'examples');
  assert.equal(irFolder.status, 2);
  assert.match(irFolder.stderr, /^ouro ir: examples is a folder; give one spec file/);

  // A folder with no specs is named, not passed over as if it had been checked.
  const empty = join(tmp, 'no-specs');
  mkdirSync(empty);
  writeFileSync(join(empty, 'notes.txt'), 'not a spec');
  for (const cmd of ['check', 'fmt']) {
    const r = ouro(cmd, empty);
    assert.equal(r.status, 2, cmd);
    assert.match(r.stderr, /no-specs: no \.ouro files in this folder \(or below it\)/, cmd);
  }

  const lspFlag = ouro('lsp', '--frobnicate');
  assert.equal(lspFlag.status, 2);
  assert.match(lspFlag.stderr, /ouro lsp: unknown option --frobnicate; use --stdio/);
});

test('--version prints the version', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'server', 'package.json'), 'utf8')) as { version: string };
  const r = ouro('--version');
  assert.equal(r.status, 0);
  assert.equal(r.stdout.trim(), pkg.version);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+/);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
