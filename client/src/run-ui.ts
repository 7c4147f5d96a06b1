/**
 * The editor-independent part of the extension's run UI: what the status bar, the progress notification and
 * the output channel say about a run, which runs are active, and which webview messages are acted on. Plain
 * functions and data (no `vscode` import), unit-tested in test/src/client-run-ui.test.ts.
 */
import type {
  CancelParams,
  FromWebview,
  RunBudget,
  RunEndedParams,
  RunParams,
  RunProgressParams,
  RunRecord,
  RunStartedParams,
} from '@ouro/views';

/** Run on save is on when the setting says so and the workspace is trusted (nothing runs in an untrusted one). */
export function effectiveRunOnSave(setting: unknown, trusted: boolean): boolean {
  return trusted && setting !== false;
}

/** The `ouro` settings the language server reads (initializationOptions, workspace/didChangeConfiguration). */
export interface ServerSettings {
  readonly runOnSave: boolean;
  readonly backend: string;
}

export function serverSettings(runOnSave: unknown, backend: unknown, trusted: boolean): ServerSettings {
  return {
    runOnSave: effectiveRunOnSave(runOnSave, trusted),
    backend: typeof backend === 'string' ? backend : 'auto',
  };
}

const seconds = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

/** The file name of a URI, for short labels. */
export function fileName(uri: string): string {
  const path = uri.replace(/[?#].*$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || uri;
}

/** One active run as the UI tracks it. */
export interface ActiveRun {
  readonly started: RunStartedParams;
  /** The latest progress, if any arrived. */
  progress?: RunProgressParams;
  /** Fraction already reported to a progress notification (0..1). */
  reported: number;
}

/** The runs the server said started and has not yet said ended, in the order they started. */
export class RunTracker {
  private readonly runs = new Map<string, ActiveRun>();

  started(p: RunStartedParams): ActiveRun {
    const r: ActiveRun = { started: p, reported: 0 };
    this.runs.set(p.runId, r);
    return r;
  }

  /** Records progress; returns the run (undefined for a run this tracker never saw start). */
  progress(p: RunProgressParams): ActiveRun | undefined {
    const r = this.runs.get(p.runId);
    if (r) r.progress = p;
    return r;
  }

  /**
   * The fraction (0..100) to add to a progress notification that has shown `run.reported` so far; progress
   * notifications take increments, and a run's fraction only grows.
   */
  increment(run: ActiveRun): number {
    const f = Math.min(1, Math.max(run.reported, run.progress?.fraction ?? 0));
    const inc = (f - run.reported) * 100;
    run.reported = f;
    return inc;
  }

  ended(p: RunEndedParams): ActiveRun | undefined {
    const r = this.runs.get(p.runId);
    this.runs.delete(p.runId);
    return r;
  }

  get(runId: string): ActiveRun | undefined {
    return this.runs.get(runId);
  }

  /** The most recently started active run (what the status bar shows). */
  latest(): ActiveRun | undefined {
    return [...this.runs.values()].at(-1);
  }

  get size(): number {
    return this.runs.size;
  }
}

/** The status-bar text of a running run: `$(sync~spin) Ouro golden_weight 42% · 1.2 s left`. */
export function statusText(run: ActiveRun): string {
  const p = run.progress;
  const what = p?.experiment ?? run.started.experiments.join(', ');
  if (!p) return `$(sync~spin) Ouro: ${what} starting…`;
  const eta = p.etaMs === null ? '' : ` · ${seconds(p.etaMs)} left`;
  return `$(sync~spin) Ouro: ${what} ${Math.round(p.fraction * 100)}%${eta}`;
}

/** The status bar's tooltip: which file, which budget, where the run is. */
export function statusTooltip(run: ActiveRun): string {
  const s = run.started;
  const p = run.progress;
  const where = p ? `, ${p.unit} ${p.step} of ${p.steps}` : '';
  return `${fileName(s.uri)}: ${s.budget} run (${s.trigger === 'save' ? 'on save' : 'requested'}) of ${s.experiments.join(', ')}${where}. Click to cancel.`;
}

/** The message of a full run's progress notification. */
export function notificationMessage(run: ActiveRun): string {
  const p = run.progress;
  if (!p) return `starting ${run.started.experiments.join(', ')}`;
  const eta = p.etaMs === null ? '' : `, ${seconds(p.etaMs)} left`;
  return `${p.experiment}: ${p.unit} ${p.step}/${p.steps}${eta}`;
}

/** The status bar after a run: `$(check) Ouro: 2 experiments in 0.5 s`, `$(error) Ouro: run failed`. */
export function endedStatusText(e: RunEndedParams): string {
  switch (e.status) {
    case 'ok': {
      const n = e.records.length;
      if (n === 0) return '$(check) Ouro: results up to date';
      const what = n === 1 ? e.records[0]!.experiment : `${n} experiments`;
      return `$(check) Ouro: ${what} in ${seconds(e.wallMs)}`;
    }
    case 'cancelled':
      return '$(circle-slash) Ouro: run cancelled';
    case 'error':
      return '$(error) Ouro: run failed';
  }
}

/** The output channel's lines for the run notifications. */
export function startedLog(p: RunStartedParams): string {
  const why = p.trigger === 'save' ? 'on save' : 'on request';
  const what = p.experiments.length ? p.experiments.join(', ') : 'nothing changed';
  return `run ${p.runId} started ${why}: ${fileName(p.uri)} at ${p.budget} budget: ${what}`;
}

export function finishedLog(r: RunRecord): string {
  const res = r.result;
  return `run ${r.runId}: ${r.experiment} finished in ${seconds(res.wallMs)} on ${r.backend.name} (seed ${res.seed})`;
}

export function endedLog(e: RunEndedParams): string {
  const head = `run ${e.runId} ${e.status === 'ok' ? 'finished' : e.status} after ${seconds(e.wallMs)}`;
  return e.status === 'error' && e.message ? `${head}: ${e.message}` : head;
}

/** What the extension does for a message from a results webview (whose content it does not trust). */
export type WebviewAction =
  | { readonly kind: 'ready' }
  | { readonly kind: 'run'; readonly params: RunParams }
  | { readonly kind: 'cancel'; readonly params: CancelParams }
  | { readonly kind: 'save'; readonly filename: string; readonly mime: string; readonly bytes: Uint8Array }
  | { readonly kind: 'invalid'; readonly reason: string };

const budgets: readonly RunBudget[] = ['preview', 'full'];

/** A file name without folders or characters that file systems reject; never empty. */
export function safeFileName(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f<>:"|?*]+/g, '_').replace(/^\.+/, '');
  return clean || 'export';
}

/**
 * Checks a message from the results webview of `uri` and turns it into an action for that spec: runs and
 * cancels always concern the panel's own spec, whatever the message says; saves carry bytes.
 */
export function routeWebviewMessage(uri: string, m: unknown): WebviewAction {
  if (!m || typeof m !== 'object' || typeof (m as { type?: unknown }).type !== 'string')
    return { kind: 'invalid', reason: 'not a message object with a `type`' };
  const msg = m as FromWebview;
  switch (msg.type) {
    case 'ready':
      return { kind: 'ready' };
    case 'run': {
      if (!budgets.includes(msg.budget)) return { kind: 'invalid', reason: `unknown budget ${String(msg.budget)}` };
      if (msg.experiment !== undefined && typeof msg.experiment !== 'string')
        return { kind: 'invalid', reason: 'the experiment is not a name' };
      return {
        kind: 'run',
        params: { uri, budget: msg.budget, ...(msg.experiment !== undefined ? { experiment: msg.experiment } : {}) },
      };
    }
    case 'cancel':
      return { kind: 'cancel', params: { uri } };
    case 'save': {
      if (typeof msg.filename !== 'string' || typeof msg.mime !== 'string' || typeof msg.base64 !== 'string')
        return { kind: 'invalid', reason: 'a save needs filename, mime and base64' };
      return {
        kind: 'save',
        filename: safeFileName(msg.filename),
        mime: msg.mime,
        bytes: new Uint8Array(Buffer.from(msg.base64, 'base64')),
      };
    }
    default:
      return { kind: 'invalid', reason: `unknown message type ${String((m as { type: unknown }).type)}` };
  }
}

/** Save-dialog filters for an export's MIME type. */
export function saveFilters(mime: string): Record<string, string[]> {
  switch (mime) {
    case 'image/png':
      return { 'PNG image': ['png'] };
    case 'image/svg+xml':
      return { 'SVG image': ['svg'] };
    case 'text/csv':
      return { 'CSV table': ['csv'] };
    default:
      return { 'All files': ['*'] };
  }
}

/**
 * Whether a run-on-save result should open the spec's results panel: the setting is on, no panel is open for
 * it, and none was opened automatically for it before in this window (a panel the user closed stays closed).
 */
export function shouldAutoOpen(setting: unknown, hasPanel: boolean, autoOpenedBefore: boolean): boolean {
  return setting !== false && !hasPanel && !autoOpenedBefore;
}
