// `npm run bench` (second part): language-server latency over the real protocol on a generated
// 5,000-line spec: hover and completion response times, and the time from an edit to its published
// diagnostics. Targets (issue #3): hover and completion p95 < 20 ms; diagnostics < 50 ms after a change.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { load, machine, root } from './bench-util.js';
import { generateSpec, readExamples } from './generate.js';

const resultsFile = join(root, 'bench', 'results', 'lsp.json');
const LINES = 5_000;
const REQUESTS = 200;
const EDITS = 30;

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

interface Published {
  uri: string;
  version?: number;
}

async function main(): Promise<void> {
  const { text } = generateSpec(readExamples(join(root, 'examples')), LINES);
  const uri = pathToFileURL(join(root, 'bench', 'generated-5000.ouro')).toString();
  const proc = spawn(process.execPath, [join(root, 'server', 'bin', 'ouro.js'), 'lsp', '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const waiting = new Map<number, (t: number) => void>();
  conn.onNotification('textDocument/publishDiagnostics', (p: Published) => {
    if (p.uri !== uri || p.version === undefined) return;
    waiting.get(p.version)?.(performance.now());
    waiting.delete(p.version);
  });
  conn.onNotification('window/logMessage', () => undefined);
  conn.listen();
  await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
  await conn.sendNotification('initialized', {});
  const published = (version: number): Promise<number> => new Promise((res) => waiting.set(version, res));

  const first = published(1);
  const t0 = performance.now();
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'ouro', version: 1, text } });
  const openMs = (await first) - t0;

  // Positions of words (names, keywords) to hover and complete at, spread over the file.
  const lines = text.split('\n');
  const positions: { line: number; character: number }[] = [];
  for (let i = 0; positions.length < REQUESTS; i = (i + 97) % lines.length) {
    const m = /[A-Za-z_]\w*/.exec(lines[i] ?? '');
    if (m) positions.push({ line: i, character: m.index + 1 });
  }
  const time = async (method: string, extra: object): Promise<number[]> => {
    const out: number[] = [];
    for (const position of positions) {
      const s = performance.now();
      await conn.sendRequest(method, { textDocument: { uri }, position, ...extra });
      out.push(performance.now() - s);
    }
    return out;
  };
  await time('textDocument/hover', {}); // warm-up
  const hover = await time('textDocument/hover', {});
  const completion = await time('textDocument/completion', {});

  // Edits: change one number in the middle of the file and measure until its diagnostics arrive:
  // inside an experiment (a sample count), and at the top level (a const that experiments use).
  let version = 1;
  const mid = Math.floor(lines.length / 2);
  const editLoop = async (pattern: RegExp, number: RegExp): Promise<number[]> => {
    const out: number[] = [];
    const line = lines.findIndex((l, i) => i >= mid && pattern.test(l));
    for (let k = 0; k < EDITS; k++) {
      version++;
      const old = lines[line]!;
      lines[line] = old.replace(number, (m) => m.replace(/\d+/, `${100 + (k % 3) * 7 + k}`));
      const done = published(version);
      const s = performance.now();
      await conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [
          { range: { start: { line, character: 0 }, end: { line, character: old.length } }, text: lines[line] },
        ],
      });
      out.push((await done) - s);
    }
    return out;
  };
  const diagInside = await editLoop(/^\s+real \d+ from \w+$/, /real \d+/);
  const diagTop = await editLoop(/^const \w+_replicates = \d+$/, /\d+$/);
  await conn.sendRequest('shutdown');
  await conn.sendNotification('exit');
  conn.dispose();
  proc.kill();

  const row = (
    name: string,
    xs: number[],
    target: number,
  ): { name: string; p50: number; p95: number; max: number; target: number; pass: boolean } => ({
    name,
    p50: Number(pct(xs, 50).toFixed(2)),
    p95: Number(pct(xs, 95).toFixed(2)),
    max: Number(Math.max(...xs).toFixed(2)),
    target,
    pass: pct(xs, 95) < target,
  });
  const rows = [
    row('hover', hover, 20),
    row('completion', completion, 20),
    row('edit in experiment → diagnostics', diagInside, 50),
    row('edit of top-level const → diagnostics', diagTop, 50),
  ];
  console.log(
    `language server on a ${LINES}-line spec (${text.length} bytes), over stdio; open → first diagnostics ${openMs.toFixed(1)} ms`,
  );
  console.log(`${'request'.padEnd(40)} p50 ms   p95 ms   max ms   target (p95)`);
  for (const r of rows)
    console.log(
      `${r.name.padEnd(40)} ${String(r.p50).padStart(6)}   ${String(r.p95).padStart(6)}   ${String(r.max).padStart(6)}   < ${r.target} ms  ${r.pass ? 'PASS' : 'FAIL'}`,
    );
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(
    resultsFile,
    JSON.stringify(
      {
        environment: { ...machine(), loadavg: load() },
        lines: LINES,
        bytes: text.length,
        openMs,
        rows,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${resultsFile.slice(root.length)}`);
}

await main();
