import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import type { InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A language client talking to `ouro lsp --stdio` over the real protocol. */
export class LspClient {
  readonly connection: MessageConnection;
  readonly process: ChildProcess;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every publication, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  private waiters: { uri: string; resolve: (p: PublishDiagnosticsParams) => void; version?: number }[] = [];
  initializeResult: InitializeResult | undefined;
  stderr = '';

  constructor() {
    this.process = spawn(process.execPath, [join(repoRoot, 'server', 'bin', 'ouro.js'), 'lsp', '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.process.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.connection = createMessageConnection(
      new StreamMessageReader(this.process.stdout!),
      new StreamMessageWriter(this.process.stdin!),
    );
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      this.published.push(p);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri === p.uri && (w.version === undefined || p.version === w.version)) {
          w.resolve(p);
          return false;
        }
        return true;
      });
    });
    this.connection.onNotification('window/logMessage', () => undefined);
    this.connection.onRequest('workspace/inlayHint/refresh', () => null);
    this.connection.listen();
  }

  async initialize(rootUri: string, initializationOptions?: unknown): Promise<InitializeResult> {
    const result = await this.connection.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri,
      ...(initializationOptions === undefined ? {} : { initializationOptions }),
      workspaceFolders: [{ uri: rootUri, name: 'fixture' }],
      capabilities: {
        workspace: { inlayHint: { refreshSupport: true } },
        textDocument: { hover: { contentFormat: ['markdown'] } },
      },
    });
    this.initializeResult = result;
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** Resolves with the next diagnostics published for `uri` (of `version`, when given). */
  nextDiagnostics(uri: string, version?: number, timeoutMs = 10000): Promise<PublishDiagnosticsParams> {
    return new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
      const w: { uri: string; resolve: (p: PublishDiagnosticsParams) => void; version?: number } = {
        uri,
        resolve: (p) => {
          clearTimeout(timer);
          res(p);
        },
      };
      if (version !== undefined) w.version = version;
      this.waiters.push(w);
    });
  }

  async open(uri: string, text: string, version = 1): Promise<PublishDiagnosticsParams> {
    const d = this.nextDiagnostics(uri, version);
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'ouro', version, text },
    });
    return d;
  }

  async change(uri: string, text: string, version: number): Promise<PublishDiagnosticsParams> {
    const d = this.nextDiagnostics(uri, version);
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return d;
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.connection.sendRequest<T>(method, params);
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.process.exitCode === null) this.process.kill();
  }
}
