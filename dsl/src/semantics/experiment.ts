import type * as A from '../syntax/ast.js';
import type { TextRange } from '../text/text-range.js';
import type { Fix } from '../diagnostics/diagnostic.js';
import {
  algorithms,
  injectAmount,
  metrics as metricEntries,
  lookupIn,
  optionBlocks,
  phaseKinds,
  type CatalogEntry,
  type LoopKind,
  type ModelFamily,
  type OptionSpec,
} from '../catalog/catalog.js';
import { unknown, type CallValue, type ModelInfo, type Sym, type Value } from './symbols.js';
import {
  checkParam,
  evaluate,
  fmtNum,
  isKnown,
  modelKinds,
  num,
  describeValue,
  reservedNames,
  type EvalCtx,
  type Scope,
  Sink,
} from './evaluate.js';
import { closest, didYouMean, listWords } from './suggest.js';
import { dataClasses, dataDim, declare, describeData, lineSpan, newSymbol } from './analyze.js';
import { checkTheory, currentText } from './theory.js';
import { estimateCost, type Cost } from './cost.js';

/** The loop an experiment runs (the catalog's LoopKind). */
export type ActionKind = LoopKind;

export interface SweepInfo {
  readonly sym: Sym;
  readonly stmt: A.SweepStmt;
  readonly values: readonly Value[];
}

export interface MetricInfo {
  readonly sym: Sym;
  readonly stmt: A.MetricStmt;
  readonly metric: string | undefined;
  readonly unit: 'generation' | 'step' | 'round' | 'final';
  readonly every: number;
}

export interface ExperimentInfo {
  readonly name: string;
  readonly decl: A.ExperimentDecl;
  readonly action: ActionKind | undefined;
  readonly seed: number | undefined;
  readonly replicates: number;
  readonly sweeps: readonly SweepInfo[];
  readonly models: readonly ModelInfo[];
  readonly metrics: readonly MetricInfo[];
  /** Loop length: generations, total steps or rounds. */
  readonly length: number | undefined;
  readonly preview: Readonly<Record<string, number>>;
  readonly cost: Cost;
  readonly previewCost: Cost | undefined;
  /** The experiment's scope: its models, sweeps and metrics over the file scope. */
  readonly scope: Scope;
}

/** Most sweep-value combinations checked one by one for range rules. */
const MAX_COMBOS = 64;

const unitOf: Record<ActionKind, 'generation' | 'step' | 'round'> = {
  retrain: 'generation',
  cycle: 'generation',
  select: 'round',
  train: 'step',
  fit: 'step',
};
const unitWord = { generation: 'generations', step: 'steps', round: 'rounds' } as const;

export function checkExperiment(
  d: A.ExperimentDecl,
  uri: string,
  fileScope: Scope,
  sink: Sink,
  symbols: Sym[],
): ExperimentInfo {
  const ename = d.name?.text ?? '';
  const scope: Scope = { names: new Map(), parent: fileScope };
  const body = d.body;
  const single = new Map<string, A.Stmt>();
  const onceKinds = new Set(['Seed', 'Replicates', 'Preview', 'Select', 'Cycle', 'Train']);
  for (const s of body) {
    if (!onceKinds.has(s.kind)) continue;
    const prev = single.get(s.kind);
    if (prev) {
      sink.diagnostics.push({
        code: 'duplicate-statement',
        severity: 'error',
        message: `\`${s.kind.toLowerCase()}\` is given twice in this experiment; keep one`,
        range: s.range,
        related: [{ range: prev.range, message: 'first one' }],
      });
    } else single.set(s.kind, s);
  }

  const hasSelect = body.some((s) => s.kind === 'Select');
  const ctx: EvalCtx = { sink, scope, report: true, hasSelected: hasSelect };

  // Declarations first (models, generators, sweeps with their enum values, metrics).
  const sweeps: SweepInfo[] = [];
  const modelStmts: { stmt: A.ModelStmt; sym: Sym }[] = [];
  const generatorStmts: { stmt: A.GeneratorsStmt; sym: Sym }[] = [];
  const metricStmts: { stmt: A.MetricStmt; sym: Sym }[] = [];
  for (const s of body) {
    if (s.kind === 'Sweep' && s.name) {
      const sym = newSymbol(s.name, 'sweep', uri, s.range, unknown, ename);
      symbols.push(sym);
      declare(scope, sym, sink, 'sweep');
      // Bare words in a sweep list are enum values: `sweep init in [random, coop]`.
      if (s.values?.kind === 'List') {
        for (const it of s.values.items) {
          if (it.kind === 'Name' && !scopeHas(scope, it.name.text) && !reservedNames.has(it.name.text)) {
            const es = newSymbol(it.name, 'enum', uri, it.range, { t: 'enum', name: it.name.text }, ename);
            es.used = true;
            es.detail = `value of sweep \`${s.name.text}\``;
            symbols.push(es);
            declare(scope, es, sink, 'sweep value');
          }
        }
      }
    } else if (s.kind === 'Model' && s.name) {
      const sym = newSymbol(s.name, 'model', uri, s.range, unknown, ename);
      symbols.push(sym);
      if (declare(scope, sym, sink, 'model')) modelStmts.push({ stmt: s, sym });
    } else if (s.kind === 'Generators' && s.name) {
      const sym = newSymbol(s.name, 'generators', uri, s.range, unknown, ename);
      symbols.push(sym);
      if (declare(scope, sym, sink, 'generator list')) generatorStmts.push({ stmt: s, sym });
    } else if (s.kind === 'Metric' && s.name) {
      const sym = newSymbol(s.name, 'metric', uri, s.range, unknown, ename);
      sym.used = true;
      symbols.push(sym);
      if (declare(scope, sym, sink, 'metric')) metricStmts.push({ stmt: s, sym });
    }
  }

  // Seed and replicates.
  let seed: number | undefined;
  let replicates = 1;
  for (const s of body) {
    if (s.kind === 'Seed') {
      const v = evaluate(s.value, ctx);
      checkParam({ name: 'seed', type: 'int', min: 0, doc: '' }, v, s.value?.range ?? s.range, undefined, ctx);
      if (v.t === 'num') seed = v.v;
    } else if (s.kind === 'Replicates') {
      const v = evaluate(s.value, ctx);
      checkParam({ name: 'replicates', type: 'int', min: 1, doc: '' }, v, s.value?.range ?? s.range, undefined, ctx);
      if (v.t === 'num') replicates = v.v;
    }
  }
  if (!single.has('Seed') && d.name) {
    const at = d.bodyRange.start + 1;
    sink.report(
      'missing-seed',
      d.name.range,
      `experiment \`${ename}\` has no seed, so its runs cannot be reproduced; add \`seed 1\``,
      currentText.value[d.bodyRange.start] === '{'
        ? [{ title: 'Add `seed 1`', edits: [{ range: { start: at, end: at }, newText: '\n  seed 1' }] }]
        : [],
    );
  }

  // Sweeps.
  for (const s of body) {
    if (s.kind !== 'Sweep' || !s.name) continue;
    const sym = scope.names.get(s.name.text);
    if (!sym || sym.kind !== 'sweep') continue;
    const v = evaluate(s.values, ctx);
    let values: Value[] = [];
    if (v.t === 'range') {
      if (!(v.step > 0)) {
        sink.report('invalid-range', s.values!.range, `the sweep's step must be positive, not ${fmtNum(v.step)}`);
      } else if (v.to < v.from) {
        sink.report(
          'invalid-range',
          s.values!.range,
          `the sweep range is empty: ${fmtNum(v.from)} .. ${fmtNum(v.to)} goes down; swap the ends`,
        );
      } else {
        const n = Math.floor((v.to - v.from) / v.step + 1e-9) + 1;
        if (n > 10000)
          sink.report(
            'invalid-range',
            s.values!.range,
            `the sweep has ${n} points; use a larger step (at most 10000 points)`,
          );
        else for (let i = 0; i < n; i++) values.push({ t: 'num', v: Number((v.from + i * v.step).toPrecision(12)) });
      }
    } else if (v.t === 'list') {
      values = [...v.items];
      if (values.length === 0)
        sink.report('invalid-range', s.values!.range, 'the sweep has no values; list at least one');
    } else if (isKnown(v)) {
      sink.report(
        'type-mismatch',
        s.values?.range ?? s.range,
        `a sweep needs a list \`[a, b, c]\` or a range \`from .. to step s\`, not ${describeValue(v)}`,
      );
    }
    sym.value = values.length === 1 ? values[0]! : unknown;
    sym.detail = `sweep over ${values.length} value${values.length === 1 ? '' : 's'}${values.length ? `: ${values.slice(0, 6).map(showValue).join(', ')}${values.length > 6 ? ', …' : ''}` : ''}`;
    sweeps.push({ sym, stmt: s, values });
  }

  // Generator lists.
  for (const { stmt, sym } of generatorStmts) {
    const v = evaluate(stmt.value, ctx, ['generator']);
    if (v.t === 'list') {
      v.items.forEach((it, i) => {
        const r = stmt.value?.kind === 'List' ? stmt.value.items[i]?.range : stmt.value?.range;
        if (isKnown(it) && !(it.t === 'call' && it.entry.category === 'generator') && it.t !== 'model') {
          sink.report(
            'type-mismatch',
            r ?? stmt.range,
            `a generator list holds generators (such as subset(...)) or models, not ${describeValue(it)}`,
          );
        }
      });
      sym.value = { t: 'generators', sym, items: v.items };
      sym.detail = `${v.items.length} generators`;
      v.items.forEach((it, i) => {
        if (it.t !== 'call' || it.entry.name !== 'subset') return;
        const src = it.args['source'];
        const modes = src?.t === 'call' ? modeCount(src) : undefined;
        const idx = it.args['modes'];
        if (modes === undefined || idx?.t !== 'list') return;
        const bad = idx.items
          .map((x) => num(x))
          .filter((x): x is number => x !== undefined && (x < 0 || x >= modes || !Number.isInteger(x)));
        const r = stmt.value?.kind === 'List' ? stmt.value.items[i]?.range : stmt.value?.range;
        if (bad.length > 0) {
          sink.report(
            'value-out-of-range',
            r ?? stmt.range,
            `mode${bad.length > 1 ? 's' : ''} ${bad.join(', ')} do${bad.length > 1 ? '' : 'es'} not exist: \`${src!.t === 'call' ? src!.entry.name : ''}\` has modes 0 to ${modes - 1}`,
          );
        }
      });
      const dims = v.items.map((it) => (it.t === 'call' ? genDim(it) : undefined));
      const first = dims.find((x) => x !== undefined);
      dims.forEach((x, i) => {
        if (x !== undefined && first !== undefined && x !== first && stmt.value?.kind === 'List') {
          sink.report(
            'dimension-mismatch',
            stmt.value.items[i]!.range,
            `this generator draws ${x}-dimensional samples but the first draws ${first}; a mixture needs one dimension`,
          );
        }
      });
    } else if (isKnown(v)) {
      sink.report(
        'type-mismatch',
        stmt.value?.range ?? stmt.range,
        'generators needs a list: `generators g = [a, b, c]`',
      );
    }
  }

  // Models.
  const models: ModelInfo[] = [];
  for (const { stmt, sym } of modelStmts) {
    const info = checkModel(stmt, sym, ctx);
    models.push(info);
    modelKinds.set(sym, info.kind);
  }
  const modelOf = new Map(models.map((m) => [m.sym, m]));
  const infoOf = (v: Value): ModelInfo | undefined => (v.t === 'model' ? modelOf.get(v.sym) : undefined);

  // Actions.
  const actions = body.filter((s) => ['Retrain', 'Cycle', 'Select', 'Train', 'Fit'].includes(s.kind));
  const kinds = new Set(actions.map((s) => s.kind));
  let action: ActionKind | undefined = actions[0] ? (actions[0].kind.toLowerCase() as ActionKind) : undefined;
  if (kinds.size > 1) {
    for (const s of actions.slice(1)) {
      if (s.kind !== actions[0]!.kind) {
        sink.report(
          'conflicting-statements',
          s.range,
          `an experiment runs one kind of loop; this \`${s.kind.toLowerCase()}\` conflicts with the \`${actions[0]!.kind.toLowerCase()}\` above; put it in its own experiment`,
        );
      }
    }
  }
  if (actions.length === 0 && d.name) {
    sink.report(
      'missing-statement',
      d.name.range,
      `experiment \`${ename}\` runs nothing; add a retrain, cycle, select, train or fit statement`,
    );
    action = undefined;
  }
  let length: number | undefined;
  const loopCtx: EvalCtx = { ...ctx, inLoop: true };
  for (const s of actions) {
    if (s.kind !== actions[0]!.kind) continue; // reported as conflicting above; not checked further
    switch (s.kind) {
      case 'Retrain':
        length = checkRetrain(s, loopCtx, modelOf, length);
        break;
      case 'Cycle':
        length = checkCycle(s, loopCtx, modelOf);
        break;
      case 'Select':
        length = checkSelect(s, ctx, body);
        break;
      case 'Train':
        length = checkTrain(s, ctx, infoOf);
        break;
      case 'Fit':
        length = checkFit(s, ctx, modelOf);
        break;
      default:
        break;
    }
  }
  for (const s of body) {
    if (s.kind === 'Compare' && !hasSelect) {
      sink.report(
        'missing-statement',
        s.range,
        '`compare` needs a `select from ... by ...` statement in the same experiment',
      );
    }
  }

  // Dimensions may have been inferred from the loops: describe models now.
  for (const m of models) m.sym.detail = describeModel(m);

  // Metrics.
  const metrics: MetricInfo[] = [];
  for (const { stmt, sym } of metricStmts) {
    metrics.push(checkMetric(stmt, sym, ctx, action, infoOf, length));
  }
  if (metrics.length === 0 && d.name && actions.length > 0) {
    sink.report(
      'missing-statement',
      d.name.range,
      `experiment \`${ename}\` measures nothing; add a metric, e.g. \`metric err = mse(m.mean, truth.mean) at final\``,
    );
  }

  // Views.
  for (const s of body) if (s.kind === 'View') checkView(s, ctx, action, metrics, sweeps, modelOf, body);

  // Preview.
  const preview: Record<string, number> = {};
  const prevStmt = body.find((s): s is A.PreviewStmt => s.kind === 'Preview');
  if (prevStmt?.options) {
    for (const [k, v] of Object.entries(checkOptions(prevStmt.options, optionBlocks.preview, ctx, 'preview'))) {
      if (v.t === 'num') preview[k] = v.v;
    }
    const relevant: Record<string, ActionKind[]> = {
      generations: ['retrain', 'cycle'],
      steps: ['train', 'fit'],
      rounds: ['select'],
    };
    for (const e of prevStmt.options.entries) {
      const k = e.key?.text;
      const allowed = k ? relevant[k] : undefined;
      if (allowed && action && !allowed.includes(action)) {
        sink.report(
          'invalid-option',
          e.range,
          `\`${k}\` does not apply to a ${action} experiment; use \`${unitWord[unitOf[action]]}\``,
        );
      }
    }
  }

  // Unused models and sweeps.
  for (const { sym } of [...modelStmts, ...generatorStmts]) {
    if (!sym.used) {
      sink.diagnostics.push({
        code: 'unused-declaration',
        severity: 'warning',
        message: `${sym.kind === 'model' ? 'model' : 'generator list'} \`${sym.name}\` is never trained or measured; remove it or use it`,
        range: sym.nameRange,
        unnecessary: true,
        fixes: [
          {
            title: `Remove unused \`${sym.name}\``,
            edits: [{ range: lineSpan(currentText.value, sym.declRange), newText: '' }],
          },
        ],
      });
    }
  }
  for (const sw of sweeps) {
    if (!sw.sym.used) {
      sink.diagnostics.push({
        code: 'unused-declaration',
        severity: 'warning',
        message: `sweep \`${sw.sym.name}\` is never used, so every point runs the same experiment; use it in a parameter or remove it`,
        range: sw.sym.nameRange,
        unnecessary: true,
      });
    }
  }

  // Range rules under every sweep combination, then the theory-backed rules.
  const combos = sweepCombos(sweeps);
  checkTheory({ decl: d, ctx, sweeps, combos, models: modelOf, action, length });

  const info: Omit<ExperimentInfo, 'cost' | 'previewCost'> = {
    name: ename,
    decl: d,
    action,
    seed,
    replicates,
    sweeps,
    models,
    metrics,
    length,
    preview,
    scope,
  };
  const cost = estimateCost(info, ctx, {});
  const previewCost = prevStmt ? estimateCost(info, ctx, preview) : undefined;
  const finite = Number.isFinite(cost.samples) && Number.isFinite(cost.flops);
  if (!prevStmt && d.name && finite && (cost.samples > 1e6 || cost.flops > 1e10)) {
    const at = d.bodyRange.end - 1;
    sink.report(
      'costly-without-preview',
      d.name.range,
      `experiment \`${ename}\` draws about ${fmtCount(cost.samples)} samples (${fmtCount(cost.flops)} floating-point operations) with no preview budget, so run-on-save would run it whole; add a \`preview { ... }\` block`,
      currentText.value[at] === '}'
        ? [
            {
              title: 'Add a preview budget',
              edits: [{ range: { start: at, end: at }, newText: `  preview { ${previewSuggestion(action)} }\n` }],
            },
          ]
        : [],
    );
  }
  if (prevStmt?.options && previewCost) {
    const full: Record<string, number | undefined> = {
      replicates,
      generations: action === 'retrain' || action === 'cycle' ? length : undefined,
      steps: action === 'train' || action === 'fit' ? length : undefined,
      rounds: action === 'select' ? length : undefined,
    };
    // A key larger than the full budget is flagged; so is a preview that is smaller in no key.
    let smaller = false;
    const equal: A.OptionEntry[] = [];
    for (const e of prevStmt.options.entries) {
      const k = e.key?.text;
      if (!k) continue;
      const pv = preview[k];
      const fv = full[k];
      if (pv === undefined || fv === undefined) {
        if (k === 'sweep') smaller = true;
        continue;
      }
      if (pv > fv) {
        sink.report(
          'preview-not-smaller',
          e.range,
          `the preview's ${k} (${fmtNum(pv)}) exceeds the full budget (${fmtNum(fv)}); a preview should be smaller so that run-on-save is quick`,
        );
      } else if (pv < fv) smaller = true;
      else equal.push(e);
    }
    if (!smaller && equal.length > 0) {
      sink.report(
        'preview-not-smaller',
        prevStmt.options.range,
        `this preview is the full budget (${equal.map((e) => `${e.key!.text} ${fmtNum(preview[e.key!.text]!)}`).join(', ')}); make at least one value smaller so that run-on-save is quick`,
      );
    }
  }
  return { ...info, cost, previewCost };
}

function previewSuggestion(action: ActionKind | undefined): string {
  switch (action) {
    case 'retrain':
    case 'cycle':
      return 'replicates: 20, generations: 20';
    case 'select':
      return 'replicates: 2, rounds: 300';
    default:
      return 'replicates: 1, steps: 200';
  }
}

export function fmtCount(x: number): string {
  if (!Number.isFinite(x)) return '∞';
  if (x >= 1e12) return `${(x / 1e12).toFixed(1)}T`;
  if (x >= 1e9) return `${(x / 1e9).toFixed(1)}G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  return String(Math.round(x));
}

function showValue(v: Value): string {
  if (v.t === 'num') return fmtNum(v.v);
  if (v.t === 'enum' || v.t === 'word') return v.name;
  if (v.t === 'str') return JSON.stringify(v.v);
  return describeValue(v);
}

function scopeHas(scope: Scope, name: string): boolean {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.names.has(name)) return true;
  return false;
}

/** Every combination of sweep values (up to MAX_COMBOS, evenly thinned beyond). */
export function sweepCombos(sweeps: readonly SweepInfo[]): Map<string, Value>[] {
  let combos: Map<string, Value>[] = [new Map()];
  for (const s of sweeps) {
    if (s.values.length === 0) continue;
    const next: Map<string, Value>[] = [];
    for (const c of combos) {
      for (const v of s.values) {
        const m = new Map(c);
        m.set(s.sym.name, v);
        next.push(m);
      }
    }
    combos = next;
  }
  if (combos.length > MAX_COMBOS) {
    const step = combos.length / MAX_COMBOS;
    combos = Array.from({ length: MAX_COMBOS }, (_, i) => combos[Math.floor(i * step)]!);
  }
  return combos;
}

export function describeCombo(c: ReadonlyMap<string, Value>): string {
  return [...c.entries()]
    .filter(([k]) => k !== 't')
    .map(([k, v]) => `${k} = ${showValue(v)}`)
    .join(', ');
}

/** Number of modes of a ring or grid source. */
export function modeCount(v: CallValue): number | undefined {
  if (v.entry.name === 'ring') return num(v.args['modes']);
  if (v.entry.name === 'grid') {
    const r = num(v.args['rows']);
    const c = num(v.args['cols']);
    return r !== undefined && c !== undefined ? r * c : undefined;
  }
  return undefined;
}

function genDim(v: CallValue): number | undefined {
  if (v.entry.name === 'subset') {
    const src = v.args['source'];
    return src ? dataDim(src) : undefined;
  }
  return undefined;
}

const familiesOf: Record<string, readonly ModelFamily[]> = {
  gaussian_fit: ['gaussian', 'sampler'],
  categorical_fit: ['categorical'],
  conditional_gaussian: ['conditional', 'sampler'],
  linear_regression: ['regression', 'sampler'],
  kde: ['sampler'],
  ebm: ['sampler'],
  ar: ['likelihood', 'sampler'],
  fractal: ['likelihood', 'sampler'],
  bernoulli_pixels: ['likelihood', 'sampler'],
  subset: ['sampler'],
};

function describeModel(m: ModelInfo): string {
  const bits = [`model ${m.kind}`];
  if (m.kind === 'mlp') {
    if (m.inDim !== undefined) bits.push(`discriminator, in ${m.inDim}`);
    else bits.push('generator');
  }
  if (m.fractal) bits.push(`levels ${m.fractal.tokens.join(' × ')} = ${m.fractal.tokens.reduce((a, b) => a * b, 1)}`);
  if (m.classes !== undefined) bits.push(`${m.classes} classes`);
  else if (m.dim !== undefined) bits.push(`dim ${m.dim}`);
  if (m.given) bits.push(`given ${m.given.name}`);
  if (m.params !== undefined) bits.push(`${fmtCount(m.params)} parameters`);
  return bits.join(', ');
}

/** A model whose kind could not be established (already reported): checks that need it stay quiet. */
function unknownModel(sym: Sym, stmt: A.ModelStmt, on: Value | undefined, call: CallValue | undefined): ModelInfo {
  return {
    sym,
    stmt,
    kind: 'unknown',
    families: [],
    dim: undefined,
    inDim: undefined,
    classes: undefined,
    given: undefined,
    call,
    on,
    params: undefined,
  };
}

function checkModel(stmt: A.ModelStmt, sym: Sym, ctx: EvalCtx): ModelInfo {
  const on = stmt.on ? evaluate(stmt.on, ctx, ['data']) : undefined;
  if (on && isKnown(on) && !(on.t === 'call' && on.entry.category === 'data') && on.t !== 'split') {
    ctx.sink.report('type-mismatch', stmt.on!.range, `\`on\` needs a data source, not ${describeValue(on)}`);
  }
  const onDim = on ? dataDim(on) : undefined;
  if (stmt.fractal) {
    const tokens: number[] = [];
    const widths: number[] = [];
    const depths: number[] = [];
    let head: number | undefined;
    let complete = true;
    const levels = stmt.fractal.levels;
    if (levels.length === 0)
      ctx.sink.report(
        'missing-statement',
        stmt.fractal.keywordRange,
        'a fractal needs at least one `level` and a `pixel` head',
      );
    levels.forEach((l, i) => {
      const v = evaluate(l.value, ctx, l.kind === 'pixel' ? ['head'] : ['generator']);
      if (l.kind === 'pixel') {
        if (i !== levels.length - 1)
          ctx.sink.report('type-mismatch', l.range, 'the `pixel` head must be the last line of a fractal');
        if (v.t === 'call' && (v.entry.name === 'categorical' || v.entry.category === 'head'))
          head = num(v.args['levels']) ?? 2;
        else if (isKnown(v))
          ctx.sink.report(
            'type-mismatch',
            l.value?.range ?? l.range,
            `a pixel head is \`categorical(levels: k)\`, not ${describeValue(v)}`,
          );
        return;
      }
      // A level may be a recursive module: ar(..., inner: ...) unfolds into several levels.
      let cur: Value | undefined = v;
      let guard = 0;
      while (cur && cur.t === 'call' && cur.entry.name === 'ar' && guard++ < 64) {
        const tk = num(cur.args['tokens']);
        if (tk === undefined) complete = false;
        else tokens.push(tk);
        widths.push(num(cur.args['width']) ?? 0);
        depths.push(num(cur.args['depth']) ?? 1);
        const inner: Value | undefined = cur.args['inner'];
        if (inner && inner.t === 'call' && inner.entry.name === 'categorical') {
          head = num(inner.args['levels']) ?? 2;
          cur = undefined;
        } else cur = inner;
      }
      if (cur && !isKnown(cur)) complete = false; // a recursion that did not reach its base case
      if (isKnown(v) && !(v.t === 'call' && v.entry.name === 'ar')) {
        ctx.sink.report(
          'type-mismatch',
          l.value?.range ?? l.range,
          `a fractal level is an autoregressive module such as \`ar(tokens: 4, width: 64)\`, not ${describeValue(v)}`,
        );
        complete = false;
      } else if (!isKnown(v)) complete = false;
    });
    if (complete && head === undefined && levels.length > 0 && !levels.some((l) => l.kind === 'pixel')) {
      ctx.sink.report(
        'missing-statement',
        stmt.fractal.keywordRange,
        'this fractal has no pixel head; end it with `pixel categorical(levels: 2)`',
      );
    }
    const product = tokens.reduce((a, b) => a * b, 1);
    if (complete && onDim !== undefined && tokens.length > 0 && product !== onDim) {
      const size = Math.round(Math.sqrt(onDim));
      ctx.sink.report(
        'fractal-size-mismatch',
        stmt.fractal.keywordRange,
        `the levels' sequence lengths multiply to ${tokens.join(' × ')} = ${product}, but the data has ${onDim} values per sample${size * size === onDim ? ` (${size} × ${size})` : ''}; choose lengths whose product is ${onDim}`,
      );
    }
    if (!stmt.on)
      ctx.sink.report(
        'missing-parameter',
        stmt.fractal.keywordRange,
        'a fractal needs the data it models: `fractal on digits { ... }`',
      );
    const params = fractalParams(tokens, widths, depths, head ?? 2);
    return {
      sym,
      stmt,
      kind: 'fractal',
      families: familiesOf['fractal']!,
      dim: onDim ?? (complete ? product : undefined),
      inDim: undefined,
      classes: undefined,
      given: undefined,
      fractal: { tokens, widths, depths, head },
      call: undefined,
      on,
      params,
    };
  }
  const v = evaluate(stmt.value, ctx, ['generator']);
  if (v.t === 'call' && v.entry.category === 'data') {
    ctx.sink.report(
      'type-mismatch',
      stmt.value!.range,
      `${stmt.value!.kind === 'Name' ? `\`${stmt.value!.name.text}\` is data` : `\`${v.entry.name}\` is a data source`}; a model needs a generator kind such as gaussian_fit(), and \`on\` gives the data it starts from: \`model ${sym.name} = gaussian_fit() on ${stmt.value!.kind === 'Name' ? stmt.value!.name.text : 'data'}\``,
    );
    return unknownModel(sym, stmt, on, undefined);
  }
  if (v.t !== 'call') {
    if (isKnown(v))
      ctx.sink.report(
        'type-mismatch',
        stmt.value?.range ?? stmt.range,
        `a model needs a generator kind such as gaussian_fit() or mlp(...), not ${describeValue(v)}`,
      );
    return unknownModel(sym, stmt, on, undefined);
  }
  const kind = v.entry.name;
  const explicitDim = num(v.args['dim']);
  let dim = explicitDim ?? onDim;
  let inDim: number | undefined;
  let classes: number | undefined;
  let given: Sym | undefined;
  let families = familiesOf[kind] ?? [];
  switch (kind) {
    case 'mlp': {
      const latent = v.args['latent'];
      const inp = v.args['in'];
      if (!latent && !inp) {
        ctx.sink.report(
          'missing-parameter',
          stmt.value!.range,
          'an mlp needs `latent: k` (a generator) or `in: d` (a discriminator)',
        );
        return unknownModel(sym, stmt, on, v);
      } else if (latent && inp) {
        ctx.sink.report(
          'conflicting-statements',
          stmt.value!.range,
          'an mlp is a generator (`latent`) or a discriminator (`in`), not both; remove one',
        );
        // Its role is unknown: checks that depend on it stay quiet.
        return unknownModel(sym, stmt, on, v);
      }
      if (inp) {
        inDim = num(inp);
        dim = num(v.args['out']);
        families = [];
      } else {
        dim = num(v.args['out']);
        families = ['gan-generator', 'sampler'];
      }
      break;
    }
    case 'ebm':
      dim = num(v.args['in']);
      break;
    case 'categorical_fit':
      classes = num(v.args['classes']) ?? (on ? dataClasses(on) : undefined);
      dim = 1;
      break;
    case 'conditional_gaussian': {
      const g = v.args['given'];
      if (g?.t === 'model') given = g.sym;
      break;
    }
    case 'ar': {
      const tk = num(v.args['tokens']);
      dim = tk;
      if (tk !== undefined && onDim !== undefined && tk !== onDim) {
        ctx.sink.report(
          'dimension-mismatch',
          stmt.value!.range,
          `this ar models ${tk} tokens but the data has ${onDim} values per sample; set tokens: ${onDim}`,
        );
      }
      break;
    }
    case 'bernoulli_pixels':
      dim = onDim;
      if (!stmt.on)
        ctx.sink.report(
          'missing-parameter',
          stmt.value!.range,
          'bernoulli_pixels needs the data it models: `bernoulli_pixels() on digits`',
        );
      break;
    default:
      break;
  }
  if (explicitDim !== undefined && onDim !== undefined && explicitDim !== onDim && kind !== 'ar') {
    ctx.sink.report(
      'dimension-mismatch',
      stmt.on!.range,
      `model \`${sym.name}\` has dim ${explicitDim} but is trained on ${onDim}-dimensional data; make them agree`,
    );
  }
  if (kind === 'categorical_fit' && on && on.t === 'call' && !['categorical', 'zipf'].includes(on.entry.name)) {
    ctx.sink.report(
      'type-mismatch',
      stmt.on!.range,
      `categorical_fit models classes; \`${on.entry.name}\` data is not categorical`,
    );
  }
  const info: ModelInfo = { sym, stmt, kind, families, dim, inDim, classes, given, call: v, on, params: undefined };
  info.params = modelParams(info);
  return info;
}

function mlpParams(sizes: number[]): number {
  let p = 0;
  for (let i = 0; i + 1 < sizes.length; i++) p += (sizes[i]! + 1) * sizes[i + 1]!;
  return p;
}

/** A transformer block of width w: attention 4w², feed-forward 8w², norms 4w. */
function arParams(tokens: number, width: number, depth: number, vocabIn: number, vocabOut: number): number {
  return depth * (12 * width * width + 4 * width) + tokens * width + vocabIn * width + width * vocabOut + width;
}

function fractalParams(tokens: number[], widths: number[], depths: number[], head: number): number {
  let p = 0;
  for (let i = 0; i < tokens.length; i++) {
    const w = widths[i] ?? 0;
    const prev = i > 0 ? (widths[i - 1] ?? w) : 0;
    p += arParams(tokens[i]!, w, depths[i] ?? 1, head, 0) + prev * w;
  }
  const last = widths[widths.length - 1] ?? 0;
  return p + last * head + head;
}

function modelParams(m: ModelInfo): number | undefined {
  const v = m.call;
  if (!v) return undefined;
  const d = m.dim;
  switch (m.kind) {
    case 'gaussian_fit':
      return d !== undefined ? d + (d * (d + 1)) / 2 : undefined;
    case 'categorical_fit':
      return m.classes !== undefined ? m.classes - 1 : undefined;
    case 'conditional_gaussian':
      return d !== undefined ? d + (d * (d + 1)) / 2 : undefined;
    case 'linear_regression':
      return d !== undefined ? d + 1 : undefined;
    case 'kde':
      return 1;
    case 'mlp':
    case 'ebm': {
      const hidden = v.args['hidden'];
      const hs = hidden?.t === 'list' ? hidden.items.map((x) => num(x) ?? 0) : [];
      const first = num(v.args['latent']) ?? num(v.args['in']) ?? 0;
      const out = m.kind === 'ebm' ? 1 : (num(v.args['out']) ?? 0);
      return mlpParams([first, ...hs, out]);
    }
    case 'ar': {
      const tk = num(v.args['tokens']) ?? 0;
      const w = num(v.args['width']) ?? 0;
      return arParams(tk, w, num(v.args['depth']) ?? 1, 2, 2);
    }
    case 'bernoulli_pixels':
      return d;
    default:
      return undefined;
  }
}

function modelRef(
  e: A.Expr | undefined,
  ctx: EvalCtx,
  models: Map<Sym, ModelInfo>,
  what: string,
): ModelInfo | undefined {
  const v = evaluate(e, ctx);
  if (v.t === 'model') return models.get(v.sym);
  if (isKnown(v))
    ctx.sink.report(
      'type-mismatch',
      e?.range ?? { start: 0, end: 0 },
      `${what} must be a model declared with \`model\`, not ${describeValue(v)}`,
    );
  return undefined;
}

function nameRef(
  n: A.Name | undefined,
  ctx: EvalCtx,
  models: Map<Sym, ModelInfo>,
  what: string,
): ModelInfo | undefined {
  if (!n) return undefined;
  return modelRef({ kind: 'Name', name: n, range: n.range }, ctx, models, what);
}

function countsUnder(e: A.Expr | undefined, ctx: EvalCtx, what: string): number | undefined {
  const v = evaluate(e, ctx);
  if (e) checkParam({ name: what, type: 'int', min: 1, doc: '' }, v, e.range, undefined, ctx);
  return num(v);
}

const retrained = new WeakMap<ModelInfo, A.RetrainStmt>();

/** The generator kinds a retrain loop refits each generation (closed-form, weighted maximum likelihood). */
const RETRAINABLE: readonly string[] = ['gaussian_fit', 'categorical_fit', 'kde', 'linear_regression'];

function checkRetrain(
  s: A.RetrainStmt,
  ctx: EvalCtx,
  models: Map<Sym, ModelInfo>,
  prevLength: number | undefined,
): number | undefined {
  const m = nameRef(s.model, ctx, models, 'the model retrained');
  const earlier = m ? retrained.get(m) : undefined;
  if (m && earlier) {
    ctx.sink.diagnostics.push({
      code: 'duplicate-statement',
      severity: 'error',
      message: `\`${m.sym.name}\` is already retrained above; put all of its sources in one retrain block`,
      range: s.model!.range,
      related: [{ range: earlier.range, message: 'first retrain block' }],
    });
  } else if (m) retrained.set(m, s);
  if (m && s.model && !RETRAINABLE.includes(m.kind) && m.kind !== 'unknown') {
    const how =
      m.kind === 'mlp' || m.kind === 'ebm'
        ? 'train a generator and its discriminator with `train gan(G, D) on DATA { phase ... }`'
        : m.kind === 'conditional_gaussian'
          ? `it draws each sample's class from its categorical model, so refit the pair in a \`cycle\` (\`${m.sym.name} learns from ${m.given?.name ?? 'TEXT'} samples N\`)`
          : 'train a likelihood model with `fit MODEL for N steps`';
    ctx.sink.report(
      'type-mismatch',
      s.model.range,
      `\`${m.sym.name}\` is ${/^([aeiou]|mlp)/.test(m.kind) ? 'an' : 'a'} ${m.kind}: a retrain loop refits ${RETRAINABLE.join(', ')} models in closed form; ${how}`,
    );
  }
  const gens = evaluate(s.generations, { ...ctx, inLoop: false });
  if (s.generations)
    checkParam({ name: 'generations', type: 'int', min: 1, doc: '' }, gens, s.generations.range, undefined, ctx);
  const g = num(gens);
  if (g !== undefined && prevLength !== undefined && g !== prevLength) {
    ctx.sink.report(
      'conflicting-statements',
      s.generations!.range,
      `retrain loops of one experiment run in lockstep; this one runs ${g} generations, an earlier one ${prevLength}`,
    );
  }
  let weightsSeen = false;
  for (const st of s.body) {
    if (st.kind === 'Source') {
      if (st.count) evaluateCount(st.count, ctx, `${st.role} sample count`);
      if (st.role === 'real') {
        const v = evaluate(st.from, ctx, ['data']);
        if (isKnown(v) && !(v.t === 'call' && v.entry.category === 'data') && v.t !== 'split') {
          ctx.sink.report(
            'type-mismatch',
            st.from!.range,
            `real samples come from a data source, not ${describeValue(v)}; use \`synthetic N from model\` for a model's samples`,
          );
        } else if (m && m.dim !== undefined) {
          const dd = dataDim(v);
          const sameAsOn = m.on !== undefined && (m.on === v || (m.on.t === 'split' && m.on.data === v));
          if (dd !== undefined && dd !== m.dim && !sameAsOn)
            ctx.sink.report(
              'dimension-mismatch',
              st.from!.range,
              `\`${m.sym.name}\` is ${m.dim}-dimensional but this source gives ${dd}-dimensional samples`,
            );
        } else if (m && m.dim === undefined) {
          m.dim = dataDim(v);
          m.params = modelParams(m);
        }
      } else {
        const src = modelRef(st.from, ctx, models, "synthetic samples' source");
        if (src && m && src.dim !== undefined && m.dim !== undefined && src.dim !== m.dim) {
          ctx.sink.report(
            'dimension-mismatch',
            st.from!.range,
            `\`${src.sym.name}\` draws ${src.dim}-dimensional samples but \`${m.sym.name}\` is ${m.dim}-dimensional`,
          );
        }
      }
      if (st.every) checkEvery(st.every, ctx, 'generation');
    } else if (st.kind === 'Inject') {
      checkInject(st, ctx, models, 'retrain');
    } else if (st.kind === 'Weights') {
      if (weightsSeen)
        ctx.sink.report('duplicate-statement', st.range, 'weights are given twice in this retrain; keep one');
      weightsSeen = true;
      if (st.rule && !['optimal', 'pooled', 'real_only'].includes(st.rule.text)) {
        const sugg = closest(st.rule.text, ['optimal', 'pooled', 'real_only']);
        ctx.sink.report(
          'value-out-of-range',
          st.rule.range,
          `unknown weighting rule \`${st.rule.text}\`${didYouMean(sugg)}; rules are optimal, pooled and real_only, or give \`weights real: w, synthetic: 1 - w\``,
        );
      }
      const keys = new Set<string>();
      for (const e of st.entries) {
        const k = e.key?.text;
        if (!k) continue;
        if (keys.has(k)) ctx.sink.report('duplicate-parameter', e.range, `the weight of \`${k}\` is given twice`);
        keys.add(k);
        if (k !== 'real' && k !== 'synthetic') {
          ctx.sink.report('invalid-option', e.key!.range, `weights are keyed \`real\` and \`synthetic\`, not \`${k}\``);
        }
        evaluate(e.value, ctx);
      }
    }
  }
  if (!s.body.some((x) => x.kind === 'Source' || x.kind === 'Inject')) {
    ctx.sink.report(
      'missing-statement',
      s.range,
      'this retrain loop trains on nothing; add `real N from data` and/or `synthetic N from model`',
    );
  }
  return g;
}

function evaluateCount(e: A.Expr, ctx: EvalCtx, what: string): void {
  countsUnder(e, ctx, what);
}

function checkEvery(s: A.Schedule, ctx: EvalCtx, unit: 'generation' | 'step' | 'round'): void {
  if (s.kind === 'final') {
    ctx.sink.report('invalid-schedule', s.range, '`at final` does not apply here; use `every N generations`');
    return;
  }
  if (s.count) countsUnder(s.count, { ...ctx, inLoop: false }, 'interval');
  if (s.unit && s.unit !== unit)
    ctx.sink.report('invalid-schedule', s.range, `this loop counts ${unitWord[unit]}, not ${unitWord[s.unit]}`);
}

function checkInject(st: A.InjectStmt, ctx: EvalCtx, models: Map<Sym, ModelInfo>, loop: 'retrain' | 'cycle'): void {
  const amount = evaluate(st.amount, ctx);
  if (st.amount) checkParam(injectAmount[loop], amount, st.amount.range, undefined, ctx);
  const from = evaluate(st.from, ctx, ['data']);
  if (isKnown(from) && !(from.t === 'call' && from.entry.category === 'data') && from.t !== 'split') {
    ctx.sink.report('type-mismatch', st.from!.range, `fresh data comes from a data source, not ${describeValue(from)}`);
  }
  if (st.into) nameRef(st.into, ctx, models, '`into`');
  if (st.every) checkEvery(st.every, ctx, 'generation');
}

function checkCycle(s: A.CycleStmt, ctx: EvalCtx, models: Map<Sym, ModelInfo>): number | undefined {
  const gens = evaluate(s.generations, { ...ctx, inLoop: false });
  if (s.generations)
    checkParam({ name: 'generations', type: 'int', min: 1, doc: '' }, gens, s.generations.range, undefined, ctx);
  for (const it of s.body) {
    if (it.kind === 'Learns') {
      const learner = nameRef(it.learner, ctx, models, 'the learner');
      const teacher = nameRef(it.teacher, ctx, models, 'the teacher');
      if (it.samples) countsUnder(it.samples, ctx, 'sample count');
      if (!learner || !teacher) continue;
      if (it.captions) {
        if (!learner.families.includes('categorical')) {
          ctx.sink.report(
            'type-mismatch',
            it.learner.range,
            `only a categorical model learns from captions; \`${learner.sym.name}\` is ${learner.kind}`,
          );
        }
        if (teacher.kind !== 'conditional_gaussian') {
          ctx.sink.report(
            'type-mismatch',
            it.teacher!.range,
            `captions come from a conditional model's samples; \`${teacher.sym.name}\` is ${teacher.kind}`,
          );
        } else if (teacher.given && teacher.given !== learner.sym) {
          ctx.sink.report(
            'type-mismatch',
            it.teacher!.range,
            `\`${teacher.sym.name}\` is conditioned on \`${teacher.given.name}\`, so its captions are texts of \`${teacher.given.name}\`, not of \`${learner.sym.name}\``,
          );
        }
      } else {
        if (learner.kind === 'conditional_gaussian') {
          if (learner.given && learner.given !== teacher.sym) {
            ctx.sink.report(
              'type-mismatch',
              it.teacher!.range,
              `\`${learner.sym.name}\` is conditioned on \`${learner.given.name}\`, so it learns from \`${learner.given.name}\`'s samples, not \`${teacher.sym.name}\`'s`,
            );
          }
        } else if (teacher.dim !== undefined && learner.dim !== undefined && teacher.dim !== learner.dim) {
          ctx.sink.report(
            'dimension-mismatch',
            it.teacher!.range,
            `\`${teacher.sym.name}\` draws ${teacher.dim}-dimensional samples but \`${learner.sym.name}\` is ${learner.dim}-dimensional`,
          );
        }
      }
    } else if (it.kind === 'Inject') {
      checkInject(it, ctx, models, 'cycle');
      const from = evaluate(it.from, { ...ctx, report: false });
      if (from.t === 'call' && from.entry.name === 'paired') {
        const k = dataClasses(from);
        const dimImg = dataDim(from);
        for (const m of models.values()) {
          if (m.kind === 'categorical_fit' && m.classes === undefined) m.classes = k;
          if (m.kind === 'categorical_fit' && k !== undefined && m.classes !== undefined && m.classes !== k) {
            ctx.sink.report(
              'dimension-mismatch',
              it.from!.range,
              `the fresh pairs have ${k} texts but \`${m.sym.name}\` has ${m.classes} classes`,
            );
          }
          if (m.kind === 'conditional_gaussian' && m.dim === undefined) m.dim = dimImg;
          if (m.kind === 'conditional_gaussian' && dimImg !== undefined && m.dim !== dimImg) {
            ctx.sink.report(
              'dimension-mismatch',
              it.from!.range,
              `the fresh pairs have ${dimImg}-dimensional images but \`${m.sym.name}\` is ${m.dim}-dimensional`,
            );
          }
          if (m.kind === 'conditional_gaussian' || m.kind === 'categorical_fit') {
            m.params = modelParams(m);
          }
        }
      }
    } else {
      nameRef(it.model, ctx, models, 'the frozen model');
    }
  }
  if (!s.body.some((x) => x.kind === 'Learns')) {
    ctx.sink.report('missing-statement', s.range, 'a cycle needs at least one `a learns from b samples N` line');
  }
  return num(gens);
}

function checkSelect(s: A.SelectStmt, ctx: EvalCtx, body: readonly A.Stmt[]): number | undefined {
  if (s.from) {
    const v = evaluate({ kind: 'Name', name: s.from, range: s.from.range }, ctx);
    if (isKnown(v) && v.t !== 'generators')
      ctx.sink.report(
        'type-mismatch',
        s.from.range,
        `select draws from a generator list (\`generators g = [...]\`), not ${describeValue(v)}`,
      );
    if (v.t === 'generators' && v.items.length < 2)
      ctx.sink.report('value-out-of-range', s.from.range, 'a mixture needs at least two generators');
    // The runtime's bandits use exact kernel expectations of subset(...) arms (runtime/src/select.ts).
    const models = v.t === 'generators' ? v.items.filter((it) => it.t === 'model') : [];
    if (models.length > 0)
      ctx.sink.report(
        'type-mismatch',
        s.from.range,
        `\`${s.from.text}\` holds the model${models.length > 1 ? 's' : ''} ${listWords(models.map((m) => `\`${m.sym.name}\``))}; a select loop draws from subset(...) generators of a data source, whose kernel expectations it computes exactly: give \`subset(DATA, [modes])\` arms`,
      );
  }
  const algo = evaluate(s.by, ctx, ['algorithm', 'baseline']);
  let rounds: number | undefined;
  if (algo.t === 'call') {
    rounds = num(algo.args['rounds']);
    const score = algo.args['score'];
    if (score?.t === 'call' && score.args['of'] && isKnown(score.args['of'])) {
      ctx.sink.report(
        'invalid-option',
        s.by!.range,
        "a bandit's score measures the mixture itself; leave out its first argument: `rke(kernel: ...)`",
      );
    }
  } else if (isKnown(algo)) {
    ctx.sink.report(
      'type-mismatch',
      s.by?.range ?? s.range,
      `select needs a bandit algorithm such as mixture_ucb_cab(...), not ${describeValue(algo)}`,
    );
  }
  for (const st of body) {
    if (st.kind !== 'Compare') continue;
    for (const m of st.methods) checkCompared(m, ctx);
  }
  return rounds;
}

/** The methods `compare` takes: the catalog's bandit algorithms and baselines. */
const methodNames = algorithms.map((x) => x.name);
/** Settings every method of a select loop shares with its main algorithm. */
const sharedSettings = ['score', 'rounds'];

/** One method of `compare`: a bare name, or a call with its own settings (never the shared score and rounds). */
function checkCompared(m: A.Expr, ctx: EvalCtx): void {
  const callee = m.kind === 'Call' ? m.callee : m;
  if (callee.kind !== 'Name') {
    ctx.sink.report(
      'type-mismatch',
      m.range,
      'compare takes methods: a name such as `vanilla_ucb`, or a call with its settings such as `mixture_ucb_ogd(lr: 0.05)`',
    );
    if (m.kind !== 'Call') evaluate(m, { ...ctx, report: false });
    return;
  }
  const name = callee.name;
  const entry = lookupIn(name.text, ['algorithm', 'baseline']);
  if (!entry) {
    const sugg = closest(name.text, methodNames);
    ctx.sink.report(
      'unknown-function',
      name.range,
      `unknown method \`${name.text}\`${sugg.length ? didYouMean(sugg) : `; compare takes bandit algorithms and baselines: ${methodNames.join(', ')}`}`,
      sugg.map((x) => ({ title: `Change to \`${x}\``, edits: [{ range: name.range, newText: x }] })),
    );
    if (m.kind === 'Call') for (const a of m.args) evaluate(a.value, ctx);
    return;
  }
  if (m.kind !== 'Call') return;
  // Its options bind like any call's; the shared settings it must not give are not "missing".
  const local = new Sink(ctx.sink.uri);
  evaluate(m, { ...ctx, sink: local }, ['algorithm', 'baseline']);
  for (const d of local.diagnostics)
    if (!(d.code === 'missing-parameter' && d.range.start === m.argsRange.start && d.range.end === m.argsRange.end))
      ctx.sink.diagnostics.push(d);
  ctx.sink.references.push(...local.references);
  let pos = 0;
  m.args.forEach((a, i) => {
    const param = a.name ? a.name.text : entry.params[pos++]?.name;
    if (!param || !sharedSettings.includes(param)) return;
    const next = m.args[i + 1];
    const prev = m.args[i - 1];
    const cut = next
      ? { start: a.range.start, end: next.range.start }
      : prev
        ? { start: prev.range.end, end: a.range.end }
        : a.range;
    ctx.sink.report(
      'invalid-option',
      a.range,
      `compared methods share the \`${param}\` of \`select ... by ...\`; set it there, and here only this method's own settings (${
        entry.params
          .filter((p) => !sharedSettings.includes(p.name))
          .map((p) => `\`${p.name}\``)
          .join(', ') || 'it has none'
      })`,
      [{ title: `Remove \`${param}\``, edits: [{ range: cut, newText: '' }] }],
    );
  });
}

function checkTrain(s: A.TrainStmt, ctx: EvalCtx, infoOf: (v: Value) => ModelInfo | undefined): number | undefined {
  const pair = evaluate(s.pair, ctx, ['gan']);
  const target = evaluate(s.on, ctx, ['data']);
  if (isKnown(target) && !(target.t === 'call' && target.entry.category === 'data') && target.t !== 'split') {
    ctx.sink.report('type-mismatch', s.on!.range, `train ... on needs a data source, not ${describeValue(target)}`);
  }
  const td = dataDim(target);
  if (pair.t === 'call' && pair.entry.name === 'gan') {
    const g = pair.args['generator'] ? infoOf(pair.args['generator']) : undefined;
    const dd = pair.args['discriminator'] ? infoOf(pair.args['discriminator']) : undefined;
    const args = s.pair?.kind === 'Call' ? s.pair.args : [];
    if (g && g.kind !== 'unknown') {
      if (g.kind !== 'mlp' || g.inDim !== undefined)
        ctx.sink.report(
          'type-mismatch',
          args[0]?.range ?? s.range,
          `a GAN's generator is an mlp with \`latent\`; \`${g.sym.name}\` is not`,
        );
      else if (td !== undefined && g.dim !== undefined && g.dim !== td) {
        ctx.sink.report(
          'dimension-mismatch',
          args[0]?.range ?? s.range,
          `generator \`${g.sym.name}\` outputs ${g.dim} values but the data is ${td}-dimensional; set out: ${td}`,
        );
      }
    }
    if (dd && dd.kind !== 'unknown') {
      if (dd.kind !== 'mlp' || dd.inDim === undefined)
        ctx.sink.report(
          'type-mismatch',
          args[1]?.range ?? s.range,
          `a GAN's discriminator is an mlp with \`in\`; \`${dd.sym.name}\` is not`,
        );
      else {
        if (td !== undefined && dd.inDim !== td)
          ctx.sink.report(
            'dimension-mismatch',
            args[1]?.range ?? s.range,
            `discriminator \`${dd.sym.name}\` reads ${dd.inDim} values but the data is ${td}-dimensional; set in: ${td}`,
          );
        if (dd.dim !== undefined && dd.dim !== 1)
          ctx.sink.report(
            'dimension-mismatch',
            args[1]?.range ?? s.range,
            `discriminator \`${dd.sym.name}\` must output 1 value (a score), not ${dd.dim}; set out: 1`,
          );
      }
    }
  } else if (isKnown(pair)) {
    ctx.sink.report(
      'type-mismatch',
      s.pair?.range ?? s.range,
      `train needs a model pair \`gan(generator, discriminator)\`, not ${describeValue(pair)}`,
    );
  }
  let total = 0;
  let known = true;
  if (s.phases.length === 0)
    ctx.sink.report(
      'missing-statement',
      s.range,
      'train needs at least one phase: `phase adversarial 3000 steps { ... }`',
    );
  for (const p of s.phases) {
    const kind = p.phaseKind?.text;
    if (kind && !(phaseKinds as readonly string[]).includes(kind)) {
      const sugg = closest(kind, phaseKinds);
      ctx.sink.report(
        'value-out-of-range',
        p.phaseKind!.range,
        `unknown phase \`${kind}\`${didYouMean(sugg)}; phases are cooperative and adversarial`,
        sugg.map((x) => ({ title: `Change to \`${x}\``, edits: [{ range: p.phaseKind!.range, newText: x }] })),
      );
    }
    const st = evaluate(p.steps, ctx);
    if (p.steps) checkParam({ name: 'steps', type: 'int', min: 1, doc: '' }, st, p.steps.range, undefined, ctx);
    if (st.t === 'num') total += st.v;
    else known = false;
    if (p.when) {
      const w = evaluate(p.when, ctx);
      if (isKnown(w) && w.t !== 'bool')
        ctx.sink.report(
          'type-mismatch',
          p.when.range,
          `\`when\` needs a condition such as \`init == coop\`, not ${describeValue(w)}`,
        );
    }
    if (p.options && (kind === 'cooperative' || kind === 'adversarial'))
      checkOptions(p.options, optionBlocks[kind], ctx, `${kind} phase`);
  }
  return known ? total : undefined;
}

function checkFit(s: A.FitStmt, ctx: EvalCtx, models: Map<Sym, ModelInfo>): number | undefined {
  for (const m of s.models) {
    const info = nameRef(m, ctx, models, 'a fitted model');
    if (info && !info.families.includes('likelihood')) {
      ctx.sink.report(
        'type-mismatch',
        m.range,
        `fit trains likelihood models (ar, fractal, bernoulli_pixels); \`${info.sym.name}\` is ${info.kind}`,
      );
    }
    // (A fractal without data is reported at its declaration; a model that is not a likelihood model above.)
    if (info && !info.on && info.kind !== 'fractal' && info.families.includes('likelihood'))
      ctx.sink.report(
        'missing-parameter',
        m.range,
        `\`${info.sym.name}\` has no training data; declare it with \`on data\``,
      );
  }
  const st = evaluate(s.steps, ctx);
  if (s.steps) checkParam({ name: 'steps', type: 'int', min: 1, doc: '' }, st, s.steps.range, undefined, ctx);
  if (s.options) checkOptions(s.options, optionBlocks.fit, ctx, 'fit');
  return num(st);
}

/** Checks an options block against its specs; returns the evaluated values by key. */
function checkOptions(
  block: A.OptionsBlock,
  specs: readonly OptionSpec[],
  ctx: EvalCtx,
  where: string,
): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const e of block.entries) {
    const k = e.key?.text;
    if (!k) continue;
    const spec = specs.find((x) => x.name === k);
    if (!spec) {
      const sugg = closest(
        k,
        specs.map((x) => x.name),
      );
      ctx.sink.report(
        'invalid-option',
        e.key!.range,
        `\`${k}\` is not an option of ${where}${didYouMean(sugg)}${sugg.length ? '' : `; options are ${specs.map((x) => x.name).join(', ')}`}`,
        sugg.map((x) => ({ title: `Change to \`${x}\``, edits: [{ range: e.key!.range, newText: x }] })),
      );
      if (e.value) evaluate(e.value, ctx);
      continue;
    }
    if (k in out) ctx.sink.report('duplicate-parameter', e.range, `\`${k}\` is given twice; keep one`);
    if (spec.call) {
      if (!e.call) {
        ctx.sink.report(
          'type-mismatch',
          e.range,
          `write \`${k}(${spec.call.map((p) => `${p.name}: ...`).join(', ')})\``,
        );
        continue;
      }
      const pseudo: CatalogEntry = { name: k, category: 'generator', params: spec.call, doc: spec.doc, example: '' };
      for (const a of e.call.args) {
        const p = a.name ? spec.call.find((x) => x.name === a.name!.text) : undefined;
        const v = evaluate(a.value, ctx);
        if (!p) {
          ctx.sink.report(
            'unknown-parameter',
            a.name?.range ?? a.range,
            `\`${k}\` takes ${spec.call.map((x) => `\`${x.name}\``).join(', ')} by name`,
          );
          continue;
        }
        checkParam(p, v, a.value?.range ?? a.range, pseudo, ctx);
      }
      out[k] = { t: 'unknown' };
      continue;
    }
    if (e.call) {
      ctx.sink.report('type-mismatch', e.range, `write \`${k}: value\``);
      continue;
    }
    const v =
      spec.type === 'name' && e.value?.kind === 'Name'
        ? { t: 'word' as const, name: e.value.name.text }
        : evaluate(e.value, ctx);
    checkParam(spec, v, e.value?.range ?? e.range, undefined, ctx);
    out[k] = v;
  }
  return out;
}

function checkMetric(
  stmt: A.MetricStmt,
  sym: Sym,
  ctx: EvalCtx,
  action: ActionKind | undefined,
  infoOf: (v: Value) => ModelInfo | undefined,
  length: number | undefined,
): MetricInfo {
  const v = evaluate(stmt.value, ctx, ['metric']);
  let metric: string | undefined;
  if (v.t === 'call' && v.entry.category === 'metric') {
    metric = v.entry.name;
    sym.detail = `metric ${metric}`;
    const accepts = v.entry.accepts;
    const firstParam = v.entry.params[0]?.name;
    const subject = firstParam ? v.args[firstParam] : undefined;
    const subjects = subject?.t === 'list' ? subject.items : subject ? [subject] : [];
    const args = stmt.value?.kind === 'Call' ? stmt.value.args : [];
    let kindReported = false;
    subjects.forEach((s, i) => {
      const m = infoOf(s);
      const r = (subject?.t === 'list' ? args[i]?.range : args[0]?.range) ?? stmt.range;
      if (m && m.kind !== 'unknown' && accepts && !accepts.some((f) => m.families.includes(f))) {
        kindReported = true;
        const what = m.kind === 'mlp' && m.inDim !== undefined ? 'a discriminator (an mlp with `in`)' : m.kind;
        ctx.sink.report(
          'metric-kind-mismatch',
          r,
          `${metric} measures ${accepts.map(familyWord).join(' or ')} models; \`${m.sym.name}\` is ${what}`,
        );
      }
      if (s.t === 'selected' && action !== 'select') {
        ctx.sink.report('metric-kind-mismatch', r, '`selected` exists only in a select experiment');
      }
      if (s.t === 'generators') {
        ctx.sink.report(
          'metric-kind-mismatch',
          r,
          `\`${s.sym.name}\` is a list of generators; measure \`selected\`, the mixture the bandit draws`,
        );
      }
    });
    const loops = v.entry.loops;
    // (Not after a kind mismatch: the metric is then wrong for its model whatever the loop.)
    if (metric !== 'regret' && !kindReported && action !== undefined && loops && !loops.includes(action)) {
      const here = metricEntries.filter((e) => e.loops?.includes(action)).map((e) => e.name);
      ctx.sink.report(
        'metric-kind-mismatch',
        stmt.value!.range,
        `${metric} is measured in ${listWords(loops, 'and')} experiments, not in a ${action} experiment; here measure ${listWords(here, 'or')}`,
      );
    }
    if ((metric === 'precision' || metric === 'density') && action !== undefined) {
      // The reference samples whose k-NN balls they count: runtime/src/select.ts's REFERENCE_SAMPLES, else
      // families/sample-metrics.ts's SAMPLES and train.ts's SCORE_SAMPLES.
      const limit = action === 'select' ? 1000 : 500;
      const k = num(v.args['k']);
      const at = stmt.value?.kind === 'Call' ? stmt.value.args.find((a) => a.name?.text === 'k') : undefined;
      if (k !== undefined && k >= limit)
        ctx.sink.report(
          'value-out-of-range',
          at?.range ?? stmt.value!.range,
          `\`k\` is ${k}; it must be below ${limit}, the reference samples ${metric} compares with in a ${action} experiment`,
        );
    }
    if (metric === 'regret' && action !== undefined && action !== 'select') {
      ctx.sink.report(
        'metric-kind-mismatch',
        stmt.value!.range,
        `regret is a bandit's cumulative regret against the optimal mixture; it exists only in a select experiment, and this one runs a ${action} loop`,
      );
    }
    if (metric === 'mse') {
      const a = v.args['estimate'];
      const b = v.args['truth'];
      const da = a?.t === 'member' ? memberDim(a, infoOf) : undefined;
      const db = b?.t === 'member' ? memberDim(b, infoOf) : undefined;
      if (da !== undefined && db !== undefined && da !== db) {
        ctx.sink.report(
          'dimension-mismatch',
          stmt.value!.range,
          `the estimate is ${da}-dimensional but the truth is ${db}-dimensional`,
        );
      }
    }
    if (metric === 'bits_per_dim') {
      const on = v.args['on'];
      const dd = on ? dataDim(on) : undefined;
      subjects.forEach((s, i) => {
        const m = infoOf(s);
        if (m && dd !== undefined && m.dim !== undefined && m.dim !== dd) {
          ctx.sink.report(
            'dimension-mismatch',
            args[i]?.range ?? stmt.range,
            `\`${m.sym.name}\` models ${m.dim} values per sample but the evaluation data has ${dd}; evaluate it on the data it was trained on`,
          );
        }
      });
    }
    if (metric === 'mode_coverage' || metric === 'high_quality_fraction') {
      const t = v.args['target'];
      if (t?.t === 'call' && t.entry.name !== 'ring' && t.entry.name !== 'grid') {
        ctx.sink.report(
          'metric-kind-mismatch',
          args[1]?.range ?? stmt.range,
          `${metric} counts the modes of a ring or grid; \`${t.entry.name}\` has none`,
        );
      }
    }
  } else if (isKnown(v)) {
    ctx.sink.report(
      'type-mismatch',
      stmt.value?.range ?? stmt.range,
      `a metric is a call such as mse(...), entropy(...) or rke(...), not ${describeValue(v)}`,
    );
  }
  let unit: MetricInfo['unit'] = 'final';
  let every = 1;
  const s = stmt.schedule;
  if (s && s.kind === 'every') {
    const expected = action ? unitOf[action] : undefined;
    unit = s.unit ?? expected ?? 'generation';
    if (expected && s.unit && s.unit !== expected) {
      ctx.sink.report(
        'invalid-schedule',
        s.range,
        `this experiment counts ${unitWord[expected]}, so measure \`every N ${unitWord[expected]}\`, not ${unitWord[s.unit]}`,
        [
          {
            title: `Use ${unitWord[expected]}`,
            edits: [
              {
                range: s.range,
                newText: `every ${s.count ? (num(evaluate(s.count, { ...ctx, report: false })) ?? 1) : ''}${s.count ? ' ' : ''}${unitWord[expected]}`,
              },
            ],
          },
        ],
      );
    }
    if (s.count) {
      const c = evaluate(s.count, ctx);
      checkParam({ name: 'interval', type: 'int', min: 1, doc: '' }, c, s.count.range, undefined, ctx);
      every = num(c) ?? 1;
      if (length !== undefined && every > length) {
        ctx.sink.report(
          'value-out-of-range',
          s.count.range,
          `measuring every ${every} ${unitWord[s.unit ?? expected ?? 'generation']} never measures a loop of ${length}; use a smaller interval`,
        );
      }
    }
  }
  return { sym, stmt, metric, unit, every };
}

function memberDim(v: Value & { t: 'member' }, infoOf: (v: Value) => ModelInfo | undefined): number | undefined {
  if (v.dim !== undefined) return v.dim;
  const m = infoOf(v.of);
  return m && v.member === 'mean' ? m.dim : undefined;
}

function familyWord(f: ModelFamily): string {
  switch (f) {
    case 'gaussian':
      return 'Gaussian';
    case 'categorical':
      return 'categorical';
    case 'conditional':
      return 'conditional Gaussian';
    case 'regression':
      return 'regression';
    case 'sampler':
      return 'sampling';
    case 'likelihood':
      return 'likelihood (ar, fractal, bernoulli_pixels)';
    case 'gan-generator':
      return 'GAN generator';
  }
}

function checkView(
  s: A.ViewStmt,
  ctx: EvalCtx,
  action: ActionKind | undefined,
  metrics: readonly MetricInfo[],
  sweeps: readonly SweepInfo[],
  models: Map<Sym, ModelInfo>,
  body: readonly A.Stmt[],
): void {
  const report = (r: TextRange, msg: string, fixes?: readonly Fix[]): void =>
    ctx.sink.report('invalid-view', r, msg, fixes);
  if (s.samples) {
    const m = nameRef(s.samples.model, ctx, models, 'view samples');
    const as = s.samples.as?.text;
    if (as && as !== 'scatter' && as !== 'grid')
      report(s.samples.as!.range, `samples are shown \`as scatter\` or \`as grid\`, not \`as ${as}\``);
    if (m && as === 'grid') {
      const on = m.on?.t === 'split' ? m.on.data : m.on;
      if (!(on?.t === 'call' && on.entry.name === 'images'))
        report(s.range, `\`as grid\` shows images; \`${m.sym.name}\` does not model images, use \`as scatter\``);
    }
    if (m && as === 'scatter' && m.dim !== undefined && m.dim > 3)
      report(
        s.range,
        `\`${m.sym.name}\` draws ${m.dim}-dimensional samples; a scatter shows 1 to 3 dimensions${m.dim > 16 ? ', use `as grid` for images' : ''}`,
      );
    return;
  }
  const subj = s.subject?.text;
  if (!subj) return;
  const metric = metrics.find((m) => m.sym.name === subj);
  if (subj === 'proportions') {
    if (action !== 'select') report(s.subject!.range, "`proportions` (a bandit's choices) needs a `select` experiment");
  } else if (metric) {
    metric.sym.used = true;
    ctx.sink.references.push({ uri: ctx.sink.uri, range: s.subject!.range, symbol: metric.sym });
  } else {
    const sugg = closest(subj, [...metrics.map((m) => m.sym.name), 'proportions']);
    ctx.sink.report(
      'unresolved-name',
      s.subject!.range,
      `no metric named \`${subj}\` in this experiment${didYouMean(sugg)}`,
      sugg.map((x) => ({ title: `Change to \`${x}\``, edits: [{ range: s.subject!.range, newText: x }] })),
    );
    return;
  }
  const over = s.over?.text;
  if (over) {
    const axes: Record<ActionKind, readonly string[]> = {
      retrain: ['t', 'generations'],
      cycle: ['t', 'generations'],
      train: ['steps'],
      fit: ['steps'],
      select: ['rounds'],
    };
    const ok = action ? axes[action] : ['t', 'generations', 'steps', 'rounds'];
    if (!ok.includes(over))
      report(
        s.over!.range,
        `this experiment's metrics run over ${ok.map((x) => `\`${x}\``).join(' or ')}, not \`${over}\``,
      );
    if (metric && metric.unit === 'final')
      report(
        s.over!.range,
        `\`${subj}\` is measured only \`at final\`; measure it \`every ...\` to plot it over ${over}`,
      );
  }
  const by = s.by?.text;
  if (by) {
    const sw = sweeps.find((x) => x.sym.name === by);
    if (sw) {
      sw.sym.used = true;
      ctx.sink.references.push({ uri: ctx.sink.uri, range: s.by!.range, symbol: sw.sym });
    } else if (by === 'method') {
      if (!body.some((x) => x.kind === 'Compare')) report(s.by!.range, '`by method` needs a `compare ...` statement');
    } else if (by === 'model') {
      const multi =
        metric && metric.stmt.value?.kind === 'Call' && metric.stmt.value.args.filter((a) => !a.name).length > 1;
      if (!multi)
        report(s.by!.range, `\`by model\` needs a metric of several models, such as bits_per_dim(a, b, on: ...)`);
    } else {
      const sugg = closest(by, [...sweeps.map((x) => x.sym.name), 'method', 'model']);
      ctx.sink.report(
        'unresolved-name',
        s.by!.range,
        `\`${by}\` is not a sweep of this experiment${didYouMean(sugg)}; \`by\` takes a sweep variable, \`method\` or \`model\``,
      );
    }
  }
  const mark = s.mark?.text;
  if (mark) {
    if (mark !== 'min' && mark !== 'max') report(s.mark!.range, `\`mark\` takes min or max, not \`${mark}\``);
    if (over) report(s.mark!.range, '`mark` marks the optimum of a metric against a swept parameter; leave out `over`');
    if (!by || !sweeps.some((x) => x.sym.name === by)) report(s.mark!.range, '`mark` needs `by` a sweep variable');
  }
  if (!over && by && sweeps.some((x) => x.sym.name === by) && metric && metric.unit !== 'final' && mark) {
    report(s.range, `\`${subj}\` against \`${by}\` uses its final value; measure it \`at final\``);
  }
}

export { describeData };
