import type { Analysis } from '../semantics/analyze.js';
import { lookup, optionBlocks, type ParamSpec } from '../catalog/catalog.js';
import { scopeLookup, moduleDecls } from '../semantics/evaluate.js';
import { callAt, experimentAt } from './ast-walk.js';
import { tokenIndexBefore } from './navigation.js';

export interface SignatureHelp {
  readonly label: string;
  readonly documentation: string;
  readonly parameters: readonly { readonly label: string; readonly documentation: string }[];
  readonly activeParameter: number;
}

function paramLabel(p: ParamSpec): string {
  return `${p.name}: ${p.type}${p.default !== undefined ? ` = ${Array.isArray(p.default) ? `[${p.default.join(', ')}]` : String(p.default)}` : p.optional ? '?' : ''}`;
}

/** The signature of the call whose arguments hold `offset`, with the parameter being written. */
export function signatureHelp(a: Analysis, offset: number): SignatureHelp | undefined {
  const hit = callAt(a.parse.spec, offset);
  if (!hit || hit.call.callee.kind !== 'Name') return undefined;
  const name = hit.call.callee.name.text;
  const exp = experimentAt(a.parse.spec, offset);
  const scope = (exp ? a.experiments.find((x) => x.decl === exp)?.scope : undefined) ?? a.scope;
  let params: readonly ParamSpec[];
  let doc: string;
  const sym = scopeLookup(scope, name);
  const mod = sym?.kind === 'module' ? moduleDecls.get(sym) : undefined;
  if (mod) {
    params = mod.params.map((p) => ({
      name: p.name.text,
      type: 'any',
      doc: `parameter of module ${name}`,
      optional: p.default !== undefined,
    }));
    doc = `module ${name}`;
  } else {
    const e = lookup(name)[0];
    const opt = Object.values(optionBlocks)
      .flat()
      .find((o) => o.name === name && o.call);
    if (e) {
      params = e.params;
      doc = e.doc;
    } else if (opt?.call) {
      params = opt.call;
      doc = opt.doc;
    } else return undefined;
  }
  // The active parameter: the argument being written, read from the tokens (the parser may have
  // dropped an incomplete one): a `name:` before the cursor, else the number of commas.
  const toks = a.parse.tokens;
  let active = 0;
  let named: string | undefined;
  let depth = 0;
  for (let j = tokenIndexBefore(toks, offset); j >= 0; j--) {
    const t = toks[j]!;
    if (t.startOffset < hit.call.argsRange.start) break;
    const w = t.image;
    if (w === ')' || w === ']' || w === '}') depth++;
    else if ((w === '(' || w === '[' || w === '{') && depth > 0) depth--;
    else if (depth === 0 && w === ',') active++;
    else if (depth === 0 && w === ':' && active === 0 && named === undefined) named = toks[j - 1]?.image;
  }
  if (named !== undefined) active = params.findIndex((p) => p.name === named);
  else {
    const variadic = params.findIndex((p) => p.variadic);
    if (variadic >= 0 && active >= variadic) active = variadic;
  }
  const labels = params.map(paramLabel);
  return {
    label: `${name}(${labels.join(', ')})`,
    documentation: doc,
    parameters: params.map((p, i) => ({ label: labels[i]!, documentation: p.doc })),
    activeParameter: Math.max(0, Math.min(active < 0 ? params.length : active, Math.max(0, params.length))),
  };
}
