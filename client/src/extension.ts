import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ResultsPanels, resultsViewType } from './results-panel.js';
import { serverSettings, type ServerSettings } from './run-ui.js';
import { RunUi, runParams, target } from './runs.js';

/*
 * The Ouro extension: a thin shell that starts the bundled language server (dist/server.js) over IPC
 * and logs to the "Ouro" output channel. Colouring before the server answers comes from the TextMate
 * grammar contributed in package.json.
 *
 * Runs: the server runs experiments (on save, and on `ouro/run`) in worker threads; the extension shows them
 * (runs.ts: status bar, progress notification for full runs, log) and draws their results in a panel per
 * spec (results-panel.ts). The run commands in package.json appear once `ouro.runtimeAvailable` is set.
 */

let client: LanguageClient | undefined;
let clientSubscriptions: vscode.Disposable[] = [];

/** The `ouro` settings sent to the server; run on save is off in an untrusted workspace. */
function currentSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration('ouro');
  return serverSettings(config.get('runOnSave'), config.get('backend'), vscode.workspace.isTrusted);
}

function createClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  watcher: vscode.FileSystemWatcher,
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'ouro' },
      { scheme: 'untitled', language: 'ouro' },
    ],
    // Files that `use` a changed file are re-checked; the server also indexes closed .ouro files.
    synchronize: { fileEvents: watcher },
    outputChannel: output,
    // The run history persists in the extension's workspace storage, so results survive a reload.
    initializationOptions: {
      ...currentSettings(),
      ...(context.storageUri ? { storagePath: context.storageUri.fsPath } : {}),
    },
  };
  return new LanguageClient('ouro', 'Ouro Language Server', serverOptions, clientOptions);
}

async function start(
  c: LanguageClient,
  output: vscode.LogOutputChannel,
  runs: RunUi,
  panels: ResultsPanels,
): Promise<void> {
  clientSubscriptions = runs.wire(c);
  try {
    await c.start();
    await vscode.commands.executeCommand('setContext', 'ouro.runtimeAvailable', true);
    panels.reload();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    output.error(`The Ouro language server failed to start: ${message}`);
    void vscode.window.showErrorMessage(
      `Ouro: the language server failed to start (${message}). See the "Ouro" output.`,
    );
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('Ouro', { log: true });
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.ouro');
  context.subscriptions.push(output, watcher);

  const getClient = (): LanguageClient | undefined => client;
  const panels = new ResultsPanels(context.extensionUri, {
    client: getClient,
    act: async (a) => {
      if (a.kind === 'run') await runs.run(a.params);
      else await runs.cancel(a.params);
    },
    log: output,
  });
  const runs = new RunUi(panels, output, getClient);
  context.subscriptions.push(panels, runs, vscode.window.registerWebviewPanelSerializer(resultsViewType, panels));

  // Settings the server reads, re-sent when they or the workspace's trust change.
  const pushSettings = (): void => {
    if (client?.isRunning())
      void client
        .sendNotification(DidChangeConfigurationNotification.type, { settings: { ouro: currentSettings() } })
        .catch((e: unknown) => output.error(`Sending the settings failed: ${String(e)}`));
  };
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('ouro') && pushSettings()),
    vscode.workspace.onDidGrantWorkspaceTrust(pushSettings),
  );

  const run =
    (budget: 'preview' | 'full') =>
    async (...args: unknown[]) => {
      const t = await target(args);
      if (t) await runs.run(runParams(t, budget));
    };
  context.subscriptions.push(
    vscode.commands.registerCommand('ouro.runExperiment', run('preview')),
    vscode.commands.registerCommand('ouro.runExperimentFull', run('full')),
    vscode.commands.registerCommand('ouro.openResults', async (...args: unknown[]) => {
      const t = await target(args);
      if (t) panels.open(t.uri, t.experiment);
    }),
    // From the status bar: the runs of its file; from the palette: every run.
    vscode.commands.registerCommand('ouro.cancel', (uri?: unknown) =>
      runs.cancel(typeof uri === 'string' ? { uri } : {}),
    ),
    vscode.commands.registerCommand('ouro.showLog', () => output.show(true)),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand('ouro.restartServer', async () => {
      output.info('Restarting the Ouro language server.');
      const old = client;
      client = undefined;
      for (const s of clientSubscriptions.splice(0)) s.dispose();
      runs.reset();
      // A client whose start failed cannot be started again: replace it with a fresh one.
      await old?.dispose().catch((e: unknown) => output.error(`Stopping the server failed: ${String(e)}`));
      const fresh = createClient(context, output, watcher);
      client = fresh;
      await start(fresh, output, runs, panels);
    }),
  );

  client = createClient(context, output, watcher);
  await start(client, output, runs, panels);
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  await c?.dispose();
}
