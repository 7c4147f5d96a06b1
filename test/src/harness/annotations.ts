import { LineIndex, type Diagnostic } from '@ouro/dsl';

/*
 * Fixture files carry their expected diagnostics inline, as comments under the offending text:
 *
 *   weights real: 1.5, synthetic: -0.5
 *   //            ^^^ error[weight-out-of-range]: the real weight is 1.5; weights lie in [0, 1]
 *
 * The carets sit under the diagnostic's range on the nearest code line above. Ranges that cannot
 * be drawn that way (starting in column 1 or 2, spanning lines, or empty) use the explicit form
 *
 *   // @3:1-3:5 error[syntax-error]: ...
 *
 * with one-based line:col positions in the file with the annotation lines removed.
 */

const caret = /^(\s*)\/\/(\s*)(\^+) (error|warning|info|hint)\[([a-z0-9-]+)\]: (.*)$/;
const explicit = /^\s*\/\/ @(\d+):(\d+)-(\d+):(\d+) (error|warning|info|hint)\[([a-z0-9-]+)\]: (.*)$/;

export function isAnnotation(line: string): boolean {
  return caret.test(line) || explicit.test(line);
}

/** The fixture's source: the text without its annotation lines. */
export function stripAnnotations(text: string): string {
  return text
    .split('\n')
    .filter((l) => !isAnnotation(l))
    .join('\n');
}

/** Renders `source` with `diagnostics` as inline annotations: the form fixture files are written in. */
export function renderAnnotated(source: string, diagnostics: readonly Diagnostic[]): string {
  const lines = source.split('\n');
  const index = new LineIndex(source);
  const after = new Map<number, string[]>();
  const sorted = [...diagnostics].sort(
    (a, b) =>
      a.range.start - b.range.start ||
      a.range.end - b.range.end ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
  for (const d of sorted) {
    const s = index.lineCol(d.range.start);
    const e = index.lineCol(d.range.end);
    const label = `${d.severity}[${d.code}]: ${d.message.replace(/\n/g, ' ')}`;
    let ann: string;
    if (s.line === e.line && s.col >= 2 && e.col > s.col) {
      ann = `${' '.repeat(0)}//${' '.repeat(s.col - 2)}${'^'.repeat(e.col - s.col)} ${label}`;
    } else {
      ann = `// @${s.line + 1}:${s.col + 1}-${e.line + 1}:${e.col + 1} ${label}`;
    }
    const list = after.get(s.line) ?? [];
    list.push(ann);
    after.set(s.line, list);
  }
  const out: string[] = [];
  lines.forEach((l, i) => {
    out.push(l);
    for (const a of after.get(i) ?? []) out.push(a);
  });
  return out.join('\n');
}
