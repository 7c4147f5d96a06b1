import type * as A from '../syntax/ast.js';
import type { Fix } from '../diagnostics/diagnostic.js';
import type { TextRange } from '../text/text-range.js';
import { injectAmount, optimalRealWeight, stationaryError } from '../catalog/catalog.js';
import type { ModelInfo, Sym, Value } from './symbols.js';
import { evaluate, fmtNum, num, numberProblem, type EvalCtx } from './evaluate.js';
import { describeCombo, type ActionKind, type SweepInfo } from './experiment.js';

/** A real-data weight whose stationary error exceeds the optimum's by more than this factor is flagged. */
export const SUBOPTIMAL_RATIO = 1.05;

export interface TheoryInput {
  readonly decl: A.ExperimentDecl;
  readonly ctx: EvalCtx;
  readonly sweeps: readonly SweepInfo[];
  readonly combos: readonly Map<string, Value>[];
  readonly models: ReadonlyMap<Sym, ModelInfo>;
  readonly action: ActionKind | undefined;
  readonly length: number | undefined;
}

/** Range rules that depend on sweep values, and the theory-backed warnings (shared/papers). */
export function checkTheory(input: TheoryInput): void {
  for (const s of input.decl.body) {
    if (s.kind === 'Retrain') checkRetrainTheory(s, input);
    else if (s.kind === 'Cycle') checkCycleTheory(s, input);
    else if (s.kind === 'Train') checkGanTheory(s, input);
  }
  checkRetrainCycles(input);
}

function keywordRange(r: TextRange, word: string): TextRange {
  return { start: r.start, end: r.start + word.length };
}

/** Values of an expression under every sweep combination (and a few generation indices). */
/**
 * The environments to evaluate `exprs` under: none when they are constants, else each sweep
 * combination, times a few generation indices where a value depends on `t`.
 */
function envsFor(exprs: readonly (A.Expr | undefined)[], input: TheoryInput): Map<string, Value>[] {
  const quiet = { ...input.ctx, report: false, inLoop: true };
  if (exprs.every((e) => evaluate(e, quiet).t !== 'dynamic')) return [new Map()];
  const gens = input.length ?? 1;
  const ts = [...new Set([1, 2, Math.max(1, Math.ceil(gens / 2)), gens])];
  const needsT = input.combos.some((c) => exprs.some((e) => evaluate(e, { ...quiet, env: c }).t === 'dynamic'));
  if (!needsT) return [...input.combos];
  const out: Map<string, Value>[] = [];
  for (const c of input.combos) {
    for (const t of ts) {
      const env = new Map(c);
      env.set('t', { t: 'num', v: t });
      out.push(env);
    }
  }
  return out;
}

/** Values of an expression under every sweep combination (and a few generation indices). */
function valuesUnder(
  e: A.Expr | undefined,
  input: TheoryInput,
  envs = envsFor([e], input),
): { value: number | undefined; combo: Map<string, Value> }[] {
  const quiet = { ...input.ctx, report: false, inLoop: true };
  return envs.map((env) => ({ value: num(evaluate(e, { ...quiet, env })), combo: env }));
}

function dependsOnLoop(e: A.Expr | undefined, input: TheoryInput): boolean {
  const v = evaluate(e, { ...input.ctx, report: false, inLoop: true });
  return v.t === 'dynamic';
}

function comboText(c: Map<string, Value>, showT: boolean): string {
  const parts = describeCombo(c);
  const t = c.get('t');
  const tt = showT && t?.t === 'num' ? `t = ${t.v}` : '';
  const all = [parts, tt].filter((x) => x).join(', ');
  return all ? ` (at ${all})` : '';
}

function dataName(input: TheoryInput, m: ModelInfo | undefined): string {
  if (m?.stmt.on?.kind === 'Name') return m.stmt.on.name.text;
  for (let s = input.ctx.scope.parent; s; s = s.parent) {
    for (const sym of s.names.values()) if (sym.kind === 'data') return sym.name;
  }
  return 'truth';
}

/** How each loop reads an `inject` amount, for the message when one does not fit (catalog.ts's injectAmount). */
const injectWords = {
  retrain: ['dose', 'in a retrain it is a whole number of fresh samples (0 or more)'],
  cycle: ['fraction', "in a cycle it is the fresh share of each learner's training data, at least 0 and below 1"],
} as const;

/**
 * `inject` amounts that vary with a sweep or `t`, checked under every value against catalog.ts's injectAmount,
 * as the runtime reads them (constant amounts: experiment.ts's checkInject).
 */
function checkInjectAmounts(injects: readonly A.InjectStmt[], input: TheoryInput, loop: 'retrain' | 'cycle'): void {
  const [what, meaning] = injectWords[loop];
  for (const inj of injects) {
    const envs = envsFor([inj.amount], input);
    if (envs.length === 1 && envs[0]!.size === 0) continue;
    for (const { value, combo } of valuesUnder(inj.amount, input, envs)) {
      const problem = value === undefined ? undefined : numberProblem(injectAmount[loop], value);
      if (!problem) continue;
      input.ctx.sink.report(
        problem.code,
        inj.amount!.range,
        `the injected ${what} is ${fmtNum(value!)}${comboText(combo, true)}; ${meaning}`,
      );
      break;
    }
  }
}

function checkRetrainTheory(s: A.RetrainStmt, input: TheoryInput): void {
  const { ctx } = input;
  const sink = ctx.sink;
  const reals = s.body.filter((x): x is A.SourceStmt => x.kind === 'Source' && x.role === 'real');
  const synths = s.body.filter((x): x is A.SourceStmt => x.kind === 'Source' && x.role === 'synthetic');
  const injects = s.body.filter((x): x is A.InjectStmt => x.kind === 'Inject');
  const weights = s.body.find((x): x is A.WeightsStmt => x.kind === 'Weights');
  const realW = weights?.entries.find((e) => e.key?.text === 'real');
  const synW = weights?.entries.find((e) => e.key?.text === 'synthetic');
  const gens = input.length;
  const showT = dependsOnLoop(realW?.value, input) || dependsOnLoop(synW?.value, input);

  // Counts stay positive and whole under every sweep value and generation.
  // (Constant counts were checked with the statement; here, those that vary with a sweep or `t`.)
  for (const src of [...reals, ...synths]) {
    const envs = envsFor([src.count], input);
    if (envs.length === 1 && envs[0]!.size === 0) continue;
    for (const { value, combo } of valuesUnder(src.count, input, envs)) {
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        sink.report(
          'non-positive-count',
          src.count!.range,
          `the ${src.role} sample count is ${fmtNum(value)}${comboText(combo, true)}; it must be a whole number of at least 1`,
        );
        break;
      }
    }
  }

  checkInjectAmounts(injects, input, 'retrain');

  // Weights in [0, 1], summing to 1.
  let reportedRange = false;
  let reportedSum = false;
  const weightValues: { real: number | undefined; syn: number | undefined; combo: Map<string, Value> }[] = [];
  if (realW || synW) {
    const envs = envsFor([realW?.value, synW?.value], input);
    const rv = valuesUnder(realW?.value, input, envs);
    const sv = valuesUnder(synW?.value, input, envs);
    rv.forEach((r, i) => {
      const sy = sv[i]?.value;
      weightValues.push({
        real: realW ? r.value : sy !== undefined ? 1 - sy : undefined,
        syn: synW ? sy : r.value !== undefined ? 1 - r.value : undefined,
        combo: r.combo,
      });
      for (const [w, entry] of [
        [realW ? r.value : undefined, realW],
        [synW ? sy : undefined, synW],
      ] as const) {
        if (!reportedRange && w !== undefined && entry?.value && (w < 0 || w > 1)) {
          reportedRange = true;
          sink.report(
            'weight-out-of-range',
            entry.value.range,
            `the ${entry.key!.text} weight is ${fmtNum(w)}${comboText(r.combo, showT)}; weights lie in [0, 1]`,
          );
        }
      }
      if (
        !reportedSum &&
        realW &&
        synW &&
        r.value !== undefined &&
        sy !== undefined &&
        Math.abs(r.value + sy - 1) > 1e-9
      ) {
        reportedSum = true;
        sink.report(
          'weights-sum',
          weights!.range,
          `the weights sum to ${fmtNum(r.value + sy)}${comboText(r.combo, showT)}; real and synthetic weights must sum to 1, e.g. \`real: w, synthetic: 1 - w\``,
          [
            {
              title: 'Make the synthetic weight 1 − real',
              edits: [{ range: synW.value!.range, newText: `1 - ${textOf(realW.value!, sink)}` }],
            },
          ],
        );
      }
    });
  }

  // Model collapse: a self-consuming loop with no fresh real data.
  const m = s.model ? [...input.models.values()].find((x) => x.sym.name === s.model!.text) : undefined;
  // Model collapse is about self-consumption: a model refit on its own samples. A model that learns
  // from another model's samples is a chain (or, if they feed each other, a cycle: checkRetrainCycles).
  const selfConsuming = synths.some((x) => x.from?.kind === 'Name' && x.from.name.text === s.model?.text);
  const ownOnly = synths.every((x) => x.from?.kind === 'Name' && x.from.name.text === s.model?.text);
  if (!selfConsuming || !s.model) return;
  const periodicOk = (src: { every: A.Schedule | undefined }): boolean => {
    if (!src.every || src.every.kind === 'final') return true;
    const k = num(evaluate(src.every.count, { ...ctx, report: false })) ?? 1;
    return gens === undefined || k < gens;
  };
  const freshSources = [...reals.filter(periodicOk), ...injects.filter(periodicOk)];
  const realWeightAlwaysZero = weightValues.length > 0 && weightValues.every((w) => w.real === 0);

  if (freshSources.length === 0 || (reals.length > 0 && injects.length === 0 && realWeightAlwaysZero)) {
    const data = dataName(input, m);
    const open = s.body[0]?.range.start ?? s.range.end - 1;
    const indent = indentAt(sink, open);
    const fixes: Fix[] = [];
    if (freshSources.length === 0) {
      const n = synths[0]?.count ? textOf(synths[0].count, sink) : '100';
      const edits = [{ range: { start: open, end: open }, newText: `real ${n} from ${data}\n${indent}` }];
      if (weights) edits.push({ range: weights.range, newText: 'weights optimal' });
      fixes.push({ title: `Add fresh real data from \`${data}\` every generation`, edits });
    } else if (weights && realW) {
      fixes.push({ title: 'Use the optimal weights', edits: [{ range: weights.range, newText: 'weights optimal' }] });
    }
    sink.report(
      'model-collapse',
      keywordRange(s.range, 'retrain'),
      `\`${s.model.text}\` is retrained on ${ownOnly ? 'its own samples' : 'generated samples'} with no fresh real data${realWeightAlwaysZero && freshSources.length > 0 ? ' (the real weight is 0)' : ''}: its mean drifts as a random walk and its fitted variance shrinks by (m−1)/m per generation towards 0, so the model collapses (He, Xu, Cheng 2025); add \`real N from ${data}\` every generation with a positive weight`,
      fixes,
    );
    return;
  }

  // Suboptimal real-data weight (golden-ratio.md): needs one constant real and one synthetic size.
  if (reals.length !== 1 || synths.length !== 1 || injects.length > 0 || reals[0]!.every) return;
  // The closed form is that of a Gaussian fitted to Gaussian data (its mean estimator's variance); it says
  // nothing of a kde, a regression or a Gaussian fitted to a ring.
  if (m?.kind !== 'gaussian_fit') return;
  const realData = evaluate(reals[0]!.from, { ...ctx, report: false });
  const realCall = realData.t === 'split' ? realData.data : realData;
  if (realCall.t !== 'call' || realCall.entry.name !== 'gaussian') return;
  const n = num(evaluate(reals[0]!.count, { ...ctx, report: false }));
  const mm = num(evaluate(synths[0]!.count, { ...ctx, report: false }));
  if (n === undefined || mm === undefined || n < 1 || mm < 1) return;
  let w: number | undefined;
  let how: string;
  const rule = weights?.rule?.text;
  if (!weights || rule === 'pooled') {
    w = n / (n + mm);
    how = weights
      ? 'with `weights pooled` the real-data weight'
      : 'with no `weights` line, samples are pooled, so the real-data weight';
  } else if (rule === 'real_only') {
    w = 1;
    how = 'with `weights real_only` the real-data weight';
  } else if (rule === 'optimal') return;
  else {
    if (dependsOnLoop(realW?.value ?? synW?.value, input)) return; // swept or scheduled: deliberate
    const wv = weightValues[0];
    w = wv?.real;
    how = 'the real-data weight';
  }
  if (w === undefined || w <= 0 || w > 1) return;
  const wOpt = optimalRealWeight(n, mm);
  const ratio = stationaryError(w, n, mm) / stationaryError(wOpt, n, mm);
  if (ratio <= SUBOPTIMAL_RATIO) return;
  const golden = n === mm;
  const optText = golden ? 'golden' : fmtNum(Number(wOpt.toFixed(4)));
  const optWords = golden
    ? `1/φ ≈ 0.618 (\`golden\`)`
    : `${fmtNum(Number(wOpt.toFixed(4)))} = (−c + √(c² + 4c))/2 with c = n/m = ${fmtNum(n / mm)}`;
  const newWeights = `weights real: ${optText}, synthetic: 1 - ${optText}`;
  const range = weights ? (realW?.value?.range ?? weights.range) : keywordRange(s.range, 'retrain');
  const fix: Fix = weights
    ? {
        title: `Set the real-data weight to ${golden ? '1/φ' : optText}`,
        edits: [{ range: weights.range, newText: newWeights }],
      }
    : {
        title: `Weight real data by ${golden ? '1/φ' : optText}`,
        edits: [
          {
            range: { start: s.body[s.body.length - 1]!.range.end, end: s.body[s.body.length - 1]!.range.end },
            newText: `\n${indentAt(sink, s.body[0]!.range.start)}${newWeights}`,
          },
        ],
      };
  sink.report(
    'suboptimal-real-weight',
    range,
    `${how} is ${fmtNum(w)}: with n = ${fmtNum(n)} real and m = ${fmtNum(mm)} synthetic samples per generation its stationary error is ${ratio.toFixed(3)}× the optimum (V*(w) = σ²(w²/n + (1−w)²/m)/(w(2−w)) = ${fmtSci(stationaryError(w, n, mm))}σ² against ${fmtSci(stationaryError(wOpt, n, mm))}σ²); set the real-data weight to ${optWords} (He, Xu, Cheng 2025)`,
    [fix],
  );
}

function fmtSci(x: number): string {
  return x >= 0.01 ? x.toFixed(4) : x.toExponential(3);
}

function textOf(e: A.Expr, sink: { uri: string }): string {
  void sink;
  return exprText(e);
}

/** Source-free rendering of an expression (used in fixes). */
export function exprText(e: A.Expr | undefined): string {
  if (!e) return '';
  switch (e.kind) {
    case 'Number':
      return e.text;
    case 'String':
      return JSON.stringify(e.value);
    case 'Bool':
      return String(e.value);
    case 'Name':
      return e.name.text;
    case 'Member':
      return `${exprText(e.object)}.${e.member?.text ?? ''}`;
    case 'Call':
      return `${exprText(e.callee)}(${e.args.map((a) => (a.name ? `${a.name.text}: ` : '') + exprText(a.value)).join(', ')})`;
    case 'List':
      return `[${e.items.map(exprText).join(', ')}]`;
    case 'Binary': {
      const wrap = (x: A.Expr | undefined): string => (x?.kind === 'Binary' ? `(${exprText(x)})` : exprText(x));
      return `${wrap(e.left)} ${e.op} ${wrap(e.right)}`;
    }
    case 'Unary':
      return e.op === '-' ? `-${exprText(e.operand)}` : `not ${exprText(e.operand)}`;
    case 'Range':
      return `${exprText(e.from)} .. ${exprText(e.to)}${e.step ? ` step ${exprText(e.step)}` : ''}`;
    case 'If':
      return `if ${exprText(e.cond)} then ${exprText(e.then)} else ${exprText(e.else)}`;
    case 'Paren':
      return `(${exprText(e.inner)})`;
  }
}

/** The indentation of the line holding `offset` (from the analysed text, kept by the sink's owner). */
function indentAt(sink: { uri: string }, offset: number): string {
  const text = currentText.value;
  let start = offset;
  while (start > 0 && text[start - 1] !== '\n') start--;
  let end = start;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  void sink;
  return text.slice(start, end);
}

/** The text being analysed, for fixes that copy indentation. Set by analyze(). */
export const currentText = { value: '' };

function checkCycleTheory(s: A.CycleStmt, input: TheoryInput): void {
  const sink = input.ctx.sink;
  const injects = s.body.filter((x): x is A.InjectStmt => x.kind === 'Inject');
  checkInjectAmounts(injects, input, 'cycle');
  const learners = new Map<string, A.Name>();
  for (const it of s.body) if (it.kind === 'Learns') learners.set(it.learner.text, it.learner);
  const frozen = new Set(s.body.filter((x): x is A.FreezeStmt => x.kind === 'Freeze').map((x) => x.model?.text));
  const live = [...learners.keys()].filter((x) => !frozen.has(x));
  if (live.length === 0) return;
  const gens = input.length;
  const periodicOk = (inj: A.InjectStmt): boolean => {
    if (!inj.every || inj.every.kind === 'final') return true;
    const k = num(evaluate(inj.every.count, { ...input.ctx, report: false })) ?? 1;
    return gens === undefined || k < gens;
  };
  const effective = injects.filter(
    (inj) => periodicOk(inj) && valuesUnder(inj.amount, input).some((v) => v.value === undefined || v.value > 0),
  );
  const fed = new Set<string>();
  let all = false;
  for (const inj of effective) {
    if (inj.into) fed.add(inj.into.text);
    else all = true;
  }
  const starving = all ? [] : live.filter((x) => !fed.has(x));
  if (starving.length === 0) return;
  const paired = dataOfKind(input, 'paired');
  const open = s.body[0]?.range.start ?? s.range.end - 1;
  const indent = indentAt(sink, open);
  const fixes: Fix[] =
    injects.length === 0 && paired
      ? [
          {
            title: `Inject 10% fresh pairs from \`${paired}\` every generation`,
            edits: [{ range: { start: open, end: open }, newText: `inject 0.1 from ${paired}\n${indent}` }],
          },
        ]
      : [];
  const quoted = (xs: string[]): string => xs.map((x) => `\`${x}\``).join(' and ');
  const inert = injects.length > 0 && effective.length === 0;
  const why = inert
    ? injects.some((inj) => !periodicOk(inj))
      ? ' (the injection comes too rarely to reach this loop)'
      : ' (the injected amount is 0)'
    : '';
  const who =
    effective.length === 0
      ? live.length > 1
        ? `${quoted(live)} train only on each other's samples${why}`
        : `\`${live[0]}\` trains only on generated samples${why}`
      : `${quoted(starving)} get${starving.length === 1 ? 's' : ''} no fresh data`;
  // What happens to each starving model, by its kind (coevolving.md).
  const kindOf = (name: string): string | undefined =>
    [...input.models.values()].find((m) => m.sym.name === name)?.kind;
  const effects: string[] = [];
  const generic: string[] = [];
  for (const name of starving) {
    const k = kindOf(name);
    if (k === 'conditional_gaussian')
      effects.push(`\`${name}\`'s per-class spread shrinks by (n_k − 1)/n_k per generation, fastest for rare classes`);
    else if (k === 'categorical_fit')
      effects.push(`\`${name}\` drifts to a single class (a Wright–Fisher process with absorbing corners)`);
    else generic.push(name);
  }
  if (generic.length) effects.push(`the spread of ${quoted(generic)} shrinks generation by generation`);
  const remedy = paired
    ? `inject a fresh fraction of real pairs every generation, e.g. \`inject 0.1 from ${paired}\``
    : 'inject a fresh fraction of real data every generation, e.g. `inject 0.1 from data`';
  sink.report(
    'cycle-collapse',
    keywordRange(s.range, 'cycle'),
    `${who}: ${effects.join(', and ')}, so diversity collapses (Gao, Li 2025); ${remedy}`,
    fixes,
  );
}

function dataOfKind(input: TheoryInput, kind: string): string | undefined {
  for (let s = input.ctx.scope.parent; s; s = s.parent) {
    for (const sym of s.names.values())
      if (sym.kind === 'data' && sym.value.t === 'call' && sym.value.entry.name === kind) return sym.name;
  }
  return undefined;
}

/** Cycles between retrain loops (a trains on b's samples and b on a's) with no fresh data. */
function checkRetrainCycles(input: TheoryInput): void {
  const retrains = input.decl.body.filter((x): x is A.RetrainStmt => x.kind === 'Retrain' && x.model !== undefined);
  if (retrains.length < 2) return;
  const byModel = new Map(retrains.map((r) => [r.model!.text, r]));
  const edges = new Map<string, string[]>();
  const fresh = new Set<string>();
  for (const r of retrains) {
    const me = r.model!.text;
    for (const st of r.body) {
      if (st.kind === 'Source' && st.role === 'synthetic' && st.from?.kind === 'Name' && st.from.name.text !== me) {
        edges.set(st.from.name.text, [...(edges.get(st.from.name.text) ?? []), me]);
      }
      if ((st.kind === 'Source' && st.role === 'real') || st.kind === 'Inject') fresh.add(me);
    }
  }
  const reported = new Set<string>();
  for (const start of byModel.keys()) {
    // Find a path from start back to itself.
    const path = findCycle(start, edges);
    if (!path) continue;
    const key = [...path].sort().join(',');
    if (reported.has(key)) continue;
    reported.add(key);
    if (path.some((x) => fresh.has(x))) continue;
    const r = byModel.get(start)!;
    input.ctx.sink.report(
      'cycle-collapse',
      keywordRange(r.range, 'retrain'),
      `${path.map((x) => `\`${x}\``).join(' → ')} → \`${start}\` train on each other's samples with no fresh data, so their diversity collapses together (Gao, Li 2025); add \`real N from data\` to one of these loops`,
    );
  }
}

function findCycle(start: string, edges: Map<string, string[]>): string[] | undefined {
  const stack: { node: string; path: string[] }[] = [{ node: start, path: [start] }];
  const seen = new Set<string>();
  while (stack.length) {
    const { node, path } = stack.pop()!;
    for (const next of edges.get(node) ?? []) {
      if (next === start) return path;
      if (!seen.has(next)) {
        seen.add(next);
        stack.push({ node: next, path: [...path, next] });
      }
    }
  }
  return undefined;
}

function checkGanTheory(s: A.TrainStmt, input: TheoryInput): void {
  if (s.phases.length === 0) return;
  if (!(s.pair?.kind === 'Call' && s.pair.callee.kind === 'Name' && s.pair.callee.name.text === 'gan')) return;
  if (s.phases.some((p) => p.phaseKind?.text === 'cooperative')) return;
  const adversarial = s.phases.reduce((a, p) => a + (num(evaluate(p.steps, { ...input.ctx, report: false })) ?? 0), 0);
  const coopSteps = Math.max(100, Math.round(adversarial / 10 / 100) * 100);
  const first = s.phases[0]!;
  const indent = indentAt(input.ctx.sink, first.range.start);
  input.ctx.sink.report(
    'gan-random-init',
    keywordRange(s.range, 'train'),
    `this GAN starts adversarial training from random weights, the least stable stage of GAN training; a short cooperative phase first (the discriminator as an energy-based model, Langevin-revised generator samples) covers more modes (Zhao, Xie, Li 2023): add \`phase cooperative ${coopSteps} steps { langevin(steps: 30, step: 0.05) }\``,
    [
      {
        title: 'Add a cooperative phase',
        edits: [
          {
            range: { start: first.range.start, end: first.range.start },
            newText: `phase cooperative ${coopSteps} steps { langevin(steps: 30, step: 0.05) }\n${indent}`,
          },
        ],
      },
    ],
  );
}
