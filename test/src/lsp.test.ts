import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type {
  CompletionList,
  Hover,
  Location,
  SignatureHelp,
  WorkspaceEdit,
  DocumentHighlight,
  DocumentSymbol,
  SymbolInformation,
  FoldingRange,
  SelectionRange,
  SemanticTokens,
  TextEdit,
  CodeAction,
  InlayHint,
  Range,
  Diagnostic,
  MarkupContent,
} from 'vscode-languageserver-protocol';
import { LspClient, repoRoot } from './harness/lsp-client.js';

/*
 * Protocol tests: each fixture in test/fixtures/lsp/ starts with `// lsp: <feature> [args]`, may hold
 * several files (`//- /name.ouro` headers) and marks the cursor with `$0` (and a selection with a
 * second `$0`). The server's answer is rendered as text and compared with `<fixture>.expected.txt`
 * (UPDATE_GOLDEN=1 rewrites it).
 */

const fixturesDir = join(repoRoot, 'test', 'fixtures', 'lsp');
const update = process.env['UPDATE_GOLDEN'] === '1';

interface Fixture {
  readonly feature: string;
  readonly args: string;
  readonly files: Map<string, string>;
  readonly main: string;
  readonly cursor: number[];
}

function parseFixture(text: string): Fixture {
  const first = text.split('\n', 1)[0]!;
  const m = /^\/\/ lsp: (\S+)\s*(.*)$/.exec(first);
  if (!m) throw new Error('a fixture starts with `// lsp: <feature>`');
  const body = text.slice(first.length + 1);
  const files = new Map<string, string>();
  const parts = body.split(/^\/\/- (\/\S+)\n/m);
  if (parts.length === 1) files.set('/main.ouro', body);
  else for (let i = 1; i < parts.length; i += 2) files.set(parts[i]!, parts[i + 1] ?? '');
  let main = [...files.keys()][0]!;
  const cursor: number[] = [];
  for (const [name, t] of files) {
    if (!t.includes('$0')) continue;
    main = name;
    let s = t;
    let k: number;
    while ((k = s.indexOf('$0')) >= 0) {
      cursor.push(k);
      s = s.slice(0, k) + s.slice(k + 2);
    }
    files.set(name, s);
  }
  return { feature: m[1]!, args: m[2]!.trim(), files, main, cursor };
}

let client: LspClient;
let root: string;
const docs = new Map<string, TextDocument>();

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'ouro-lsp-'));
  client = new LspClient();
});

after(async () => {
  await client.stop();
  rmSync(root, { recursive: true, force: true });
});

function uriOf(dir: string, name: string): string {
  return pathToFileURL(join(dir, name)).toString();
}

function pos(doc: TextDocument, p: { line: number; character: number }): string {
  return `${p.line + 1}:${p.character + 1}`;
}

function rangeText(doc: TextDocument, r: Range): string {
  return `${pos(doc, r.start)}-${pos(doc, r.end)} ${JSON.stringify(doc.getText(r))}`;
}

function nameOf(dir: string, uri: string): string {
  return uri.slice(pathToFileURL(dir).toString().length);
}

function docFor(dir: string, uri: string): TextDocument {
  const d = docs.get(uri);
  if (d) return d;
  const text = readFileSync(new URL(uri), 'utf8');
  return TextDocument.create(uri, 'ouro', 0, text);
}

function applyEdits(doc: TextDocument, edits: readonly TextEdit[]): string {
  return TextDocument.applyEdits(doc, [...edits]);
}

function markup(c: Hover['contents']): string {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((x) => (typeof x === 'string' ? x : x.value)).join('\n');
  return (c as MarkupContent).value;
}

async function render(fx: Fixture, dir: string): Promise<string> {
  const mainUri = uriOf(dir, fx.main);
  const doc = docs.get(mainUri)!;
  const at = doc.positionAt(fx.cursor[0] ?? 0);
  const td = { textDocument: { uri: mainUri } };
  const out: string[] = [];
  switch (fx.feature) {
    case 'diagnostics': {
      for (const [name] of fx.files) {
        const uri = uriOf(dir, name);
        const ds = client.diagnostics.get(uri)?.diagnostics ?? [];
        for (const d of ds as Diagnostic[])
          out.push(`${name} ${rangeText(docs.get(uri)!, d.range)} ${d.severity} [${String(d.code)}] ${d.message}`);
      }
      break;
    }
    case 'hover': {
      const h = await client.request<Hover | null>('textDocument/hover', { ...td, position: at });
      if (h) out.push(`range ${h.range ? rangeText(doc, h.range) : '-'}`, markup(h.contents));
      else out.push('no hover');
      break;
    }
    case 'completion': {
      const c = await client.request<CompletionList | null>('textDocument/completion', { ...td, position: at });
      const items = [...(c?.items ?? [])].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
      for (const it of items) {
        const te = it.textEdit && 'range' in it.textEdit ? it.textEdit : undefined;
        out.push(`${it.label} (${it.kind}) → ${JSON.stringify(te?.newText ?? it.insertText ?? it.label)}`);
      }
      if (fx.args.startsWith('accept ')) {
        const label = fx.args.slice(7);
        const it = items.find((x) => x.label === label);
        const te = it?.textEdit && 'range' in it.textEdit ? it.textEdit : undefined;
        out.push('', `after accepting ${label}:`, te ? applyEdits(doc, [te]) : '(not offered)');
      }
      break;
    }
    case 'signature': {
      const s = await client.request<SignatureHelp | null>('textDocument/signatureHelp', { ...td, position: at });
      if (!s) out.push('no signature');
      else
        for (const sig of s.signatures)
          out.push(
            sig.label,
            `active parameter: ${s.activeParameter} (${String(sig.parameters?.[s.activeParameter ?? 0]?.label ?? '-')})`,
          );
      break;
    }
    case 'definition': {
      const l = await client.request<Location | null>('textDocument/definition', { ...td, position: at });
      out.push(l ? `${nameOf(dir, l.uri)} ${rangeText(docFor(dir, l.uri), l.range)}` : 'no definition');
      break;
    }
    case 'references': {
      const ls = await client.request<Location[]>('textDocument/references', {
        ...td,
        position: at,
        context: { includeDeclaration: true },
      });
      for (const l of ls) out.push(`${nameOf(dir, l.uri)} ${rangeText(docFor(dir, l.uri), l.range)}`);
      break;
    }
    case 'rename': {
      try {
        const prep = await client.request<{ range: Range; placeholder: string } | null>('textDocument/prepareRename', {
          ...td,
          position: at,
        });
        out.push(`prepare: ${prep ? `${rangeText(doc, prep.range)} placeholder ${prep.placeholder}` : 'null'}`);
        const e = await client.request<WorkspaceEdit>('textDocument/rename', {
          ...td,
          position: at,
          newName: fx.args || 'renamed',
        });
        for (const [uri, edits] of Object.entries(e.changes ?? {}).sort())
          out.push(`--- ${nameOf(dir, uri)}`, applyEdits(docFor(dir, uri), edits));
      } catch (err) {
        out.push(`error: ${(err as Error).message}`);
      }
      break;
    }
    case 'highlight': {
      const hs = await client.request<DocumentHighlight[]>('textDocument/documentHighlight', { ...td, position: at });
      for (const h of hs) out.push(`${rangeText(doc, h.range)} ${h.kind === 3 ? 'write' : 'read'}`);
      break;
    }
    case 'symbols': {
      const ss = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', td);
      const walk = (xs: DocumentSymbol[], depth: number): void => {
        for (const s of xs) {
          out.push(
            `${'  '.repeat(depth)}${s.name} (${s.kind}) ${s.detail ?? ''} ${pos(doc, s.selectionRange.start)}`.trimEnd(),
          );
          walk(s.children ?? [], depth + 1);
        }
      };
      walk(ss, 0);
      break;
    }
    case 'workspace-symbols': {
      const ss = await client.request<SymbolInformation[]>('workspace/symbol', { query: fx.args });
      const mine = ss.filter((s) => s.location.uri.startsWith(pathToFileURL(dir).toString() + '/'));
      for (const s of [...mine].sort(
        (a, b) => a.name.localeCompare(b.name) || a.location.uri.localeCompare(b.location.uri),
      )) {
        out.push(
          `${s.name} (${s.kind}) ${nameOf(dir, s.location.uri)} ${pos(doc, s.location.range.start)}${s.containerName ? ` in ${s.containerName}` : ''}`,
        );
      }
      break;
    }
    case 'folding': {
      const fs = await client.request<FoldingRange[]>('textDocument/foldingRange', td);
      for (const f of fs) out.push(`${f.startLine + 1}-${f.endLine + 1} ${f.kind ?? ''}`.trimEnd());
      break;
    }
    case 'selection': {
      const [s] = await client.request<SelectionRange[]>('textDocument/selectionRange', { ...td, positions: [at] });
      for (let r: SelectionRange | undefined = s; r; r = r.parent) out.push(rangeText(doc, r.range).slice(0, 120));
      break;
    }
    case 'semantic-tokens': {
      const legend = client.initializeResult!.capabilities.semanticTokensProvider!.legend;
      const t = await client.request<SemanticTokens>('textDocument/semanticTokens/full', td);
      let line = 0;
      let ch = 0;
      for (let i = 0; i < t.data.length; i += 5) {
        const [dl, dc, len, type, mods] = t.data.slice(i, i + 5) as [number, number, number, number, number];
        line += dl;
        ch = dl === 0 ? ch + dc : dc;
        const text = doc.getText({ start: { line, character: ch }, end: { line, character: ch + len } });
        const modNames = legend.tokenModifiers.filter((_, k) => (mods >> k) & 1);
        out.push(
          `${line + 1}:${ch + 1} ${JSON.stringify(text)} ${legend.tokenTypes[type]}${modNames.length ? ` [${modNames.join(',')}]` : ''}`,
        );
      }
      break;
    }
    case 'formatting': {
      const es = await client.request<TextEdit[]>('textDocument/formatting', {
        ...td,
        options: { tabSize: 2, insertSpaces: true },
      });
      out.push(applyEdits(doc, es));
      break;
    }
    case 'range-formatting': {
      const range = { start: doc.positionAt(fx.cursor[0]!), end: doc.positionAt(fx.cursor[1] ?? fx.cursor[0]!) };
      const es = await client.request<TextEdit[]>('textDocument/rangeFormatting', {
        ...td,
        range,
        options: { tabSize: 2, insertSpaces: true },
      });
      out.push(applyEdits(doc, es));
      break;
    }
    case 'code-actions': {
      const diagnostics = client.diagnostics.get(mainUri)?.diagnostics ?? [];
      const range = { start: at, end: at };
      const as = await client.request<CodeAction[]>('textDocument/codeAction', {
        ...td,
        range,
        context: { diagnostics },
      });
      for (const a of as) {
        out.push(
          `=== ${a.title} (${a.kind ?? ''}${a.isPreferred ? ', preferred' : ''}) for [${a.diagnostics?.map((d) => String(d.code)).join(', ') ?? ''}]`,
        );
        const edits = a.edit?.changes?.[mainUri] ?? [];
        out.push(applyEdits(doc, edits));
      }
      if (as.length === 0) out.push('no code actions');
      break;
    }
    case 'inlay-hints': {
      const range = { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) };
      const hs = await client.request<InlayHint[]>('textDocument/inlayHint', { ...td, range });
      for (const h of hs)
        out.push(
          `${pos(doc, h.position)} ${typeof h.label === 'string' ? h.label : h.label.map((x) => x.value).join('')}`,
        );
      break;
    }
    default:
      throw new Error(`unknown feature ${fx.feature}`);
  }
  return out.join('\n') + '\n';
}

const fixtures = existsSync(fixturesDir)
  ? readdirSync(fixturesDir)
      .filter((f) => f.endsWith('.ouro'))
      .sort()
  : [];
let initialized = false;

for (const f of fixtures) {
  test(`lsp ${f}`, async () => {
    const fx = parseFixture(readFileSync(join(fixturesDir, f), 'utf8'));
    const dir = join(root, f.replace(/\.ouro$/, ''));
    for (const [name, text] of fx.files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    if (!initialized) {
      // One server for all fixtures; the root covers every fixture's folder.
      await client.initialize(pathToFileURL(root).toString());
      initialized = true;
    }
    for (const [name, text] of fx.files) {
      const uri = uriOf(dir, name);
      docs.set(uri, TextDocument.create(uri, 'ouro', 1, text));
      await client.open(uri, text);
    }
    const actual = await render(fx, dir);
    const golden = join(fixturesDir, f.replace(/\.ouro$/, '.expected.txt'));
    if (update || !existsSync(golden)) writeFileSync(golden, actual);
    else assert.equal(actual, readFileSync(golden, 'utf8'));
  });
}

test('lsp: a change republishes diagnostics, also for files that use the changed one', async () => {
  const dir = join(root, 'cross-file-change');
  mkdirSync(dir, { recursive: true });
  const lib = uriOf(dir, 'lib.ouro');
  const main = uriOf(dir, 'main.ouro');
  const libText = 'data truth = gaussian(mean: 0, std: 1, dim: 1)\n';
  const mainText =
    'use "lib.ouro"\nexperiment e {\n  seed 1\n  model m = gaussian_fit()\n  retrain m for 10 generations {\n    real 10 from truth\n    synthetic 10 from m\n    weights optimal\n  }\n  metric err = mse(m.mean, truth.mean) at final\n}\n';
  writeFileSync(join(dir, 'lib.ouro'), libText);
  writeFileSync(join(dir, 'main.ouro'), mainText);
  if (!initialized) {
    await client.initialize(pathToFileURL(root).toString());
    initialized = true;
  }
  await client.open(lib, libText);
  const first = await client.open(main, mainText);
  assert.deepEqual(first.diagnostics, []);
  // Renaming the data in lib breaks main; main's diagnostics are republished.
  const mainAgain = client.nextDiagnostics(main);
  await client.change(lib, 'data other = gaussian(mean: 0, std: 1, dim: 1)\n', 2);
  const broken = await mainAgain;
  assert.ok(
    broken.diagnostics.some((d) => d.code === 'unresolved-name'),
    JSON.stringify(broken.diagnostics),
  );
  const fixed = client.nextDiagnostics(main);
  await client.change(lib, libText, 3);
  assert.deepEqual((await fixed).diagnostics, []);
});

test('lsp: a newer edit supersedes stale work (only the last version is published for a burst)', async () => {
  const dir = join(root, 'burst');
  mkdirSync(dir, { recursive: true });
  const uri = uriOf(dir, 'burst.ouro');
  if (!initialized) {
    await client.initialize(pathToFileURL(root).toString());
    initialized = true;
  }
  await client.open(uri, 'const a = 1\n');
  const before = client.published.length;
  const last = client.nextDiagnostics(uri, 21);
  const conn = client.connection;
  for (let v = 2; v <= 21; v++)
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: v },
      contentChanges: [{ text: `const a = ${v}\n` }],
    });
  await last;
  const seen = client.published
    .slice(before)
    .filter((p) => p.uri === uri)
    .map((p) => p.version);
  assert.ok(seen.length < 20, `a burst of 20 edits published ${seen.length} times`);
  assert.equal(seen[seen.length - 1], 21);
});
