import type { Analysis } from '../semantics/analyze.js';
import { fmtCount } from '../semantics/experiment.js';

export interface InlayHint {
  /** Where the hint is shown (after this offset). */
  readonly offset: number;
  readonly label: string;
  readonly tooltip?: string;
}

/** Hints for what is inferred but not written: model dimensions, sweep sizes, fractal products, experiment cost. */
export function inlayHints(a: Analysis, from = 0, to = Infinity): InlayHint[] {
  const out: InlayHint[] = [];
  for (const e of a.experiments) {
    const name = e.decl.name;
    if (name && name.range.end >= from && name.range.end <= to) {
      const c = e.cost;
      out.push({
        offset: name.range.end,
        label: `≈ ${fmtCount(c.runs)} runs, ${fmtCount(c.samples)} samples`,
        tooltip: `Static cost estimate: ${fmtCount(c.runs)} runs, ${fmtCount(c.samples)} samples, ${fmtCount(c.params)} parameters, ${fmtCount(c.flops)} FLOPs`,
      });
    }
    for (const m of e.models) {
      const r = m.sym.nameRange;
      if (r.end < from || r.end > to) continue;
      const bits: string[] = [];
      if (m.fractal && m.fractal.tokens.length)
        bits.push(`${m.fractal.tokens.join('×')} = ${m.fractal.tokens.reduce((x, y) => x * y, 1)}`);
      else if (m.classes !== undefined) bits.push(`${m.classes} classes`);
      else if (m.dim !== undefined) bits.push(m.inDim !== undefined ? `${m.inDim} → ${m.dim}` : `dim ${m.dim}`);
      if (bits.length) out.push({ offset: r.end, label: `: ${bits.join(', ')}`, tooltip: m.sym.detail });
    }
    for (const s of e.sweeps) {
      const r = s.sym.nameRange;
      if (r.end < from || r.end > to || s.values.length === 0) continue;
      out.push({ offset: r.end, label: `: ${s.values.length} values`, tooltip: s.sym.detail });
    }
  }
  return out.sort((x, y) => x.offset - y.offset);
}
