// Helpers shared by the benchmarks (run.ts, lsp.ts, run-on-save.ts, runtime.ts, peers.ts): statistics, the
// machine's description with its load, a plain-text table, and a child process run under a time limit.
import { spawn } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

/** The repository root: these files run as bench/out/*.js, two folders down. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** The 1-, 5- and 15-minute load averages: other work on the machine skews every timing. */
export const load = (): number[] => loadavg().map((x) => round(x));

/** The machine a benchmark ran on, recorded in every results file. */
export interface Machine {
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly platform: string;
  /** ISO 8601: when the description was taken. */
  readonly date: string;
}

export function machine(): Machine {
  const cpu = cpus();
  return {
    node: process.version,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
}

/** A plain-text table with a rule under the header: numbers right-aligned, the `left` columns left-aligned. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  left: readonly number[] = [0],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (left.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export interface Finished {
  /** Exit code, or null when killed. */
  readonly code: number | null;
  readonly timedOut: boolean;
  /** Wall time from spawn to exit (or to the kill at the time limit). */
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to completion or until `limitMs`, then kills its whole process group (the command and
 * any workers or children it started), so a slow run can never hang the benchmark.
 */
export function runLimited(
  command: string,
  args: readonly string[],
  limitMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Finished> {
  return new Promise((resolve) => {
    const started = performance.now();
    const proc = spawn(command, args, { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (proc.pid !== undefined) process.kill(-proc.pid, 'SIGKILL');
      } catch {
        proc.kill('SIGKILL');
      }
    }, limitMs);
    const done = (code: number | null): void => {
      clearTimeout(timer);
      resolve({ code, timedOut, ms: performance.now() - started, stdout, stderr });
    };
    proc.on('error', (e) => {
      stderr += `${e.message}\n`;
      done(null);
    });
    proc.on('close', (code) => done(code));
  });
}

/** The last non-empty line of a process's output. */
export const lastLine = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .pop() ?? '';

/**
 * A one-line reason from a failed process's error output: the first line that names an error, not a
 * stack frame nor Node's version footer after an uncaught exception; else the last line.
 */
export function errorLine(text: string): string {
  const lines = text
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('at ') && !/^Node\.js v\d/.test(l));
  return lines.find((l) => /error/i.test(l)) ?? lines.pop() ?? '';
}
