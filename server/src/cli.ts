import { readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { resolve, relative, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze, format, lower, LineIndex, type Diagnostic, type Host } from '@ouro/dsl';
import { run, runUsage } from './run-command.js';
import { errorText, notOneSpec, writeAtomic } from './files.js';
import { count } from './stats.js';

const usage = `ouro — experiment specs for generative models that learn from generated data

Usage:
  ouro check [--json] FILE...      check specs; prints path:line:col: severity[code]: message
  ouro fmt [--check] FILE...       format specs in place (--check: list files that would change)
  ouro ir FILE                     print the lowered IR of a spec as JSON
${runUsage}
  ouro lsp [--stdio]               run the language server (stdio by default; --node-ipc from VS Code)
  ouro --version | --help

Exit status: 0 when no errors, 1 when a spec has errors (or fmt --check finds unformatted files),
2 on a usage error. A directory argument means every *.ouro file below it.`;

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

const stdio: Io = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
};

/** Reads files for `use "..."`; URIs here are absolute paths. */
export const fileHost: Host = {
  read(uri: string): string | undefined {
    try {
      return readFileSync(uri, 'utf8');
    } catch {
      return undefined;
    }
  },
};

function version(): string {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    const pkg = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

function expandFiles(args: string[], io: Io): string[] | undefined {
  const files: string[] = [];
  for (const a of args) {
    if (!existsSync(a)) {
      io.err(`ouro: ${a}: no such file or directory`);
      return undefined;
    }
    if (statSync(a).isDirectory()) {
      const walk = (d: string): void => {
        for (const e of readdirSync(d, { withFileTypes: true })) {
          if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
          const p = join(d, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.name.endsWith('.ouro')) files.push(p);
        }
      };
      const before = files.length;
      walk(a);
      if (files.length === before) {
        io.err(`ouro: ${a}: no .ouro files in this folder (or below it)`);
        return undefined;
      }
    } else files.push(a);
  }
  return [...new Set(files)].sort();
}

export interface JsonDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
  readonly severity: Diagnostic['severity'];
  readonly code: string;
  readonly message: string;
  readonly paper?: string;
}

function toJson(file: string, lines: LineIndex, d: Diagnostic): JsonDiagnostic {
  const s = lines.lineCol(d.range.start);
  const e = lines.lineCol(d.range.end);
  const j: JsonDiagnostic = {
    file,
    line: s.line + 1,
    col: s.col + 1,
    endLine: e.line + 1,
    endCol: e.col + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
  return d.paper ? { ...j, paper: d.paper } : j;
}

function check(args: string[], io: Io): number {
  const json = args.includes('--json');
  const rest = args.filter((a) => a !== '--json');
  const unknownFlag = rest.find((a) => a.startsWith('-'));
  if (unknownFlag) {
    io.err(`ouro check: unknown option ${unknownFlag}\n\n${usage}`);
    return 2;
  }
  if (rest.length === 0) {
    io.err(`ouro check: name at least one .ouro file\n\n${usage}`);
    return 2;
  }
  const files = expandFiles(rest, io);
  if (!files) return 2;
  let errors = 0;
  let warnings = 0;
  const all: JsonDiagnostic[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const a = analyze(text, { uri: resolve(f), host: fileHost });
    const lines = new LineIndex(text);
    const shown = relative(process.cwd(), f) || f;
    for (const d of a.diagnostics) {
      const j = toJson(shown, lines, d);
      if (d.severity === 'error') errors++;
      else if (d.severity === 'warning') warnings++;
      if (json) all.push(j);
      else
        io.out(
          `${j.file}:${j.line}:${j.col}: ${j.severity}[${j.code}]: ${j.message}${d.paper ? ` [shared/papers/${d.paper}]` : ''}`,
        );
    }
  }
  if (json) io.out(JSON.stringify(all, null, 2));
  else if (errors + warnings > 0 || files.length > 1) {
    io.err(`${count(files.length, 'file')} checked: ${count(errors, 'error')}, ${count(warnings, 'warning')}`);
  }
  return errors > 0 ? 1 : 0;
}

function fmt(args: string[], io: Io): number {
  const checkOnly = args.includes('--check');
  const rest = args.filter((a) => a !== '--check');
  const unknownFlag = rest.find((a) => a.startsWith('-'));
  if (unknownFlag) {
    io.err(`ouro fmt: unknown option ${unknownFlag}\n\n${usage}`);
    return 2;
  }
  if (rest.length === 0) {
    io.err(`ouro fmt: name at least one .ouro file\n\n${usage}`);
    return 2;
  }
  const files = expandFiles(rest, io);
  if (!files) return 2;
  let status = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const r = format(text);
    if (r.diagnostics.some((d) => d.severity === 'error')) {
      const lines = new LineIndex(text);
      for (const d of r.diagnostics) {
        const j = toJson(f, lines, d);
        io.err(`${j.file}:${j.line}:${j.col}: ${j.severity}[${j.code}]: ${j.message}`);
      }
      io.err(`ouro fmt: ${f} has syntax errors; not formatted`);
      status = 1;
      continue;
    }
    if (!r.changed) continue;
    if (checkOnly) {
      io.out(f);
      status = 1;
    } else {
      try {
        writeAtomic(f, r.text);
        io.out(`formatted ${f}`);
      } catch (e) {
        io.err(`ouro fmt: could not write ${f}: ${errorText(e)}`);
        status = 1;
      }
    }
  }
  return status;
}

function ir(args: string[], io: Io): number {
  if (args.length !== 1 || args[0]!.startsWith('-')) {
    io.err(`ouro ir: name exactly one .ouro file\n\n${usage}`);
    return 2;
  }
  const f = args[0]!;
  const problem = notOneSpec(f, 'ir');
  if (problem) {
    io.err(problem);
    return 2;
  }
  const text = readFileSync(f, 'utf8');
  const a = analyze(text, { uri: resolve(f), host: fileHost });
  const program = lower(a);
  if (!program) {
    const lines = new LineIndex(text);
    for (const d of a.diagnostics.filter((x) => x.severity === 'error')) {
      const j = toJson(f, lines, d);
      io.err(`${j.file}:${j.line}:${j.col}: ${j.severity}[${j.code}]: ${j.message}`);
    }
    io.err(`ouro ir: ${f} has errors; fix them to get its IR`);
    return 1;
  }
  io.out(JSON.stringify(program, null, 2));
  return 0;
}

/** Runs the command line; returns the exit status. */
export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'check':
      return check(args, io);
    case 'fmt':
      return fmt(args, io);
    case 'ir':
      return ir(args, io);
    case 'run':
      return run(args, io, usage);
    case 'lsp': {
      // The transports vscode-languageserver reads from process.argv, and the client's process id.
      const transport = /^--(stdio|node-ipc|socket(=\d+)?|pipe(=.+)?)$/;
      const unknown = args.find((a) => !transport.test(a) && !/^--clientProcessId(=\d+)?$/.test(a));
      if (unknown !== undefined) {
        io.err(
          `ouro lsp: unknown option ${unknown}; use --stdio (the default), --node-ipc, --socket=PORT or --pipe=NAME`,
        );
        return 2;
      }
      // stdio is the default here.
      if (!args.some((a) => transport.test(a))) process.argv.push('--stdio');
      const { startServer } = await import('./lsp/server.js');
      startServer();
      return new Promise<number>(() => {
        // The server runs until the client asks it to exit.
      });
    }
    case '--version':
    case '-v':
      io.out(version());
      return 0;
    case undefined:
      io.err(usage);
      return 2;
    case '--help':
    case '-h':
    case 'help':
      io.out(usage);
      return 0;
    default:
      io.err(`ouro: unknown command ${cmd}\n\n${usage}`);
      return 2;
  }
}
