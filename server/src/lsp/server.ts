import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  DiagnosticSeverity,
  DiagnosticTag,
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  SymbolKind,
  FoldingRangeKind,
  CodeActionKind,
  DocumentHighlightKind,
  ResponseError,
  ErrorCodes,
  InlayHintKind,
  SemanticTokensBuilder,
  FileChangeType,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
  type InitializeResult,
  type CodeAction,
  type DocumentSymbol,
  type SymbolInformation,
  type InlayHint,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  complete,
  documentSymbols,
  foldingRanges,
  format,
  formatRange,
  hover,
  inlayHints,
  invalidNewName,
  occurrences,
  prepareRename,
  selectionRanges,
  semanticTokenModifiers,
  semanticTokenTypes,
  semanticTokens,
  signatureHelp,
  symbolAt,
  symbolKey,
  type Analysis,
  type CompletionKind,
  type Diagnostic,
  type OutlineItem,
  type TextRange,
} from '@ouro/dsl';
import {
  CancelRequestMethod,
  ResultsRequestMethod,
  RunRequestMethod,
  type CancelParams,
  type ResultsParams,
  type ResultsResponse,
  type RunParams,
  type RunResponse,
} from '@ouro/views';
import { RunManager } from './runs.js';
import { Workspace } from './workspace.js';

const severity = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

const completionKinds: Record<CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  function: CompletionItemKind.Function,
  variable: CompletionItemKind.Variable,
  constant: CompletionItemKind.Constant,
  module: CompletionItemKind.Module,
  enum: CompletionItemKind.EnumMember,
  property: CompletionItemKind.Property,
  snippet: CompletionItemKind.Snippet,
  class: CompletionItemKind.Class,
  field: CompletionItemKind.Field,
  value: CompletionItemKind.Value,
};

const outlineKinds: Record<OutlineItem['kind'], SymbolKind> = {
  data: SymbolKind.Constant,
  const: SymbolKind.Constant,
  module: SymbolKind.Function,
  experiment: SymbolKind.Namespace,
  model: SymbolKind.Class,
  generators: SymbolKind.Array,
  sweep: SymbolKind.Variable,
  metric: SymbolKind.Property,
  view: SymbolKind.Event,
  loop: SymbolKind.Operator,
  use: SymbolKind.File,
};

/** Starts the Ouro language server on a connection (stdio, IPC or sockets, from the process arguments). */
export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const documents = new TextDocuments(TextDocument);
  const ws = new Workspace((m) => connection.console.log(m));
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  let supportsRefreshInlay = false;
  let supportsRefreshCodeLens = false;
  // Runs (run on save, ouro/run): in worker threads; their results show as inlay hints, code lenses, hovers
  // and diagnostics (runs.ts).
  const runs = new RunManager(ws, {
    notify: (method, params) => void connection.sendNotification(method, params),
    changed: (uri) => {
      publish(uri);
      if (supportsRefreshInlay) void connection.languages.inlayHint.refresh().catch(() => undefined);
      if (supportsRefreshCodeLens) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
    },
    log: (m) => connection.console.log(m),
  });

  const range = (doc: TextDocument, r: TextRange): Range => ({
    start: doc.positionAt(r.start),
    end: doc.positionAt(r.end),
  });

  const toLsp = (doc: TextDocument, d: Diagnostic, uri: string): LspDiagnostic => {
    const out: LspDiagnostic = {
      range: range(doc, d.range),
      severity: severity[d.severity],
      code: d.code,
      source: 'ouro',
      message: d.message,
    };
    if (d.unnecessary) out.tags = [DiagnosticTag.Unnecessary];
    if (d.related?.length) {
      out.relatedInformation = d.related.map((r) => {
        const ruri = r.uri ?? uri;
        const rdoc = ws.document(ruri) ?? doc;
        return { location: { uri: ruri, range: range(rdoc, r.range) }, message: r.message };
      });
    }
    // The paper a theory-backed diagnostic rests on (shared/papers/...), for clients that show it.
    if (d.paper) out.data = { paper: d.paper };
    return out;
  };

  const publish = (uri: string): void => {
    const doc = ws.document(uri);
    const a = ws.diagnosis(uri);
    if (!doc || !a) return;
    void connection.sendDiagnostics({
      uri,
      version: doc.version,
      diagnostics: [
        ...a.diagnostics.map((d) => toLsp(doc, d, uri)),
        ...runs.diagnostics(uri).map((d): LspDiagnostic => ({
          range: range(doc, d.range),
          severity: DiagnosticSeverity.Error,
          code: d.code,
          source: 'ouro-run',
          message: d.message,
        })),
      ],
    });
  };

  /** Re-analyses a changed file and every open file that uses it; a newer edit supersedes this one. */
  const schedule = (uri: string): void => {
    const old = pending.get(uri);
    if (old) clearTimeout(old);
    pending.set(
      uri,
      setTimeout(() => {
        pending.delete(uri);
        publish(uri);
        for (const dep of ws.dependents(uri)) publish(dep);
        if (supportsRefreshInlay) void connection.languages.inlayHint.refresh().catch(() => undefined);
      }, 0),
    );
  };

  connection.onInitialize((params): InitializeResult => {
    const roots = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    ws.setRoots(roots);
    supportsRefreshInlay = params.capabilities.workspace?.inlayHint?.refreshSupport === true;
    supportsRefreshCodeLens = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    // `{ runOnSave: false }` from a client that must not run experiments (an untrusted workspace).
    runs.configure(params.initializationOptions);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeLensProvider: { resolveProvider: false },
        completionProvider: { triggerCharacters: ['.', ':', '(', ',', ' '], resolveProvider: false },
        hoverProvider: true,
        signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: [':'] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentHighlightProvider: true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        foldingRangeProvider: true,
        selectionRangeProvider: true,
        semanticTokensProvider: {
          legend: { tokenTypes: [...semanticTokenTypes], tokenModifiers: [...semanticTokenModifiers] },
          full: true,
        },
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        inlayHintProvider: true,
      },
      serverInfo: { name: 'ouro', version: '0.1.0' },
    };
  });

  documents.onDidOpen((e) => {
    ws.didOpen(e.document);
    runs.warmUp();
    schedule(e.document.uri);
  });
  documents.onDidChangeContent((e) => {
    ws.didChange(e.document);
    schedule(e.document.uri);
  });
  documents.onDidSave((e) => runs.didSave(e.document.uri));
  // Settings pushed by the client: `{ ouro: { runOnSave, backend } }`.
  connection.onDidChangeConfiguration((p) => runs.configure((p.settings as { ouro?: unknown } | null)?.ouro));
  connection.onShutdown(() => runs.dispose());

  const runRequest = (uri: string, budget: RunParams['budget'], experiment?: string): RunResponse => {
    try {
      return { runId: runs.request(uri, budget, experiment) };
    } catch (e) {
      throw new ResponseError(ErrorCodes.InvalidParams, e instanceof Error ? e.message : String(e));
    }
  };
  connection.onRequest(RunRequestMethod, (p: RunParams): RunResponse => runRequest(p.uri, p.budget, p.experiment));
  connection.onRequest(CancelRequestMethod, (p: CancelParams): null => {
    runs.cancel(p);
    return null;
  });
  connection.onRequest(ResultsRequestMethod, (p: ResultsParams): ResultsResponse => ({
    uri: p.uri,
    experiments: runs.results(p.uri),
  }));
  // The code lenses' commands, for clients that pass them to the server (VS Code's extension handles them
  // itself; the server does not advertise them, so that the client does not register them twice).
  connection.onExecuteCommand((p) => {
    const [uri, experiment] = (p.arguments ?? []) as [string?, string?];
    if (typeof uri !== 'string')
      throw new ResponseError(ErrorCodes.InvalidParams, `${p.command} takes [uri, experiment]`);
    switch (p.command) {
      case 'ouro.runExperiment':
        return runRequest(uri, 'preview', experiment);
      case 'ouro.runExperimentFull':
        return runRequest(uri, 'full', experiment);
      case 'ouro.openResults':
        return {
          uri,
          experiments: runs.results(uri).filter((h) => experiment === undefined || h.experiment === experiment),
        };
      default:
        throw new ResponseError(ErrorCodes.MethodNotFound, `unknown command ${p.command}`);
    }
  });

  connection.onCodeLens((p) =>
    withAnalysis(p.textDocument.uri, (a, doc) =>
      runs.codeLenses(a.uri, a).map((l) => ({
        range: range(doc, l.range),
        command: { title: l.title, command: l.command, ...(l.arguments ? { arguments: l.arguments } : {}) },
      })),
    ),
  );

  documents.onDidClose((e) => {
    ws.didClose(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    for (const dep of ws.dependents(e.document.uri)) schedule(dep);
  });
  connection.onDidChangeWatchedFiles((p) => {
    for (const c of p.changes) {
      ws.didChangeOnDisk(c.uri, c.type === FileChangeType.Deleted);
      for (const dep of ws.dependents(c.uri)) schedule(dep);
    }
  });

  const withAnalysis = <T>(uri: string, f: (a: Analysis, doc: TextDocument) => T): T | null => {
    const doc = ws.document(uri);
    const a = doc ? ws.analysis(uri) : undefined;
    return doc && a ? f(a, doc) : null;
  };

  connection.onHover((p, token) =>
    withAnalysis(p.textDocument.uri, (a, doc) => {
      if (token.isCancellationRequested) return null;
      const offset = doc.offsetAt(p.position);
      const h = hover(a, offset);
      // On a metric that has run: its values and a sparkline after the language hover.
      const hit = symbolAt(a, offset);
      const values = hit ? runs.hover(a.uri, hit.symbol) : undefined;
      if (!h && !values) return null;
      const value = [h?.markdown, values].filter((x) => x !== undefined).join('\n\n---\n\n');
      return { contents: { kind: MarkupKind.Markdown, value }, range: range(doc, (h ?? hit)!.range) };
    }),
  );

  connection.onCompletion((p, token) =>
    withAnalysis(p.textDocument.uri, (a, doc) => {
      if (token.isCancellationRequested) return null;
      const c = complete(a, doc.offsetAt(p.position));
      const r = range(doc, c.range);
      return {
        isIncomplete: false,
        items: c.items.map((it) => ({
          label: it.label,
          kind: completionKinds[it.kind],
          ...(it.detail ? { detail: it.detail } : {}),
          ...(it.documentation ? { documentation: { kind: MarkupKind.Markdown, value: it.documentation } } : {}),
          ...(it.sortText ? { sortText: it.sortText } : {}),
          filterText: it.label,
          insertTextFormat: it.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
          textEdit: { range: r, newText: it.insertText },
        })),
      };
    }),
  );

  connection.onSignatureHelp((p) =>
    withAnalysis(p.textDocument.uri, (a, doc) => {
      const s = signatureHelp(a, doc.offsetAt(p.position));
      if (!s) return null;
      return {
        signatures: [
          {
            label: s.label,
            documentation: s.documentation,
            parameters: s.parameters.map((x) => ({ label: x.label, documentation: x.documentation })),
          },
        ],
        activeSignature: 0,
        activeParameter: s.activeParameter,
      };
    }),
  );

  connection.onDefinition((p) =>
    withAnalysis(p.textDocument.uri, (a, doc) => {
      const hit = symbolAt(a, doc.offsetAt(p.position));
      if (!hit) return null;
      const s = hit.symbol;
      const target = ws.document(s.uri);
      if (!target) return null;
      return { uri: s.uri, range: range(target, s.nameRange) };
    }),
  );

  /** Analyses that may mention the symbol: its own file and every workspace file. */
  const analysesFor = (ownerUri: string): Analysis[] => {
    const out: Analysis[] = [];
    for (const uri of new Set([ownerUri, ...ws.allUris()])) {
      const a = ws.analysis(uri);
      if (a) out.push(a);
    }
    return out;
  };

  connection.onReferences((p) =>
    withAnalysis(p.textDocument.uri, (a, doc) => {
      const hit = symbolAt(a, doc.offsetAt(p.position));
      if (!hit) return [];
      const key = symbolKey(hit.symbol);
      const scope =
        hit.symbol.experiment !== undefined || hit.symbol.kind === 'param' ? [a] : analysesFor(hit.symbol.uri);
      return occurrences(key, scope, p.context.includeDeclaration).flatMap((o) => {
        const d = ws.document(o.uri);
        return d ? [{ uri: o.uri, range: range(d, o.range) }] : [];
      });
    }),
  );

  connection.onDocumentHighlight((p) =>
    withAnalysis(p.textDocument.uri, (a, doc) => {
      const hit = symbolAt(a, doc.offsetAt(p.position));
      if (!hit) return [];
      return occurrences(symbolKey(hit.symbol), [a], true)
        .filter((o) => o.uri === a.uri)
        .map((o) => ({
          range: range(doc, o.range),
          kind: o.isDeclaration ? DocumentHighlightKind.Write : DocumentHighlightKind.Read,
        }));
    }),
  );

  connection.onPrepareRename((p) =>
    withAnalysis(p.textDocument.uri, (a, doc) => {
      const r = prepareRename(a, doc.offsetAt(p.position));
      if ('error' in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.error);
      return { range: range(doc, r.range), placeholder: r.symbol.name };
    }),
  );

  connection.onRenameRequest((p) =>
    withAnalysis(p.textDocument.uri, (a, doc): WorkspaceEdit => {
      const r = prepareRename(a, doc.offsetAt(p.position));
      if ('error' in r) throw new ResponseError(ErrorCodes.InvalidRequest, r.error);
      const bad = invalidNewName(p.newName);
      if (bad) throw new ResponseError(ErrorCodes.InvalidParams, bad);
      const scope = r.symbol.experiment !== undefined || r.symbol.kind === 'param' ? [a] : analysesFor(r.symbol.uri);
      const changes: Record<string, TextEdit[]> = {};
      for (const o of occurrences(symbolKey(r.symbol), scope, true)) {
        const d = ws.document(o.uri);
        if (!d) continue;
        (changes[o.uri] ??= []).push({ range: range(d, o.range), newText: p.newName });
      }
      return { changes };
    }),
  );

  const outline = (doc: TextDocument, items: readonly OutlineItem[]): DocumentSymbol[] =>
    items.map((it) => ({
      name: it.name,
      detail: it.detail,
      kind: outlineKinds[it.kind],
      range: range(doc, it.range),
      selectionRange: range(doc, it.selectionRange),
      children: outline(doc, it.children),
    }));

  connection.onDocumentSymbol((p) => withAnalysis(p.textDocument.uri, (a, doc) => outline(doc, documentSymbols(a))));

  connection.onWorkspaceSymbol((p) => {
    const q = p.query.toLowerCase();
    const out: SymbolInformation[] = [];
    for (const uri of ws.allUris()) {
      const a = ws.analysis(uri);
      const doc = ws.document(uri);
      if (!a || !doc) continue;
      for (const s of a.symbols) {
        if (s.uri !== uri || s.kind === 'param' || s.kind === 'enum') continue;
        if (q && !s.name.toLowerCase().includes(q)) continue;
        const kind =
          s.kind === 'experiment'
            ? SymbolKind.Namespace
            : s.kind === 'model'
              ? SymbolKind.Class
              : s.kind === 'module'
                ? SymbolKind.Function
                : s.kind === 'metric'
                  ? SymbolKind.Property
                  : SymbolKind.Variable;
        out.push({
          name: s.name,
          kind,
          location: { uri, range: range(doc, s.nameRange) },
          ...(s.experiment ? { containerName: s.experiment } : {}),
        });
      }
    }
    return out.slice(0, 500);
  });

  connection.onFoldingRanges((p) =>
    withAnalysis(p.textDocument.uri, (a) =>
      foldingRanges(a).map((f) => ({
        startLine: f.startLine,
        endLine: f.endLine,
        kind: f.kind === 'comment' ? FoldingRangeKind.Comment : FoldingRangeKind.Region,
      })),
    ),
  );

  connection.onSelectionRanges((p) =>
    withAnalysis(p.textDocument.uri, (a, doc) =>
      p.positions.map((pos) => {
        const chain = selectionRanges(a, doc.offsetAt(pos));
        type Sel = { range: Range; parent?: Sel };
        let sel: Sel | undefined;
        for (let i = chain.length - 1; i >= 0; i--)
          sel = sel ? { range: range(doc, chain[i]!), parent: sel } : { range: range(doc, chain[i]!) };
        return sel ?? { range: { start: pos, end: pos } };
      }),
    ),
  );

  connection.languages.semanticTokens.on((p) => {
    const res = withAnalysis(p.textDocument.uri, (a, doc) => {
      const b = new SemanticTokensBuilder();
      for (const t of semanticTokens(a)) {
        const typeIndex = semanticTokenTypes.indexOf(t.type);
        const mods = t.modifiers.reduce((m, x) => m | (1 << semanticTokenModifiers.indexOf(x)), 0);
        // LSP tokens cannot span lines: split multi-line tokens (block comments) per line.
        let start = t.start;
        const end = t.start + t.length;
        while (start < end) {
          const pos = doc.positionAt(start);
          const lineEnd = Math.min(end, doc.offsetAt({ line: pos.line + 1, character: 0 }));
          const text = doc.getText({ start: pos, end: doc.positionAt(lineEnd) }).replace(/\r?\n$/, '');
          if (text.length > 0) b.push(pos.line, pos.character, text.length, typeIndex, mods);
          if (lineEnd <= start) break;
          start = lineEnd;
        }
      }
      return b.build();
    });
    return res ?? { data: [] };
  });

  connection.onDocumentFormatting((p) =>
    withAnalysis(p.textDocument.uri, (a, doc) => {
      const r = format(a.text, { indent: p.options.tabSize });
      if (!r.changed || r.diagnostics.some((d) => d.severity === 'error')) return [];
      return [{ range: range(doc, { start: 0, end: a.text.length }), newText: r.text }];
    }),
  );

  connection.onDocumentRangeFormatting((p) =>
    withAnalysis(p.textDocument.uri, (a, doc) => {
      const r = formatRange(a.text, { start: doc.offsetAt(p.range.start), end: doc.offsetAt(p.range.end) });
      return r.edits.map((e) => ({ range: range(doc, e.range), newText: e.newText }));
    }),
  );

  connection.onCodeAction((p) =>
    withAnalysis(p.textDocument.uri, (a, doc) => {
      const start = doc.offsetAt(p.range.start);
      const end = doc.offsetAt(p.range.end);
      const actions: CodeAction[] = [];
      for (const d of a.diagnostics) {
        if (!d.fixes?.length) continue;
        if (d.range.end < start || d.range.start > end) continue;
        const lsp = toLsp(doc, d, a.uri);
        for (const f of d.fixes) {
          actions.push({
            title: f.title,
            kind: CodeActionKind.QuickFix,
            diagnostics: [lsp],
            isPreferred: d.fixes.length === 1,
            edit: { changes: { [a.uri]: f.edits.map((e) => ({ range: range(doc, e.range), newText: e.newText })) } },
          });
        }
      }
      return actions;
    }),
  );

  connection.languages.inlayHint.on(
    (p) =>
      withAnalysis(p.textDocument.uri, (a, doc) => {
        const start = doc.offsetAt(p.range.start);
        const end = doc.offsetAt(p.range.end);
        return [
          ...inlayHints(a, start, end).map((h): InlayHint => ({
            position: doc.positionAt(h.offset),
            label: h.label,
            kind: InlayHintKind.Type,
            paddingLeft: !h.label.startsWith(':'),
            ...(h.tooltip ? { tooltip: h.tooltip } : {}),
          })),
          // The latest value of each metric that has run, after its definition.
          ...runs.inlayHints(a.uri, a, start, end).map((h): InlayHint => ({
            position: doc.positionAt(h.offset),
            label: h.label,
            paddingLeft: true,
            tooltip: h.tooltip,
          })),
        ].sort((x, y) => x.position.line - y.position.line || x.position.character - y.position.character);
      }) ?? [],
  );

  documents.listen(connection);
  connection.listen();
  return connection;
}
