// The VS Code extension's run UI logic (client/src/run-ui.ts, free of the `vscode` API): which webview messages
// are acted on and how, run on save under Workspace Trust, progress increments, and what the status bar says.
// The client is not part of the TypeScript build (esbuild bundles it), so the module is compiled here with
// esbuild and imported from a data: URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import type { RunEndedParams, RunProgressParams, RunStartedParams } from '@ouro/views';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ActiveRun {
  reported: number;
}
interface RunUiModule {
  effectiveRunOnSave(setting: unknown, trusted: boolean): boolean;
  serverSettings(runOnSave: unknown, backend: unknown, trusted: boolean): { runOnSave: boolean; backend: string };
  fileName(uri: string): string;
  safeFileName(name: string): string;
  routeWebviewMessage(uri: string, m: unknown): Record<string, unknown> & { kind: string };
  shouldAutoOpen(setting: unknown, hasPanel: boolean, autoOpenedBefore: boolean): boolean;
  statusText(run: ActiveRun): string;
  endedStatusText(e: RunEndedParams): string;
  endedLog(e: RunEndedParams): string;
  RunTracker: new () => {
    started(p: RunStartedParams): ActiveRun;
    progress(p: RunProgressParams): ActiveRun | undefined;
    increment(run: ActiveRun): number;
    ended(p: RunEndedParams): ActiveRun | undefined;
    latest(): ActiveRun | undefined;
    readonly size: number;
  };
}

async function load(): Promise<RunUiModule> {
  const source = readFileSync(join(root, 'client', 'src', 'run-ui.ts'), 'utf8');
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20' });
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as RunUiModule;
}

const ui = await load();
const uri = 'file:///work/specs/golden%20ratio.ouro';

const started: RunStartedParams = {
  runId: 'r1',
  uri,
  budget: 'full',
  trigger: 'command',
  experiments: ['golden_weight'],
};
const progress = (fraction: number, etaMs: number | null = 1500): RunProgressParams => ({
  runId: 'r1',
  uri,
  experiment: 'golden_weight',
  fraction,
  etaMs,
  step: Math.round(fraction * 30),
  steps: 30,
  unit: 'generation',
});

test('run on save: on by default, off when the setting says so, always off in an untrusted workspace', () => {
  assert.equal(ui.effectiveRunOnSave(undefined, true), true);
  assert.equal(ui.effectiveRunOnSave(true, true), true);
  assert.equal(ui.effectiveRunOnSave(false, true), false);
  assert.equal(ui.effectiveRunOnSave(true, false), false);
  assert.deepEqual(ui.serverSettings(true, 'wasm', false), { runOnSave: false, backend: 'wasm' });
  assert.deepEqual(ui.serverSettings(undefined, 42, true), { runOnSave: true, backend: 'auto' });
});

test('webview messages: runs and cancels concern the panel’s own spec; saves decode their bytes', () => {
  // A message naming another spec still runs this panel's.
  assert.deepEqual(
    ui.routeWebviewMessage(uri, { type: 'run', experiment: 'golden_weight', budget: 'full', uri: 'file:///x' }),
    { kind: 'run', params: { uri, budget: 'full', experiment: 'golden_weight' } },
  );
  assert.deepEqual(ui.routeWebviewMessage(uri, { type: 'run', budget: 'preview' }), {
    kind: 'run',
    params: { uri, budget: 'preview' },
  });
  assert.deepEqual(ui.routeWebviewMessage(uri, { type: 'cancel', uri: 'file:///x' }), {
    kind: 'cancel',
    params: { uri },
  });
  assert.deepEqual(ui.routeWebviewMessage(uri, { type: 'ready' }), { kind: 'ready' });

  const save = ui.routeWebviewMessage(uri, {
    type: 'save',
    filename: '../../etc/err by w.csv',
    mime: 'text/csv',
    base64: Buffer.from('w,err\n0.6,0.004\n').toString('base64'),
  });
  assert.equal(save.kind, 'save');
  assert.equal(save['filename'], 'err by w.csv', 'no folders from the webview');
  assert.equal(Buffer.from(save['bytes'] as Uint8Array).toString('utf8'), 'w,err\n0.6,0.004\n');
  assert.equal(ui.safeFileName('C:\\tmp\\a:b?.png'), 'a_b_.png');
  assert.equal(ui.safeFileName('...'), 'export');

  for (const bad of [null, 'run', { type: 7 }, { type: 'exec', command: 'rm' }, { type: 'run', budget: 'huge' }]) {
    assert.equal(ui.routeWebviewMessage(uri, bad).kind, 'invalid', JSON.stringify(bad));
  }
  assert.equal(ui.routeWebviewMessage(uri, { type: 'save', filename: 'a.png', mime: 'image/png' }).kind, 'invalid');
});

test('progress notifications get increments that add up to 100 and never go back', () => {
  const tracker = new ui.RunTracker();
  const run = tracker.started(started);
  const incs: number[] = [];
  for (const f of [0.25, 0.2, 0.6, 1]) {
    tracker.progress(progress(f));
    incs.push(tracker.increment(run));
  }
  assert.deepEqual(
    incs.map((x) => Math.round(x * 1e9) / 1e9),
    [25, 0, 35, 40],
  );
  assert.equal(tracker.size, 1);
  assert.equal(tracker.progress({ ...progress(0.5), runId: 'unknown' }), undefined);
  const ended: RunEndedParams = { ...started, status: 'ok', records: [], wallMs: 2400 };
  assert.equal(tracker.ended(ended), run);
  assert.equal(tracker.size, 0);
  assert.equal(tracker.latest(), undefined);
});

test('the status bar: fraction and time left while running, the outcome after', () => {
  const tracker = new ui.RunTracker();
  const run = tracker.started(started);
  assert.equal(ui.statusText(run), '$(sync~spin) Ouro: golden_weight starting…');
  tracker.progress(progress(0.42, 1234));
  assert.equal(ui.statusText(run), '$(sync~spin) Ouro: golden_weight 42% · 1.2 s left');
  tracker.progress(progress(0.5, null));
  assert.equal(ui.statusText(run), '$(sync~spin) Ouro: golden_weight 50%');
  const base = { ...started, records: [], wallMs: 12_600 };
  assert.equal(ui.endedStatusText({ ...base, status: 'cancelled' }), '$(circle-slash) Ouro: run cancelled');
  assert.equal(ui.endedStatusText({ ...base, status: 'error', message: 'x' }), '$(error) Ouro: run failed');
  assert.equal(ui.endedStatusText({ ...base, status: 'ok' }), '$(check) Ouro: results up to date');
  const record = { experiment: 'golden_weight' } as RunEndedParams['records'][number];
  assert.equal(
    ui.endedStatusText({ ...base, status: 'ok', records: [record] }),
    '$(check) Ouro: golden_weight in 13 s',
  );
  assert.equal(
    ui.endedStatusText({ ...base, status: 'ok', records: [record, record] }),
    '$(check) Ouro: 2 experiments in 13 s',
  );
  assert.equal(
    ui.endedLog({ ...base, status: 'error', message: 'weights must sum to 1' }),
    'run r1 error after 13 s: weights must sum to 1',
  );
  assert.equal(ui.fileName(uri), 'golden ratio.ouro');
});

test('the results panel opens by itself once per spec, unless the setting is off or one is open', () => {
  assert.equal(ui.shouldAutoOpen(undefined, false, false), true);
  assert.equal(ui.shouldAutoOpen(false, false, false), false);
  assert.equal(ui.shouldAutoOpen(true, true, false), false);
  assert.equal(ui.shouldAutoOpen(true, false, true), false, 'a panel the user closed stays closed');
});
