import type { Spec } from '@ouro/dsl';

/**
 * Renders an AST as an indented tree, one node per line: `Kind start..end` followed by its scalar
 * fields; child nodes are indented below their field name. Used by the parser's golden tests.
 */
export function dumpAst(spec: Spec): string {
  const out: string[] = [];
  const visit = (label: string, v: unknown, depth: number): void => {
    const pad = '  '.repeat(depth);
    if (v === undefined || v === null) {
      out.push(`${pad}${label}: <missing>`);
      return;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push(`${pad}${label}: []`);
        return;
      }
      out.push(`${pad}${label}:`);
      v.forEach((x, i) => visit(`[${i}]`, x, depth + 1));
      return;
    }
    if (typeof v !== 'object') {
      out.push(`${pad}${label}: ${JSON.stringify(v)}`);
      return;
    }
    const o = v as Record<string, unknown>;
    const range = o['range'] as { start: number; end: number } | undefined;
    // A name: `text @start..end` on one line.
    if (typeof o['text'] === 'string' && range && Object.keys(o).length === 2) {
      out.push(`${pad}${label}: ${JSON.stringify(o['text'])} @${range.start}..${range.end}`);
      return;
    }
    const kind = typeof o['kind'] === 'string' ? `${o['kind'] as string}` : '';
    const scalars: string[] = [];
    const children: [string, unknown][] = [];
    for (const [k, x] of Object.entries(o)) {
      if (k === 'kind' || k === 'range' || k === 'comments') continue;
      if (x !== null && typeof x === 'object') children.push([k, x]);
      else if (x !== undefined) scalars.push(`${k}=${JSON.stringify(x)}`);
      else children.push([k, x]);
    }
    out.push(
      `${pad}${label}: ${kind}${range ? ` @${range.start}..${range.end}` : ''}${scalars.length ? ` ${scalars.join(' ')}` : ''}`.trimEnd(),
    );
    for (const [k, x] of children) visit(k, x, depth + 1);
  };
  visit('spec', { ...spec, comments: undefined }, 0);
  out.push(`comments: ${spec.comments.length}`);
  return out.join('\n') + '\n';
}
