// `npm run bench` (run on save): the time from saving examples/golden-ratio.ouro to its first inline value,
// over the real protocol: `ouro lsp --stdio`, didSave, the server runs the preview budget in a worker and asks
// for `workspace/inlayHint/refresh`; the editor's inlay request then carries `err min … at w=…`.
// Target (issue #5): under 2 s. The first save (a fresh server) and later saves of an edited spec (each run
// in a fresh worker) are reported separately.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { load, machine, median, root } from './bench-util.js';

const resultsFile = join(root, 'bench', 'results', 'run-on-save.json');
const TARGET_MS = 2000;
const SAVES = 6;

interface Hint {
  label: string | { value: string }[];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ouro-bench-save-'));
  const file = join(dir, 'golden-ratio.ouro');
  const original = readFileSync(join(root, 'examples', 'golden-ratio.ouro'), 'utf8');
  writeFileSync(file, original);
  const uri = pathToFileURL(file).toString();
  const proc = spawn(process.execPath, [join(root, 'server', 'bin', 'ouro.js'), 'lsp', '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  let onRefresh: (() => void) | undefined;
  conn.onRequest('workspace/inlayHint/refresh', () => {
    onRefresh?.();
    return null;
  });
  conn.onNotification('window/logMessage', () => undefined);
  conn.onNotification('textDocument/publishDiagnostics', () => undefined);
  let onEnded: ((wallMs: number) => void) | undefined;
  conn.onNotification('ouro/runEnded', (p: { status: string; wallMs: number; message?: string }) => {
    if (p.status === 'error') console.error(`run failed: ${p.message}`);
    onEnded?.(p.wallMs);
  });
  conn.listen();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).toString(),
    capabilities: { workspace: { inlayHint: { refreshSupport: true } } },
    initializationOptions: { runOnSave: true },
  });
  await conn.sendNotification('initialized', {});
  await conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'ouro', version: 1, text: original },
  });
  // The user looks at the spec a moment before saving it.
  await new Promise((r) => setTimeout(r, 1500));

  const valueHint = async (): Promise<string | undefined> => {
    const hints = await conn.sendRequest<Hint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 1000, character: 0 } },
    });
    const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    return labels.find((l) => /^err min \S+ at w=/.test(l) && !l.endsWith('(stale)'));
  };

  /** Saves, then answers each inlay refresh with an inlay request, as an editor does, until the value shows. */
  const saveToValue = async (): Promise<{ ms: number; label: string; runMs: number }> => {
    const t0 = performance.now();
    const shown = new Promise<{ ms: number; label: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no inline value within 60 s')), 60_000);
      onRefresh = () => {
        void valueHint().then((label) => {
          if (!label) return;
          clearTimeout(timer);
          onRefresh = undefined;
          resolve({ ms: performance.now() - t0, label });
        });
      };
    });
    const ended = new Promise<number>((resolve) => (onEnded = resolve));
    await conn.sendNotification('textDocument/didSave', { textDocument: { uri } });
    const r = await shown;
    return { ...r, runMs: await ended };
  };

  const samples: { save: number; ms: number; runMs: number; label: string }[] = [];
  for (let i = 0; i < SAVES; i++) {
    if (i > 0) {
      // An edit that changes the experiment's IR (its seed), so the save runs it again.
      const text = original.replace('seed 7', `seed ${7 + i}`);
      await conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: i + 1 },
        contentChanges: [{ text }],
      });
    }
    const s = await saveToValue();
    samples.push({ save: i + 1, ms: Math.round(s.ms), runMs: s.runMs, label: s.label });
    // An editor's user reads the value before saving again: the server starts its next warm worker meanwhile.
    await new Promise((r) => setTimeout(r, 1500));
  }
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  conn.dispose();
  proc.kill();
  rmSync(dir, { recursive: true, force: true });

  const first = samples[0]!;
  const later = samples.slice(1).map((s) => s.ms);
  const laterMedian = median(later);
  const worst = Math.max(first.ms, ...later);
  console.log('save → first inline value, examples/golden-ratio.ouro at preview budget (50 × 19 × 30), over stdio');
  for (const s of samples)
    console.log(`  save ${s.save}: ${String(s.ms).padStart(5)} ms  (run ${s.runMs} ms in its worker)  ${s.label}`);
  console.log(
    `first save ${first.ms} ms; later saves median ${laterMedian} ms; worst ${worst} ms; target < ${TARGET_MS} ms  ${worst < TARGET_MS ? 'PASS' : 'FAIL'}`,
  );
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(
    resultsFile,
    JSON.stringify(
      {
        machine: machine(),
        load: load(),
        spec: 'examples/golden-ratio.ouro',
        budget: 'preview',
        targetMs: TARGET_MS,
        firstSaveMs: first.ms,
        laterSavesMedianMs: laterMedian,
        worstMs: worst,
        pass: worst < TARGET_MS,
        samples,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${resultsFile.slice(root.length)}`);
}

await main();
