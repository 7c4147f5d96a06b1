import type * as A from '../syntax/ast.js';
import type { TextRange } from '../text/text-range.js';

/** Visits every node (declarations, statements, block items, expressions) with its parent chain. */
export function walk(
  spec: A.Spec,
  visit: (node: { readonly range: TextRange; readonly kind?: string }, parents: readonly unknown[]) => void,
): void {
  const stack: unknown[] = [];
  const go = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) go(y);
      return;
    }
    const o = x as Record<string, unknown>;
    const isNode =
      typeof o['range'] === 'object' && o['range'] !== null && !('text' in o && Object.keys(o).length === 2);
    if (isNode) visit(o as { range: TextRange; kind?: string }, stack);
    stack.push(o);
    for (const [k, v] of Object.entries(o)) if (k !== 'range' && k !== 'comments' && v && typeof v === 'object') go(v);
    stack.pop();
  };
  go(spec.decls);
}

/** The innermost call whose parenthesised arguments contain `offset`, with the index of the argument there. */
export function callAt(spec: A.Spec, offset: number): { call: A.CallExpr; argIndex: number } | undefined {
  let best: A.CallExpr | undefined;
  walk(spec, (n) => {
    if (n.kind !== 'Call') return;
    const c = n as A.CallExpr;
    if (offset > c.argsRange.start && offset <= c.argsRange.end - (c.argsRange.end > c.argsRange.start ? 0 : 0)) {
      if (!best || c.argsRange.start >= best.argsRange.start) best = c;
    }
  });
  if (!best) return undefined;
  const b: A.CallExpr = best;
  let argIndex = 0;
  b.args.forEach((a, i) => {
    if (a.range.start <= offset) argIndex = i;
  });
  // After a comma that follows the last argument: the next argument.
  const last = b.args[argIndex];
  if (last && offset > last.range.end) argIndex++;
  if (b.args.length === 0) argIndex = 0;
  return { call: b, argIndex };
}

/** Every node whose range contains `offset`, outermost first. */
export function nodesAt(spec: A.Spec, offset: number): { range: TextRange; kind?: string }[] {
  const out: { range: TextRange; kind?: string }[] = [];
  walk(spec, (n) => {
    if (offset >= n.range.start && offset <= n.range.end) out.push(n);
  });
  return out.sort((a, b) => a.range.start - b.range.start || b.range.end - a.range.end);
}

/** The experiment declaration containing `offset`. */
export function experimentAt(spec: A.Spec, offset: number): A.ExperimentDecl | undefined {
  return spec.decls.find(
    (d): d is A.ExperimentDecl =>
      d.kind === 'Experiment' && offset > d.bodyRange.start && offset < Math.max(d.bodyRange.end, d.range.end + 1),
  );
}
