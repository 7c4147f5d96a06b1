/**
 * The messages between Ouro's language server and its editor clients for runs (custom LSP methods), and the
 * run records the results views draw. Plain JSON; the server sends them, the VS Code extension and the
 * results webview read them. Any LSP editor gets the standard features (inlay hints, code lens, hover,
 * diagnostics) without these.
 */
import type { ExperimentResult, RunResult } from '@ouro/runtime';

/** Which budget a run uses: the spec's `preview { ... }` overrides, or the full spec. */
export type RunBudget = 'preview' | 'full';
/** Why a run started: a save of the spec (run on save) or an explicit request (code lens, command). */
export type RunTrigger = 'save' | 'command';
export type RunStatus = 'ok' | 'cancelled' | 'error';

/** Client → server request `ouro/run`: run a spec's experiments (all of them, or one) now. */
export const RunRequestMethod = 'ouro/run';
export interface RunParams {
  readonly uri: string;
  readonly experiment?: string;
  readonly budget: RunBudget;
}
export interface RunResponse {
  readonly runId: string;
}

/** Client → server request `ouro/cancel`: cancel one run, or every run of a file. Responds `null`. */
export const CancelRequestMethod = 'ouro/cancel';
export interface CancelParams {
  readonly runId?: string;
  readonly uri?: string;
}

/** Client → server request `ouro/results`: the run history of a file's experiments. */
export const ResultsRequestMethod = 'ouro/results';
export interface ResultsParams {
  readonly uri: string;
}
export interface ResultsResponse {
  readonly uri: string;
  /** Per experiment, its runs, newest first. */
  readonly experiments: readonly ExperimentHistory[];
}
export interface ExperimentHistory {
  readonly experiment: string;
  readonly runs: readonly RunRecord[];
}

/** Server → client notification `ouro/runStarted`. */
export const RunStartedNotificationMethod = 'ouro/runStarted';
export interface RunStartedParams {
  readonly runId: string;
  readonly uri: string;
  readonly budget: RunBudget;
  readonly trigger: RunTrigger;
  /** The experiments this run executes (unchanged ones are not re-run on save). */
  readonly experiments: readonly string[];
}

/** Server → client notification `ouro/runProgress`. */
export const RunProgressNotificationMethod = 'ouro/runProgress';
export interface RunProgressParams {
  readonly runId: string;
  readonly uri: string;
  readonly experiment: string;
  /** Overall fraction of this run done, 0..1. */
  readonly fraction: number;
  readonly etaMs: number | null;
  readonly step: number;
  readonly steps: number;
  readonly unit: 'generation' | 'step' | 'round';
  /** Set when an experiment of this run has just finished: its record (views update live). */
  readonly finished?: RunRecord;
}

/** Server → client notification `ouro/runEnded`. */
export const RunEndedNotificationMethod = 'ouro/runEnded';
export interface RunEndedParams {
  readonly runId: string;
  readonly uri: string;
  readonly budget: RunBudget;
  readonly trigger: RunTrigger;
  readonly status: RunStatus;
  /** For `error`: what went wrong (also published as a diagnostic at the spec line it belongs to). */
  readonly message?: string;
  /** The experiments that finished in this run. */
  readonly records: readonly RunRecord[];
  readonly wallMs: number;
}

/** One experiment's result from one run, with what the views and the history need to label it. */
export interface RunRecord {
  readonly runId: string;
  readonly uri: string;
  readonly experiment: string;
  readonly budget: RunBudget;
  /** ISO 8601 time the run started. */
  readonly startedAt: string;
  /** Hash of the experiment's IR: a later edit that changes it makes this record stale. */
  readonly irHash: string;
  /** Hash of the spec text the run used. */
  readonly specHash: string;
  readonly backend: RunResult['backend'];
  readonly versions: RunResult['versions'];
  readonly result: ExperimentResult;
}

/** Extension → webview messages. */
export type ToWebview =
  | { readonly type: 'history'; readonly uri: string; readonly experiments: readonly ExperimentHistory[] }
  | { readonly type: 'record'; readonly record: RunRecord }
  | { readonly type: 'progress'; readonly progress: RunProgressParams }
  | { readonly type: 'ended'; readonly ended: Omit<RunEndedParams, 'records'> }
  /** Select an experiment (the editor's "Open results" of one experiment). */
  | { readonly type: 'show'; readonly experiment: string };

/** Webview → extension messages. */
export type FromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'run'; readonly experiment?: string; readonly budget: RunBudget }
  | { readonly type: 'cancel' }
  | { readonly type: 'save'; readonly filename: string; readonly mime: string; readonly base64: string };
