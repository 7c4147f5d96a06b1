import type * as A from '../syntax/ast.js';
import type { TextRange } from '../text/text-range.js';
import { LineIndex } from '../text/text-range.js';
import type { Analysis } from '../semantics/analyze.js';
import { dataDim } from '../semantics/analyze.js';
import { exprText } from '../semantics/theory.js';
import type { ExperimentInfo } from '../semantics/experiment.js';
import { evaluate, scopeLookup, Sink, type EvalCtx, type Scope } from '../semantics/evaluate.js';
import type { Value } from '../semantics/symbols.js';
import {
  IR_VERSION,
  type IrExperiment,
  type IrCompared,
  type IrExpr,
  type IrInject,
  type IrLoop,
  type IrModel,
  type IrProgram,
  type IrSchedule,
  type IrSource,
  type IrValue,
  type IrView,
  type IrData,
} from './ir.js';

/** Lowers an analysed spec to the IR. Returns undefined when the spec has errors. */
export function lower(analysis: Analysis): IrProgram | undefined {
  if (analysis.hasErrors) return undefined;
  const lines = new LineIndex(analysis.text);
  const sourceMap: Record<string, IrSource> = {};
  const at = (id: string, r: TextRange): string => {
    const lc = lines.lineCol(r.start);
    sourceMap[id] = { uri: analysis.uri, start: r.start, end: r.end, line: lc.line + 1, col: lc.col + 1 };
    return id;
  };
  const data: Record<string, IrData> = {};
  for (const s of analysis.symbols) {
    if (s.kind !== 'data' || s.value.t !== 'call') continue;
    const id = at(`data:${s.name}`, s.declRange);
    data[s.name] = {
      id,
      name: s.name,
      kind: s.value.entry.name,
      args: argsToIr(s.value.args),
      dim: dataDim(s.value) ?? null,
    };
  }
  // Imported data used by this file's experiments.
  for (const imp of analysis.imports) {
    const importLines = imp.analysis ? new LineIndex(imp.analysis.text) : undefined;
    for (const s of imp.analysis?.symbols ?? []) {
      if (s.kind !== 'data' || s.value.t !== 'call' || data[s.name]) continue;
      data[s.name] = {
        id: `data:${s.name}`,
        name: s.name,
        kind: s.value.entry.name,
        args: argsToIr(s.value.args),
        dim: dataDim(s.value) ?? null,
      };
      const lc = importLines?.lineCol(s.declRange.start) ?? { line: 0, col: 0 };
      sourceMap[`data:${s.name}`] = {
        uri: s.uri,
        start: s.declRange.start,
        end: s.declRange.end,
        line: lc.line + 1,
        col: lc.col + 1,
      };
    }
  }
  const experiments = analysis.experiments.map((e) => lowerExperiment(e, analysis.uri, at));
  return { version: IR_VERSION, uri: analysis.uri, data, experiments, sourceMap };
}

type At = (id: string, r: TextRange) => string;

function valueToIr(v: Value): IrValue {
  switch (v.t) {
    case 'num':
    case 'str':
    case 'bool':
      return v.v;
    case 'list':
      return v.items.map(valueToIr);
    case 'range':
      return { call: 'range', args: { from: v.from, to: v.to, step: v.step } };
    case 'enum':
    case 'word':
      return v.name;
    case 'call':
      return { call: v.entry.name, args: argsToIr(v.args) };
    case 'model':
      return { model: v.sym.name };
    case 'generators':
      return v.items.map(valueToIr);
    case 'split':
      return { call: v.data.entry.name, args: { ...argsToIr(v.data.args), split: v.split } };
    case 'member':
      return { member: v.member, of: valueToIr(v.of) };
    case 'selected':
      return { selected: true };
    default:
      return null;
  }
}

function argsToIr(args: Readonly<Record<string, Value>>): Record<string, IrValue> {
  const out: Record<string, IrValue> = {};
  for (const [k, v] of Object.entries(args)) out[k] = valueToIr(v);
  return out;
}

class Lowerer {
  readonly ctx: EvalCtx;
  constructor(
    readonly scope: Scope,
    uri: string,
    hasSelected: boolean,
  ) {
    this.ctx = { sink: new Sink(uri), scope, report: false, inLoop: true, hasSelected };
  }

  /** A value: names of data and models stay references; dynamic expressions become IrExpr. */
  value(e: A.Expr | undefined): IrValue {
    if (!e) return null;
    if (e.kind === 'Name') {
      const s = scopeLookup(this.scope, e.name.text);
      if (s?.kind === 'data') return { data: s.name };
      if (s?.kind === 'model') return { model: s.name };
    }
    if (e.kind === 'Member' && e.object.kind === 'Name' && e.member) {
      const s = scopeLookup(this.scope, e.object.name.text);
      if (s?.kind === 'data' && (e.member.text === 'train' || e.member.text === 'test'))
        return { data: s.name, split: e.member.text };
      if (s?.kind === 'data' || s?.kind === 'model') return { member: e.member.text, of: this.value(e.object) };
    }
    const v = evaluate(e, this.ctx);
    if (v.t === 'dynamic') return { expr: this.expr(e) };
    return valueToIr(v);
  }

  expr(e: A.Expr | undefined): IrExpr {
    if (!e) return { op: 'num', value: NaN };
    const v = evaluate(e, this.ctx);
    if (v.t === 'num') return { op: 'num', value: v.v };
    if (v.t === 'bool') return { op: 'bool', value: v.v };
    if (v.t === 'enum' || v.t === 'word') return { op: 'sym', value: v.name };
    switch (e.kind) {
      case 'Name':
        return { op: 'var', name: e.name.text };
      case 'Paren':
        return this.expr(e.inner);
      case 'Unary':
        return { op: e.op === '-' ? 'neg' : 'not', a: this.expr(e.operand) };
      case 'Binary':
        return { op: 'bin', fn: e.op, a: this.expr(e.left), b: this.expr(e.right) };
      case 'Call':
        return {
          op: 'call',
          fn: e.callee.kind === 'Name' ? e.callee.name.text : '?',
          args: e.args.map((a) => this.expr(a.value)),
        };
      case 'If':
        return { op: 'if', cond: this.expr(e.cond), then: this.expr(e.then), else: this.expr(e.else) };
      default:
        return { op: 'num', value: NaN };
    }
  }

  num(e: A.Expr | undefined, fallback: number): number {
    const v = evaluate(e, this.ctx);
    return v.t === 'num' ? v.v : fallback;
  }

  schedule(s: A.Schedule | undefined): IrSchedule | null {
    if (!s || s.kind === 'final') return null;
    return { every: s.count ? this.num(s.count, 1) : 1, unit: s.unit ?? 'generation' };
  }

  options(o: A.OptionsBlock | undefined): Record<string, IrValue> {
    const out: Record<string, IrValue> = {};
    for (const e of o?.entries ?? []) {
      if (!e.key) continue;
      if (e.call) {
        const args: Record<string, IrValue> = {};
        for (const a of e.call.args) if (a.name) args[a.name.text] = this.value(a.value);
        out[e.key.text] = { call: e.key.text, args };
      } else
        out[e.key.text] =
          e.value?.kind === 'Name' && !scopeLookup(this.scope, e.value.name.text)
            ? e.value.name.text
            : this.value(e.value);
    }
    return out;
  }
}

function lowerExperiment(info: ExperimentInfo, uri: string, at: At): IrExperiment {
  const d = info.decl;
  const base = info.name;
  const L = new Lowerer(
    info.scope,
    uri,
    d.body.some((s) => s.kind === 'Select'),
  );
  const id = at(`experiment:${base}`, d.range);
  const sweeps = info.sweeps.map((s) => ({
    id: at(`${id}/sweep:${s.sym.name}`, s.stmt.range),
    name: s.sym.name,
    values: s.values.map(valueToIr),
  }));
  const models: IrModel[] = info.models.map((m) => {
    const mid = at(`${id}/model:${m.sym.name}`, m.stmt.range);
    const fr = m.fractal;
    const model: IrModel = {
      id: mid,
      name: m.sym.name,
      kind: m.kind,
      args: m.call ? argsToIr(m.call.args) : {},
      on: m.stmt.on ? L.value(m.stmt.on) : null,
      dim: m.dim ?? null,
      classes: m.classes ?? null,
      params: m.params ?? null,
    };
    if (fr) {
      return {
        ...model,
        fractal: {
          levels: fr.tokens.map((t, i) => ({ tokens: t, width: fr.widths[i] ?? 0, depth: fr.depths[i] ?? 1 })),
          head: fr.head ?? 2,
        },
      };
    }
    return model;
  });
  const loop = lowerLoop(info, L, id, at);
  const metrics = info.metrics.map((m) => {
    const mid = at(`${id}/metric:${m.sym.name}`, m.stmt.range);
    const args: Record<string, IrValue> = {};
    const call = m.stmt.value?.kind === 'Call' ? m.stmt.value : undefined;
    const v = evaluate(m.stmt.value, L.ctx, ['metric']);
    if (v.t === 'call' && call) {
      const params = v.entry.params;
      const variadic = params.find((p) => p.variadic);
      let pos = 0;
      const rest: IrValue[] = [];
      for (const a of call.args) {
        if (a.name) args[a.name.text] = L.value(a.value);
        else if (variadic && pos >= params.indexOf(variadic)) rest.push(L.value(a.value));
        else {
          const p = params[pos++];
          if (p) args[p.name] = L.value(a.value);
        }
      }
      if (variadic) args[variadic.name] = rest;
      for (const p of params)
        if (!(p.name in args) && p.default !== undefined) args[p.name] = valueToIr(v.args[p.name] ?? { t: 'unknown' });
    }
    const schedule: IrMetric['schedule'] = m.unit === 'final' ? 'final' : { every: m.every, unit: m.unit };
    return { id: mid, name: m.sym.name, metric: m.metric ?? '', args, schedule };
  });
  const views: IrView[] = [];
  d.body.forEach((s, i) => {
    if (s.kind !== 'View') return;
    const vid = at(`${id}/view:${i}`, s.range);
    if (s.samples) {
      views.push({
        id: vid,
        kind: 'samples',
        metric: null,
        over: null,
        by: null,
        mark: null,
        model: s.samples.model?.text ?? null,
        as: (s.samples.as?.text as 'scatter' | 'grid') ?? 'scatter',
      });
      return;
    }
    const subject = s.subject?.text ?? null;
    const kind: IrView['kind'] =
      subject === 'proportions' ? 'proportions' : s.over ? 'over' : s.by ? 'against' : 'final';
    views.push({
      id: vid,
      kind,
      metric: subject === 'proportions' ? null : subject,
      over: s.over?.text ?? null,
      by: s.by?.text ?? null,
      mark: (s.mark?.text as 'min' | 'max' | undefined) ?? null,
      model: null,
      as: null,
    });
  });
  return {
    id,
    name: base,
    seed: info.seed ?? 0,
    replicates: info.replicates,
    sweeps,
    models,
    loop,
    metrics,
    views,
    preview: { ...info.preview },
    cost: info.cost,
    previewCost: info.previewCost ?? null,
  };
}

type IrMetric = IrExperiment['metrics'][number];

function lowerInject(s: A.InjectStmt, L: Lowerer, id: string, at: At, amountKind: IrInject['amountKind']): IrInject {
  return {
    id: at(id, s.range),
    amount: L.value(s.amount),
    amountKind,
    from: L.value(s.from),
    into: s.into?.text ?? null,
    every: L.schedule(s.every),
  };
}

function lowerLoop(info: ExperimentInfo, L: Lowerer, id: string, at: At): IrLoop {
  const body = info.decl.body;
  switch (info.action) {
    case 'retrain': {
      const loops = body
        .filter((s): s is A.RetrainStmt => s.kind === 'Retrain')
        .map((r) => {
          const rid = at(`${id}/retrain:${r.model?.text ?? ''}`, r.range);
          const sources = r.body
            .filter((x): x is A.SourceStmt => x.kind === 'Source')
            .map((x, i) => ({
              id: at(`${rid}/source:${i}`, x.range),
              role: x.role,
              count: L.value(x.count),
              from: L.value(x.from),
              every: L.schedule(x.every),
            }));
          const injects = r.body
            .filter((x): x is A.InjectStmt => x.kind === 'Inject')
            .map((x, i) => lowerInject(x, L, `${rid}/inject:${i}`, at, 'dose'));
          const w = r.body.find((x): x is A.WeightsStmt => x.kind === 'Weights');
          let weights: IrLoop & { kind: 'retrain' } extends { loops: readonly (infer R)[] }
            ? R extends { weights: infer W }
              ? W
              : never
            : never;
          const wid = w ? at(`${rid}/weights`, w.range) : null;
          if (!w) weights = { rule: 'pooled', id: null };
          else if (w.rule) weights = { rule: w.rule.text as 'optimal' | 'pooled' | 'real_only', id: wid };
          else {
            const real = w.entries.find((e) => e.key?.text === 'real')?.value;
            const syn = w.entries.find((e) => e.key?.text === 'synthetic')?.value;
            const oneMinus = (e: A.Expr | undefined): IrValue => {
              const v = L.value(e);
              if (typeof v === 'number') return 1 - v;
              return { expr: { op: 'bin', fn: '-', a: { op: 'num', value: 1 }, b: L.expr(e) } };
            };
            weights = {
              real: real ? L.value(real) : oneMinus(syn),
              synthetic: syn ? L.value(syn) : oneMinus(real),
              id: wid,
            };
          }
          return { id: rid, model: r.model?.text ?? '', sources, injects, weights };
        });
      return { kind: 'retrain', generations: info.length ?? 0, loops };
    }
    case 'cycle': {
      const c = body.find((s): s is A.CycleStmt => s.kind === 'Cycle')!;
      const cid = at(`${id}/cycle`, c.range);
      return {
        kind: 'cycle',
        id: cid,
        generations: info.length ?? 0,
        learns: c.body
          .filter((x): x is A.LearnsStmt => x.kind === 'Learns')
          .map((x, i) => ({
            id: at(`${cid}/learns:${i}`, x.range),
            learner: x.learner.text,
            teacher: x.teacher?.text ?? '',
            captions: x.captions,
            samples: L.value(x.samples),
          })),
        injects: c.body
          .filter((x): x is A.InjectStmt => x.kind === 'Inject')
          .map((x, i) => lowerInject(x, L, `${cid}/inject:${i}`, at, 'fraction')),
        frozen: c.body.filter((x): x is A.FreezeStmt => x.kind === 'Freeze').map((x) => x.model?.text ?? ''),
      };
    }
    case 'select': {
      const s = body.find((x): x is A.SelectStmt => x.kind === 'Select')!;
      const gens = s.from ? scopeLookup(L.scope, s.from.text) : undefined;
      const sid = at(`${id}/select`, s.range);
      const compare = body
        .filter((x): x is A.CompareStmt => x.kind === 'Compare')
        .flatMap((x) => x.methods)
        .map((m, i): IrCompared => {
          // A bare name is the method with its catalog defaults: bind it as a call with no arguments.
          const call: A.Expr =
            m.kind === 'Call' ? m : { kind: 'Call', range: m.range, callee: m, args: [], argsRange: m.range };
          const v = L.value(call);
          const c = v && typeof v === 'object' && !Array.isArray(v) && 'call' in v ? v : { call: '', args: {} };
          const own = Object.fromEntries(Object.entries(c.args).filter(([k]) => k !== 'score' && k !== 'rounds'));
          return { id: at(`${sid}/compare:${i}`, m.range), call: c.call, args: own, label: exprText(m) };
        });
      const items = gens?.value.t === 'generators' ? gens.value.items : [];
      const decl = body.find((x): x is A.GeneratorsStmt => x.kind === 'Generators' && x.name?.text === s.from?.text);
      const written = decl?.value?.kind === 'List' ? decl.value.items : [];
      return {
        kind: 'select',
        id: sid,
        generators: items.map(valueToIr),
        generatorLabels: items.map((_, i) =>
          written.length === items.length ? exprText(written[i]) : `${s.from?.text ?? 'g'}[${i}]`,
        ),
        algorithm: L.value(s.by),
        rounds: info.length ?? 0,
        compare,
      };
    }
    case 'train': {
      const t = body.find((x): x is A.TrainStmt => x.kind === 'Train')!;
      const tid = at(`${id}/train`, t.range);
      const pairArgs = t.pair?.kind === 'Call' ? t.pair.args : [];
      const nameOf = (a: A.Arg | undefined): string => (a?.value?.kind === 'Name' ? a.value.name.text : '');
      return {
        kind: 'train',
        id: tid,
        generator: nameOf(pairArgs.find((a) => a.name?.text === 'generator') ?? pairArgs.filter((a) => !a.name)[0]),
        discriminator: nameOf(
          pairArgs.find((a) => a.name?.text === 'discriminator') ?? pairArgs.filter((a) => !a.name)[1],
        ),
        data: L.value(t.on),
        phases: t.phases.map((p, i) => ({
          id: at(`${tid}/phase:${i}`, p.range),
          kind: (p.phaseKind?.text ?? 'adversarial') as 'cooperative' | 'adversarial',
          steps: L.num(p.steps, 0),
          when: p.when ? L.value(p.when) : null,
          options: L.options(p.options),
        })),
      };
    }
    case 'fit':
    default: {
      const f = body.find((x): x is A.FitStmt => x.kind === 'Fit');
      return {
        kind: 'fit',
        id: at(`${id}/fit`, f?.range ?? info.decl.range),
        models: f?.models.map((m) => m.text) ?? [],
        steps: L.num(f?.steps, 0),
        options: L.options(f?.options),
      };
    }
  }
}
