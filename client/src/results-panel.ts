/**
 * The results panels: one webview per spec, beside the editor, hosting the results app (views/src/app, copied
 * into media/ at build time). The page runs under CSP `default-src 'none'` with a fresh nonce per render and
 * may load only from media/. The app asks for its data with `ready`; the extension answers with the spec's
 * run history (`ouro/results`) and then forwards the server's run notifications while the panel is open.
 * UI state survives hide/show through the webview's getState/setState (no retainContextWhenHidden), and a
 * WebviewPanelSerializer brings panels back after a reload (the app keeps its spec's URI in that state).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ResultsRequestMethod,
  webviewHtml,
  type ResultsParams,
  type ResultsResponse,
  type RunEndedParams,
  type RunProgressParams,
  type ToWebview,
} from '@ouro/views';
import { fileName, routeWebviewMessage, saveFilters, type WebviewAction } from './run-ui.js';

export const resultsViewType = 'ouro.results';

interface Panel {
  readonly panel: vscode.WebviewPanel;
  readonly uri: string;
  /** The webview said `ready` (its message listener is installed). */
  ready: boolean;
  /** An experiment to show once the app is ready. */
  show?: string;
}

export interface PanelHost {
  client(): LanguageClient | undefined;
  /** Runs a webview's `run`/`cancel` action through the language server. */
  act(action: Extract<WebviewAction, { kind: 'run' | 'cancel' }>): Promise<void>;
  log: vscode.LogOutputChannel;
}

export class ResultsPanels implements vscode.WebviewPanelSerializer, vscode.Disposable {
  private readonly panels = new Map<string, Panel>();
  private readonly media: vscode.Uri;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: PanelHost,
  ) {
    this.media = vscode.Uri.joinPath(extensionUri, 'media');
  }

  has(uri: string): boolean {
    return this.panels.has(uri);
  }

  /** Opens (or reveals) the results panel of a spec beside the editor, showing `experiment` if given. */
  open(uri: string, experiment?: string, preserveFocus = false): void {
    const existing = this.panels.get(uri);
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      if (experiment !== undefined) this.showExperiment(existing, experiment);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      resultsViewType,
      this.title(uri),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      this.options(),
    );
    this.attach(panel, uri, experiment);
  }

  /** WebviewPanelSerializer: a panel restored after a reload, with the state its page saved. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const uri = (state as { uri?: unknown } | undefined)?.uri;
    if (typeof uri !== 'string' || this.panels.has(uri)) {
      // Nothing to show it for (no spec recorded, or that spec has a panel already).
      panel.dispose();
      return;
    }
    panel.webview.options = this.options();
    this.attach(panel, uri);
  }

  /** Run progress; with `finished`, the page of its spec draws the new record at once. */
  progress(p: RunProgressParams): void {
    this.post(p.uri, { type: 'progress', progress: p });
  }

  ended(e: RunEndedParams): void {
    // The records arrived one by one with the progress; the page needs only the outcome.
    const { runId, uri, budget, trigger, status, message, wallMs } = e;
    this.post(uri, {
      type: 'ended',
      ended: { runId, uri, budget, trigger, status, wallMs, ...(message !== undefined ? { message } : {}) },
    });
  }

  /** The language server restarted: panels fetch their history again from the new one. */
  reload(): void {
    for (const p of this.panels.values()) if (p.ready) void this.sendHistory(p);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.panel.dispose();
  }

  private options(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [this.media], enableFindWidget: true };
  }

  private title(uri: string): string {
    return `Results: ${fileName(uri)}`;
  }

  private attach(panel: vscode.WebviewPanel, uri: string, experiment?: string): void {
    const p: Panel = { panel, uri, ready: false, ...(experiment !== undefined ? { show: experiment } : {}) };
    this.panels.set(uri, p);
    panel.title = this.title(uri);
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'images', 'ouro-file.svg');
    const webview = panel.webview;
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(16).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'results.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.media, 'results.css')).toString(),
      title: this.title(uri),
    });
    const subs = [
      webview.onDidReceiveMessage((m: unknown) => void this.receive(p, m)),
      panel.onDidDispose(() => {
        if (this.panels.get(uri) === p) this.panels.delete(uri);
        for (const s of subs) s.dispose();
      }),
    ];
  }

  private async receive(p: Panel, m: unknown): Promise<void> {
    const action = routeWebviewMessage(p.uri, m);
    switch (action.kind) {
      case 'ready':
        p.ready = true;
        await this.sendHistory(p);
        if (p.show !== undefined) this.showExperiment(p, p.show);
        return;
      case 'run':
      case 'cancel':
        return this.host.act(action);
      case 'save':
        return this.save(p, action);
      case 'invalid':
        this.host.log.warn(`Ignored a message from the results view of ${fileName(p.uri)}: ${action.reason}`);
        return;
    }
  }

  private showExperiment(p: Panel, experiment: string): void {
    if (p.ready) {
      delete p.show;
      void p.panel.webview.postMessage({ type: 'show', experiment } satisfies ToWebview);
    } else p.show = experiment;
  }

  private async sendHistory(p: Panel): Promise<void> {
    const client = this.host.client();
    if (!client?.isRunning()) return;
    try {
      const res = await client.sendRequest<ResultsResponse>(ResultsRequestMethod, {
        uri: p.uri,
      } satisfies ResultsParams);
      await p.panel.webview.postMessage({
        type: 'history',
        uri: p.uri,
        experiments: res.experiments,
      } satisfies ToWebview);
    } catch (e) {
      this.host.log.error(`Could not load the results of ${fileName(p.uri)}: ${e instanceof Error ? e.message : e}`);
    }
  }

  private post(uri: string, m: ToWebview): void {
    const p = this.panels.get(uri);
    // Before `ready` the page has no listener; it asks for the whole history when it is.
    if (p?.ready) void p.panel.webview.postMessage(m);
  }

  private async save(p: Panel, a: Extract<WebviewAction, { kind: 'save' }>): Promise<void> {
    const spec = vscode.Uri.parse(p.uri);
    const folder =
      spec.scheme === 'file' ? vscode.Uri.joinPath(spec, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, a.filename) } : {}),
      filters: saveFilters(a.mime),
      title: `Export ${a.filename}`,
    });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, a.bytes);
      this.host.log.info(`Exported ${target.fsPath || target.toString()} (${a.bytes.length} bytes).`);
    } catch (e) {
      void vscode.window.showErrorMessage(
        `Ouro: could not write ${target.fsPath || target.toString()}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
}
