/**
 * Reading back the `result.json` that `ouro run` writes (docs/results.schema.json) as the runtime's
 * ExperimentResult and as a run record the views draw: for reports and tests built from saved results.
 */
import type { BackendInfo, ExperimentResult } from '@ouro/runtime';
import type { RunRecord } from './protocol.js';

/** The shape of result.json (see docs/results.schema.json): what `ouro run` writes. */
export interface ResultJson {
  readonly ouro: string;
  readonly spec: { readonly path: string; readonly sha256: string };
  readonly experiment: { readonly id: string; readonly name: string; readonly loop: ExperimentResult['loop'] };
  readonly seed: number;
  readonly seedFromCommandLine: boolean;
  readonly preview: boolean;
  readonly backend: { readonly name: BackendInfo['name']; readonly version: string };
  readonly packages: Readonly<Record<string, string>>;
  /** The Node.js version that ran it. */
  readonly node: string;
  readonly wallTimeMs: number;
  readonly finishedAt: string;
  readonly replicates: number;
  readonly generations: number;
  readonly sweeps: ExperimentResult['sweeps'];
  readonly points: ExperimentResult['points'];
  readonly metrics: ExperimentResult['metrics'];
  readonly samples?: ExperimentResult['samples'];
  readonly models?: ExperimentResult['models'];
  readonly selection?: ExperimentResult['selection'];
  readonly views?: ExperimentResult['views'];
  readonly theory?: ExperimentResult['theory'];
}

/** result.json → ExperimentResult (non-finite values, written as null, come back as NaN). */
export function resultFromJson(j: ResultJson): ExperimentResult {
  const metrics = j.metrics.map((m) => ({
    ...m,
    values: m.values.map((reps) => reps.map((xs) => xs.map((x) => (x === null ? NaN : x)))),
  }));
  return {
    id: j.experiment.id,
    name: j.experiment.name,
    seed: j.seed,
    preview: j.preview,
    loop: j.experiment.loop,
    replicates: j.replicates,
    generations: j.generations,
    sweeps: j.sweeps,
    points: j.points,
    metrics,
    ...(j.samples ? { samples: j.samples } : {}),
    ...(j.models ? { models: j.models } : {}),
    ...(j.selection ? { selection: j.selection } : {}),
    ...(j.views ? { views: j.views } : {}),
    ...(j.theory ? { theory: j.theory } : {}),
    wallMs: j.wallTimeMs,
  };
}

/** result.json → a run record. result.json does not keep the wasm fallback kernels: they read as none. */
export function recordFromJson(j: ResultJson, runId = `saved-${j.finishedAt}`): RunRecord {
  return {
    runId,
    uri: j.spec.path,
    experiment: j.experiment.name,
    budget: j.preview ? 'preview' : 'full',
    startedAt: new Date(Date.parse(j.finishedAt) - j.wallTimeMs).toISOString(),
    irHash: '',
    specHash: j.spec.sha256,
    backend: {
      name: j.backend.name,
      version: j.backend.version,
      tfjs: j.packages['@tensorflow/tfjs-core'] ?? j.packages['@tensorflow/tfjs'] ?? '',
      cpuFallbackKernels: [],
    },
    versions: j.packages,
    result: resultFromJson(j),
  };
}
