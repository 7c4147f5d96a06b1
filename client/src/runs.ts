/**
 * Runs in VS Code: the commands that start and cancel them (`ouro/run`, `ouro/cancel`), and what the editor
 * shows while the language server runs them — a status-bar item with the fraction done and the time left, a
 * cancellable progress notification for full-budget runs, the log in the "Ouro" output channel, and the live
 * updates of the results panels. The server runs experiments in worker threads; nothing runs here.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  CancelRequestMethod,
  RunEndedNotificationMethod,
  RunProgressNotificationMethod,
  RunRequestMethod,
  RunStartedNotificationMethod,
  type CancelParams,
  type RunBudget,
  type RunEndedParams,
  type RunParams,
  type RunProgressParams,
  type RunResponse,
  type RunStartedParams,
} from '@ouro/views';
import type { ResultsPanels } from './results-panel.js';
import {
  endedLog,
  endedStatusText,
  fileName,
  finishedLog,
  notificationMessage,
  RunTracker,
  shouldAutoOpen,
  startedLog,
  statusText,
  statusTooltip,
  type ActiveRun,
} from './run-ui.js';

/** How long the status bar keeps a finished run's outcome. */
const endedStatusMs = 5_000;

interface FullRunProgress {
  readonly report: (v: { message?: string; increment?: number }) => void;
  readonly done: () => void;
}

export class RunUi implements vscode.Disposable {
  private readonly tracker = new RunTracker();
  private readonly status: vscode.StatusBarItem;
  private readonly notifications = new Map<string, FullRunProgress>();
  private readonly autoOpened = new Set<string>();
  private hideTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly panels: ResultsPanels,
    private readonly log: vscode.LogOutputChannel,
    private readonly client: () => LanguageClient | undefined,
  ) {
    this.status = vscode.window.createStatusBarItem('ouro.run', vscode.StatusBarAlignment.Left, 10);
    this.status.name = 'Ouro Run';
  }

  /** Listens to a (new) language client's run notifications. */
  wire(c: LanguageClient): vscode.Disposable[] {
    return [
      c.onNotification(RunStartedNotificationMethod, (p: RunStartedParams) => this.onStarted(p)),
      c.onNotification(RunProgressNotificationMethod, (p: RunProgressParams) => this.onProgress(p)),
      c.onNotification(RunEndedNotificationMethod, (p: RunEndedParams) => this.onEnded(p)),
    ];
  }

  /** `ouro/run`; a refusal (the spec has errors, no such experiment) is shown to the user. */
  async run(params: RunParams): Promise<string | undefined> {
    // Code lenses and the results panel offer runs everywhere; nothing from an untrusted workspace executes.
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(
        'Ouro does not run experiments in an untrusted workspace. Trust the workspace to run them.',
      );
      return undefined;
    }
    const c = this.client();
    if (!c?.isRunning()) {
      void vscode.window.showErrorMessage('Ouro: the language server is not running; restart it to run experiments.');
      return undefined;
    }
    try {
      const res = await c.sendRequest<RunResponse>(RunRequestMethod, params);
      return res.runId;
    } catch (e) {
      const what = params.experiment ?? fileName(params.uri);
      void vscode.window.showErrorMessage(`Ouro: cannot run ${what}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** `ouro/cancel` of one run or of every run of a file. */
  async cancel(params: CancelParams): Promise<void> {
    const c = this.client();
    if (!c?.isRunning()) return;
    try {
      await c.sendRequest(CancelRequestMethod, params);
    } catch (e) {
      this.log.error(`Cancelling failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The language server went away: its runs ended with it. */
  reset(): void {
    for (const n of this.notifications.values()) n.done();
    this.notifications.clear();
    for (;;) {
      const r = this.tracker.latest();
      if (!r) break;
      this.tracker.ended({ ...r.started, status: 'cancelled', records: [], wallMs: 0 });
    }
    this.refresh();
  }

  dispose(): void {
    this.reset();
    if (this.hideTimer) clearTimeout(this.hideTimer);
    this.status.dispose();
  }

  private onStarted(p: RunStartedParams): void {
    const run = this.tracker.started(p);
    this.log.info(startedLog(p));
    if (p.budget === 'full') this.notify(run);
    this.refresh();
  }

  private onProgress(p: RunProgressParams): void {
    const run = this.tracker.progress(p);
    if (p.finished) {
      this.log.info(finishedLog(p.finished));
      if (
        p.finished.budget === 'preview' &&
        run?.started.trigger === 'save' &&
        shouldAutoOpen(
          vscode.workspace.getConfiguration('ouro', vscode.Uri.parse(p.uri)).get('openResultsOnRun'),
          this.panels.has(p.uri),
          this.autoOpened.has(p.uri),
        )
      ) {
        // The first result of a save opens the panel beside the editor, without taking the focus.
        this.autoOpened.add(p.uri);
        this.panels.open(p.uri, undefined, true);
      }
    }
    this.panels.progress(p);
    if (!run) return;
    const n = this.notifications.get(p.runId);
    if (n) n.report({ message: notificationMessage(run), increment: this.tracker.increment(run) });
    this.refresh();
  }

  private onEnded(e: RunEndedParams): void {
    this.tracker.ended(e);
    const line = endedLog(e);
    if (e.status === 'error') this.log.error(line);
    else this.log.info(line);
    this.notifications.get(e.runId)?.done();
    this.notifications.delete(e.runId);
    this.panels.ended(e);
    if (e.status === 'error' && e.trigger === 'command')
      void vscode.window.showErrorMessage(
        `Ouro: the run of ${fileName(e.uri)} failed: ${e.message ?? 'see the Ouro output'}`,
      );
    this.refresh(e);
  }

  /** A cancellable notification for a full-budget run; its Cancel sends `ouro/cancel`. */
  private notify(run: ActiveRun): void {
    const runId = run.started.runId;
    void vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Ouro: full run of ${fileName(run.started.uri)}`,
        cancellable: true,
      },
      (progress, token) =>
        new Promise<void>((resolve) => {
          this.notifications.set(runId, { report: (v) => progress.report(v), done: resolve });
          progress.report({ message: notificationMessage(run) });
          token.onCancellationRequested(() => {
            this.log.info(`run ${runId}: cancelling on request`);
            void this.cancel({ runId });
          });
        }),
    );
  }

  private refresh(ended?: RunEndedParams): void {
    void vscode.commands.executeCommand('setContext', 'ouro.running', this.tracker.size > 0);
    const run = this.tracker.latest();
    if (this.hideTimer) clearTimeout(this.hideTimer);
    this.hideTimer = undefined;
    if (run) {
      this.status.text = statusText(run);
      this.status.tooltip = statusTooltip(run);
      this.status.command = {
        title: 'Cancel Run',
        command: 'ouro.cancel',
        arguments: [run.started.uri],
      };
      this.status.show();
    } else if (ended) {
      this.status.text = endedStatusText(ended);
      this.status.tooltip = `${fileName(ended.uri)}: ${endedLog(ended)}. Click to show the log.`;
      this.status.command = 'ouro.showLog';
      this.status.show();
      this.hideTimer = setTimeout(() => this.status.hide(), endedStatusMs);
    } else this.status.hide();
  }
}

/** The experiment whose declaration holds the cursor (from the server's document symbols), if any. */
export async function experimentAt(editor: vscode.TextEditor): Promise<string | undefined> {
  const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>(
    'vscode.executeDocumentSymbolProvider',
    editor.document.uri,
  );
  const pos = editor.selection.active;
  return symbols?.find((s) => s.kind === vscode.SymbolKind.Namespace && s.range.contains(pos))?.name;
}

/** A command's spec and experiment: its arguments (code lens: [uri, experiment]), else the active editor. */
export async function target(args: readonly unknown[]): Promise<{ uri: string; experiment?: string } | undefined> {
  const [uri, experiment] = args;
  if (typeof uri === 'string') return { uri, ...(typeof experiment === 'string' ? { experiment } : {}) };
  if (uri instanceof vscode.Uri) return { uri: uri.toString() };
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId !== 'ouro') {
    void vscode.window.showInformationMessage('Ouro: open an .ouro spec to run its experiments.');
    return undefined;
  }
  const at = await experimentAt(editor);
  return { uri: editor.document.uri.toString(), ...(at !== undefined ? { experiment: at } : {}) };
}

export function runParams(t: { uri: string; experiment?: string }, budget: RunBudget): RunParams {
  return { uri: t.uri, budget, ...(t.experiment !== undefined ? { experiment: t.experiment } : {}) };
}
