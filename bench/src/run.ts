// `npm run bench`: parse and analysis time of generated 5,000- and 10,000-line specs (see
// generate.ts). Every generated spec must analyse without errors or warnings, like the examples.
// Benchmarks report; tests gate: the exit code is 0 even when a target is missed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyze, parse } from '@ouro/dsl';
import { load, machine, median, root, round } from './bench-util.js';
import { countLines, generateSpec, readExamples } from './generate.js';

const resultsFile = join(root, 'bench', 'results', 'dsl.json');

const SIZES = [5_000, 10_000] as const;
const WARMUP_RUNS = 5;
const MEASURED_RUNS = 15;
/** Target: a 5,000-line spec is parsed and analysed in under this many milliseconds. */
const TARGET_5K_MS = 100;
/**
 * Target (issue #2): 10,000 lines in under twice the 5,000-line budget, i.e. < 200 ms. The ratio of the
 * two measured times is printed as well: about 2 when the cost is linear in the spec's length.
 */
const TARGET_10K_MS = 2 * TARGET_5K_MS;

interface Timing {
  readonly parse: number[];
  readonly total: number[];
  /** CPU time (user + system, all threads) of the analyze() call: less skewed by other work than wall time. */
  readonly totalCpu: number[];
}

/** Times `parse(text)` alone and `analyze(text)` (which parses, then analyses) once each. */
function timeOnce(text: string, into: Timing): void {
  const t0 = performance.now();
  parse(text);
  const parseMs = performance.now() - t0;
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  analyze(text);
  const totalMs = performance.now() - t1;
  const cpu = process.cpuUsage(c1);
  into.parse.push(parseMs);
  into.total.push(totalMs);
  into.totalCpu.push((cpu.user + cpu.system) / 1000);
}

function main(): void {
  const examples = readExamples(join(root, 'examples'));

  const specs = SIZES.map((lines) => {
    const { text, experiments } = generateSpec(examples, lines);
    const diagnostics = analyze(text).diagnostics;
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const warnings = diagnostics.filter((d) => d.severity === 'warning');
    if (errors.length > 0 || warnings.length > 0) {
      console.error(
        `WARNING: the generated ${lines}-line spec has ${errors.length} errors and ${warnings.length} warnings ` +
          `(first: ${JSON.stringify([...errors, ...warnings][0])}); the figures below are not representative.`,
      );
    }
    return {
      lines: countLines(text),
      bytes: Buffer.byteLength(text, 'utf8'),
      text,
      experiments,
      errors: errors.length,
      warnings: warnings.length,
    };
  });

  // Warm up on every size first, so that no size is measured with a colder JIT than another.
  const scratch: Timing = { parse: [], total: [], totalCpu: [] };
  for (let i = 0; i < WARMUP_RUNS; i++) for (const s of specs) timeOnce(s.text, scratch);

  const results = specs.map((s) => {
    const timing: Timing = { parse: [], total: [], totalCpu: [] };
    for (let i = 0; i < MEASURED_RUNS; i++) timeOnce(s.text, timing);
    const parseMs = median(timing.parse);
    const totalMs = median(timing.total);
    return {
      lines: s.lines,
      bytes: s.bytes,
      experiments: s.experiments,
      errors: s.errors,
      warnings: s.warnings,
      parseMs: round(parseMs),
      // The analysis proper: analyze() parses first, so its time less parse()'s is the rest.
      analyseMs: round(Math.max(0, totalMs - parseMs)),
      totalMs: round(totalMs),
      msPer1000Lines: round((totalMs / s.lines) * 1000),
      totalCpuMs: round(median(timing.totalCpu)),
      minTotalMs: round(Math.min(...timing.total)),
      maxTotalMs: round(Math.max(...timing.total)),
    };
  });

  const [small, large] = results as [(typeof results)[number], (typeof results)[number]];
  const ratio = large.totalMs / small.totalMs;
  const targets = [
    {
      target: `${small.lines} lines: total < ${TARGET_5K_MS} ms`,
      value: `${small.totalMs.toFixed(1)} ms`,
      pass: small.totalMs < TARGET_5K_MS,
    },
    {
      target: `${large.lines} lines: total < ${TARGET_10K_MS} ms (twice the ${small.lines}-line budget)`,
      value: `${large.totalMs.toFixed(1)} ms (ratio to ${small.lines} lines ${ratio.toFixed(2)})`,
      pass: large.totalMs < TARGET_10K_MS,
    },
  ];

  const environment = {
    ...machine(),
    /** The one-minute load average when the measurement ended: other work on the machine skews the figures. */
    loadAverage: load()[0] ?? 0,
    warmupRuns: WARMUP_RUNS,
    measuredRuns: MEASURED_RUNS,
    gc: 'not forced: steady state of repeated runs, as in a long-running language server',
  };

  const header = ['lines', 'bytes', 'parse ms', 'analyse ms', 'total ms', 'ms / 1000 lines', 'total cpu ms'];
  const rows = results.map((r) => [
    String(r.lines),
    String(r.bytes),
    r.parseMs.toFixed(1),
    r.analyseMs.toFixed(1),
    r.totalMs.toFixed(1),
    r.msPer1000Lines.toFixed(1),
    r.totalCpuMs.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');

  console.log(`Ouro DSL benchmark: ${environment.node}, ${environment.cpu} (${environment.cores} cores)`);
  console.log(`median of ${MEASURED_RUNS} runs after ${WARMUP_RUNS} warm-up runs; gc ${environment.gc}`);
  console.log(`load average ${environment.loadAverage} on ${environment.cores} cores (other work skews the figures)`);
  console.log('parse = parse(text); total = analyze(text), which parses and analyses; analyse = total - parse;');
  console.log(
    'wall times (performance.now), except total cpu ms: process CPU time of analyze(), GC threads included\n',
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log(`\nratio ${large.lines} / ${small.lines} lines (total): ${ratio.toFixed(2)}\n`);
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.target} (${t.value})`);
  const failed = targets.filter((t) => !t.pass).length;
  if (failed > 0) console.log(`\n*** FAIL: ${failed} of ${targets.length} targets missed ***`);

  mkdirSync(dirname(resultsFile), { recursive: true });
  const json = { environment, results, ratio: round(ratio, 3), targets };
  writeFileSync(resultsFile, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nwrote ${relative(root, resultsFile)}`);
}

main();
