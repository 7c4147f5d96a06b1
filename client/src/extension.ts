import * as vscode from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

/*
 * The Ouro extension: a thin shell that starts the bundled language server (dist/server.js) over IPC
 * and logs to the "Ouro" output channel. Colouring before the server answers comes from the TextMate
 * grammar contributed in package.json.
 *
 * The run commands (ouro.run, ouro.runAll, ouro.showResults, ouro.cancel) are declared in package.json
 * behind the `ouro.runtimeAvailable` context key, which nothing sets yet: they stay hidden and disabled
 * until the runtime registers them.
 */

let client: LanguageClient | undefined;

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
  };
  return new LanguageClient('ouro', 'Ouro Language Server', serverOptions, clientOptions);
}

async function start(c: LanguageClient, output: vscode.LogOutputChannel): Promise<void> {
  try {
    await c.start();
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

  context.subscriptions.push(
    vscode.commands.registerCommand('ouro.restartServer', async () => {
      output.info('Restarting the Ouro language server.');
      const old = client;
      client = undefined;
      // A client whose start failed cannot be started again: replace it with a fresh one.
      await old?.dispose().catch((e: unknown) => output.error(`Stopping the server failed: ${String(e)}`));
      const fresh = createClient(context, output, watcher);
      client = fresh;
      await start(fresh, output);
    }),
  );

  client = createClient(context, output, watcher);
  await start(client, output);
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = undefined;
  await c?.dispose();
}
