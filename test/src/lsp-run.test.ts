// Run on save and inline previews over the real LSP protocol (`ouro lsp --stdio`): a save runs the changed
// experiments in a worker and streams ouro/runStarted, ouro/runProgress and ouro/runEnded; the values come
// back as inlay hints, code lenses and hovers; a new save cancels the stale run; an unchanged experiment is
// not re-run; a runtime error is a diagnostic at its spec line until the next successful run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  CodeLens,
  Hover,
  InlayHint,
  MarkupContent,
  PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import type { RunEndedParams, RunProgressParams, RunRecord, RunStartedParams } from '@ouro/views';
import { LspClient } from './harness/lsp-client.js';

let client: LspClient;
let root: string;
type Note =
  | { kind: 'started'; p: RunStartedParams }
  | { kind: 'progress'; p: RunProgressParams }
  | { kind: 'ended'; p: RunEndedParams };
const notes: Note[] = [];
let waiters: { pred: (n: Note) => boolean; resolve: (n: Note) => void }[] = [];

function record(n: Note): void {
  notes.push(n);
  waiters = waiters.filter((w) => (w.pred(n) ? (w.resolve(n), false) : true));
}

/** The first notification from now on (or already seen after `since`) that satisfies `pred`. */
function waitFor<K extends Note['kind']>(
  kind: K,
  pred: (p: Extract<Note, { kind: K }>['p']) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<Extract<Note, { kind: K }>['p']> {
  const match = (n: Note): boolean => n.kind === kind && pred(n.p as never);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${kind} notification within ${timeoutMs} ms`)), timeoutMs);
    waiters.push({
      pred: match,
      resolve: (n) => {
        clearTimeout(timer);
        resolve(n.p as never);
      },
    });
  });
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'ouro-lsp-run-'));
  client = new LspClient();
  client.connection.onNotification('ouro/runStarted', (p: RunStartedParams) => record({ kind: 'started', p }));
  client.connection.onNotification('ouro/runProgress', (p: RunProgressParams) => record({ kind: 'progress', p }));
  client.connection.onNotification('ouro/runEnded', (p: RunEndedParams) => record({ kind: 'ended', p }));
  await client.initialize(pathToFileURL(root).toString());
  // Pin the backend so the values compare across machines.
  await client.connection.sendNotification('workspace/didChangeConfiguration', {
    settings: { ouro: { runOnSave: true, backend: 'wasm' } },
  });
});

after(async () => {
  await client.stop();
  rmSync(root, { recursive: true, force: true });
});

const versions = new Map<string, number>();

async function edit(uri: string, text: string): Promise<PublishDiagnosticsParams> {
  const v = (versions.get(uri) ?? 0) + 1;
  versions.set(uri, v);
  return v === 1 ? client.open(uri, text, v) : client.change(uri, text, v);
}

async function save(uri: string): Promise<void> {
  await client.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
}

const uriOf = (name: string): string => pathToFileURL(join(root, name)).toString();

async function hints(uri: string, text: string): Promise<InlayHint[]> {
  const lines = text.split('\n');
  return client.request<InlayHint[]>('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
  });
}

const label = (h: InlayHint): string => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join(''));
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle));

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** The final value's mean over replicates at each sweep point, from a run record. */
function finals(r: RunRecord, metric: string): number[] {
  const m = r.result.metrics.find((x) => x.name === metric)!;
  return m.values.map((reps) => mean(reps.map((s) => s.at(-1)!)));
}

const spec = `data truth = gaussian(mean: 0, std: 1, dim: 1)
experiment plain {
  seed 5
  replicates 20
  model m = gaussian_fit()
  retrain m for 8 generations {
    real 40 from truth
    synthetic 40 from m
    weights real: golden, synthetic: 1 - golden
  }
  metric err = mse(m.mean, truth.mean) every generation
}
experiment swept {
  seed 6
  replicates 30
  sweep w in [0.2, 0.6, 0.9]
  model m = gaussian_fit()
  retrain m for 10 generations {
    real 30 from truth
    synthetic 30 from m
    weights real: w, synthetic: 1 - w
  }
  metric err = mse(m.mean, truth.mean) at final
  view err by w mark min
  preview { replicates: 10, generations: 5 }
}
`;

test('save → run in the background → inlay values, code lenses and a hover sparkline', async () => {
  const uri = uriOf('previews.ouro');
  const d = await edit(uri, spec);
  assert.deepEqual(
    d.diagnostics.filter((x) => x.severity === 1),
    [],
    'the spec has no errors',
  );
  const started = waitFor('started', (p) => p.uri === uri);
  const ended = waitFor('ended', (p) => p.uri === uri);
  await save(uri);
  const s = await started;
  assert.equal(s.trigger, 'save');
  assert.equal(s.budget, 'preview');
  assert.deepEqual(s.experiments, ['plain', 'swept']);
  const e = await ended;
  assert.equal(e.status, 'ok', e.message);
  assert.equal(e.runId, s.runId);
  assert.deepEqual(
    e.records.map((r) => r.experiment),
    ['plain', 'swept'],
  );
  // Each finished experiment streamed its record in a progress notification, with a fraction that rises to 1.
  const progress = notes.flatMap((n) => (n.kind === 'progress' && n.p.runId === s.runId ? [n.p] : []));
  assert.deepEqual(
    progress.flatMap((p) => (p.finished ? [p.finished.experiment] : [])),
    ['plain', 'swept'],
  );
  assert.ok(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1]!.fraction));
  assert.equal(progress.at(-1)!.fraction, 1);
  const [plain, swept] = e.records as [RunRecord, RunRecord];
  assert.equal(swept.result.replicates, 10, 'the preview budget');
  assert.equal(swept.result.generations, 5);
  assert.match(plain.irHash, /^[0-9a-f]{64}$/);

  // Inlay hints: after each metric definition, its final value; for the sweep, the minimum and where.
  const hs = (await hints(uri, spec)).filter((h) => /^err /.test(label(h)));
  assert.equal(hs.length, 2, hs.map(label).join(' | '));
  const [hPlain, hSwept] = hs as [InlayHint, InlayHint];
  const errLine = lineOf(spec, 'metric err = mse(m.mean, truth.mean) every generation');
  assert.equal(hPlain.position.line, errLine);
  assert.equal(hPlain.position.character, spec.split('\n')[errLine]!.length, 'at the end of the definition');
  const plainFinal = finals(plain, 'err')[0]!;
  assert.equal(label(hPlain), `err = ${String(Number(plainFinal.toPrecision(3)))}`);
  const sweptFinals = finals(swept, 'err');
  const best = sweptFinals.indexOf(Math.min(...sweptFinals));
  const w = [0.2, 0.6, 0.9][best]!;
  assert.equal(hSwept.position.line, lineOf(spec, 'metric err = mse(m.mean, truth.mean) at final'));
  assert.equal(label(hSwept), `err min ${String(Number(sweptFinals[best]!.toPrecision(3)))} at w=${w}`);
  // The language's own hints are still there.
  assert.ok(
    (await hints(uri, spec)).some((h) => label(h).startsWith(':')),
    'the type hints of dsl/src/ide',
  );

  // Code lenses above each experiment: run preview, run full, open results, and the last run.
  const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  const sweptLine = lineOf(spec, 'experiment swept');
  const onSwept = lenses.filter((l) => l.range.start.line === sweptLine).map((l) => l.command!);
  assert.deepEqual(
    onSwept.slice(0, 3).map((c) => [c.title, c.command, c.arguments]),
    [
      ['▶ Run preview', 'ouro.runExperiment', [uri, 'swept']],
      ['Run full', 'ouro.runExperimentFull', [uri, 'swept']],
      ['Open results', 'ouro.openResults', [uri, 'swept']],
    ],
  );
  assert.match(onSwept[3]!.title, /^last run \d\d:\d\d:\d\d, \d+\.\d s$/);

  // Hover on the metric: a sparkline (an SVG data URI) and the values by sweep point.
  const metricLine = lineOf(spec, 'metric err = mse(m.mean, truth.mean) at final');
  const errCol = spec.split('\n')[metricLine]!.indexOf('err');
  const hov = await client.request<Hover>('textDocument/hover', {
    textDocument: { uri },
    position: { line: metricLine, character: errCol + 1 },
  });
  const md = (hov.contents as MarkupContent).value;
  const img = /!\[err\]\(data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)\)/.exec(md);
  assert.ok(img, md);
  const svg = Buffer.from(img[1]!, 'base64').toString('utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<polyline [^>]*points="[\d., ]+"/);
  assert.match(
    md,
    new RegExp(`min \\*\\*${String(Number(sweptFinals[best]!.toPrecision(3))).replace('.', '\\.')}\\*\\* at w=${w}`),
  );
  assert.match(md, /\| w \| final \| ± sd \|/);
  assert.match(md, /mse/, 'the language hover comes first');

  // ouro/results: the history, newest first.
  const res = await client.request<{ experiments: { experiment: string; runs: RunRecord[] }[] }>('ouro/results', {
    uri,
  });
  assert.deepEqual(
    res.experiments.map((x) => [x.experiment, x.runs.length]),
    [
      ['plain', 1],
      ['swept', 1],
    ],
  );

  // An edit of one experiment: its values are marked stale; a save re-runs only it.
  const edited = spec.replace('replicates: 10, generations: 5', 'replicates: 12, generations: 5');
  await edit(uri, edited);
  const staleHints = (await hints(uri, edited)).map(label).filter((l) => l.startsWith('err '));
  assert.equal(staleHints.filter((l) => l.endsWith(' (stale)')).length, 1, staleHints.join(' | '));
  assert.ok(staleHints[1]!.endsWith(' (stale)'), 'the swept experiment is stale, the plain one is not');
  const started2 = waitFor('started', (p) => p.uri === uri && p.runId !== s.runId);
  const ended2 = waitFor('ended', (p) => p.uri === uri && p.runId !== s.runId);
  await save(uri);
  assert.deepEqual((await started2).experiments, ['swept'], 'the unchanged experiment is not re-run');
  const e2 = await ended2;
  assert.equal(e2.status, 'ok');
  assert.equal(e2.records[0]!.result.replicates, 12);
  assert.ok((await hints(uri, edited)).map(label).every((l) => !l.endsWith('(stale)')));

  // A save with nothing changed runs nothing.
  const before = notes.length;
  await save(uri);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(notes.slice(before).filter((n) => n.kind === 'started').length, 0, 'nothing re-runs');
});

test('a new save cancels the stale run of the file at once', async () => {
  const uri = uriOf('cancel.ouro');
  const long = spec.replace('retrain m for 8 generations', 'retrain m for 2000000 generations');
  await edit(uri, long);
  const started = waitFor('started', (p) => p.uri === uri);
  await save(uri);
  const first = await started;
  // Let it get going, then save a changed spec.
  await waitFor('progress', (p) => p.runId === first.runId && p.step > 0);
  const cancelled = waitFor('ended', (p) => p.runId === first.runId);
  const nextStarted = waitFor('started', (p) => p.uri === uri && p.runId !== first.runId);
  await edit(uri, spec);
  const t0 = Date.now();
  await save(uri);
  const c = await cancelled;
  assert.equal(c.status, 'cancelled');
  assert.ok(Date.now() - t0 < 2000, `cancelled ${Date.now() - t0} ms after the save`);
  const second = await nextStarted;
  assert.deepEqual(second.experiments, ['plain', 'swept'], '`plain` never finished, so it runs again');
  const ended = await waitFor('ended', (p) => p.runId === second.runId);
  assert.equal(ended.status, 'ok');
  // ouro/cancel stops a requested full run too.
  const { runId } = await client.request<{ runId: string }>('ouro/run', { uri, budget: 'full', experiment: 'plain' });
  const stopped = waitFor('ended', (p) => p.runId === runId);
  await client.request('ouro/cancel', { runId });
  const st = await stopped;
  assert.ok(st.status === 'cancelled' || st.status === 'ok', st.status);
  await assert.rejects(client.request('ouro/run', { uri, budget: 'full', experiment: 'nope' }), /no experiment `nope`/);
});

test('a runtime error is a diagnostic at its spec line, cleared by the next successful run', async () => {
  const uri = uriOf('diverge.ouro');
  const bad = spec.replace('std: 1, dim: 1', 'std: 1e30, dim: 1');
  await edit(uri, bad);
  const ended = waitFor('ended', (p) => p.uri === uri);
  const published = client.nextDiagnostics(uri);
  await save(uri);
  const e = await ended;
  assert.equal(e.status, 'error');
  assert.match(e.message ?? '', /model `m` diverged \(NaN or Inf\) at generation 0 of experiment `plain`/);
  let d = await published;
  while (!d.diagnostics.some((x) => x.source === 'ouro-run')) d = await client.nextDiagnostics(uri);
  const run = d.diagnostics.filter((x) => x.source === 'ouro-run');
  assert.equal(run.length, 1);
  assert.equal(run[0]!.range.start.line, lineOf(bad, 'model m = gaussian_fit()'), 'at the model of experiment plain');
  assert.equal(run[0]!.range.end.line, run[0]!.range.start.line);
  assert.equal(run[0]!.code, 'run-divergence');
  assert.equal(run[0]!.severity, 1);
  // The fix: the next successful run of `plain` clears it.
  await edit(uri, spec);
  const ok = waitFor('ended', (p) => p.uri === uri && p.status === 'ok');
  await save(uri);
  await ok;
  d = client.diagnostics.get(uri)!;
  for (let i = 0; i < 20 && d.diagnostics.some((x) => x.source === 'ouro-run'); i++)
    d = await client.nextDiagnostics(uri);
  assert.deepEqual(
    d.diagnostics.filter((x) => x.source === 'ouro-run'),
    [],
  );
});

test('run on save is off when the client says so', async () => {
  await client.connection.sendNotification('workspace/didChangeConfiguration', {
    settings: { ouro: { runOnSave: false } },
  });
  const uri = uriOf('off.ouro');
  await edit(uri, spec);
  const before = notes.length;
  await save(uri);
  await new Promise((r) => setTimeout(r, 800));
  assert.deepEqual(
    notes.slice(before).filter((n) => n.kind === 'started'),
    [],
  );
  // A requested run still runs.
  const { runId } = await client.request<{ runId: string }>('ouro/run', {
    uri,
    budget: 'preview',
    experiment: 'plain',
  });
  const e = await waitFor('ended', (p) => p.runId === runId);
  assert.equal(e.status, 'ok');
  assert.deepEqual(
    e.records.map((r) => r.experiment),
    ['plain'],
  );
  assert.equal(e.trigger, 'command');
});

test('with a storage folder, run history survives a restart of the server: results, hints, no re-run', async () => {
  const storagePath = join(root, 'storage');
  const uri = uriOf('persist.ouro');
  const open = async (): Promise<{ c: LspClient; ended: RunEndedParams[]; started: RunStartedParams[] }> => {
    const c = new LspClient();
    const ended: RunEndedParams[] = [];
    const started: RunStartedParams[] = [];
    c.connection.onNotification('ouro/runEnded', (p: RunEndedParams) => void ended.push(p));
    c.connection.onNotification('ouro/runStarted', (p: RunStartedParams) => void started.push(p));
    await c.initialize(pathToFileURL(root).toString(), { runOnSave: true, backend: 'wasm', storagePath });
    await c.open(uri, spec, 1);
    return { c, ended, started };
  };
  const waitUntil = async (ok: () => boolean, what: string): Promise<void> => {
    const t0 = Date.now();
    while (!ok()) {
      if (Date.now() - t0 > 30_000) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const first = await open();
  await first.c.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
  await waitUntil(() => first.ended.length > 0, 'the first run');
  assert.equal(first.ended[0]!.status, 'ok', first.ended[0]!.message);
  const runIds = first.ended[0]!.records.map((r) => r.runId);
  const finalErr = finals(
    first.ended[0]!.records.find((r) => r.experiment === 'plain')!,
    'err',
  )[0]!;
  await first.c.stop();

  const second = await open();
  try {
    const h = await second.c.request<{ experiments: { experiment: string; runs: RunRecord[] }[] }>('ouro/results', {
      uri,
    });
    assert.deepEqual(h.experiments.map((e) => e.experiment).sort(), ['plain', 'swept']);
    assert.deepEqual(
      h.experiments.map((e) => e.runs[0]!.runId),
      runIds,
    );
    const hs = await second.c.request<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: spec.split('\n').length, character: 0 } },
    });
    // The stored value, not stale (the spec is unchanged).
    assert.ok(hs.map(label).includes(`err = ${String(Number(finalErr.toPrecision(3)))}`), hs.map(label).join(' | '));
    // The experiments' IR is unchanged since the stored runs: saving runs nothing.
    await second.c.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(second.started, []);
  } finally {
    await second.c.stop();
  }
});
