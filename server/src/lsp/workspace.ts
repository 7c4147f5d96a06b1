import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyze, diagnose, type Analysis, type Diagnosis, type Host } from '@ouro/dsl';

/** A file's text with its version; open documents come from the editor, the rest from disk. */
interface Source {
  readonly uri: string;
  readonly doc: TextDocument;
  readonly open: boolean;
}

export function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The server's view of the workspace: open documents, `.ouro` files on disk, and their analyses,
 * memoised per (document version, workspace generation). Any edit bumps the generation, so files that
 * `use` the edited one are re-analysed on their next request.
 */
export class Workspace {
  private readonly open = new Map<string, TextDocument>();
  private readonly disk = new Map<string, TextDocument>();
  private readonly memo = new Map<string, { key: string; analysis: Analysis }>();
  private readonly diagnosisMemo = new Map<string, { key: string; diagnosis: Diagnosis }>();
  private generation = 0;
  private roots: string[] = [];
  readonly log: (msg: string) => void;

  constructor(log: (msg: string) => void = () => {}) {
    this.log = log;
  }

  readonly host: Host = {
    read: (uri: string) => this.source(uri)?.doc.getText(),
  };

  setRoots(uris: string[]): void {
    this.roots = uris;
    this.scan();
  }

  /** Finds the `.ouro` files under the workspace folders (for references, rename and symbols). */
  scan(): void {
    this.disk.clear();
    for (const root of this.roots) {
      const path = uriToPath(root);
      if (!path) continue;
      const walk = (dir: string, depth: number): void => {
        if (depth > 12) return;
        let entries;
        try {
          entries = readdirSync(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'out') continue;
          const p = join(dir, e.name);
          if (e.isDirectory()) walk(p, depth + 1);
          else if (e.name.endsWith('.ouro')) this.loadDisk(pathToFileURL(p).toString());
        }
      };
      walk(path, 0);
    }
    this.generation++;
  }

  private loadDisk(uri: string): TextDocument | undefined {
    const path = uriToPath(uri);
    if (!path) return undefined;
    try {
      const doc = TextDocument.create(uri, 'ouro', 0, readFileSync(path, 'utf8'));
      this.disk.set(uri, doc);
      return doc;
    } catch {
      return undefined;
    }
  }

  source(uri: string): Source | undefined {
    const o = this.open.get(uri);
    if (o) return { uri, doc: o, open: true };
    const d = this.disk.get(uri) ?? this.loadDisk(uri);
    return d ? { uri, doc: d, open: false } : undefined;
  }

  didOpen(doc: TextDocument): void {
    this.open.set(doc.uri, doc);
    this.generation++;
  }

  didChange(doc: TextDocument): void {
    this.open.set(doc.uri, doc);
    this.generation++;
  }

  didClose(uri: string): void {
    this.open.delete(uri);
    this.memo.delete(uri);
    this.diagnosisMemo.delete(uri);
    this.disk.delete(uri);
    this.loadDisk(uri);
    this.generation++;
  }

  /** A file on disk changed (watched files). */
  didChangeOnDisk(uri: string, deleted: boolean): void {
    if (deleted) this.disk.delete(uri);
    else if (!this.open.has(uri)) this.loadDisk(uri);
    this.generation++;
  }

  document(uri: string): TextDocument | undefined {
    return this.source(uri)?.doc;
  }

  openUris(): string[] {
    return [...this.open.keys()];
  }

  allUris(): string[] {
    return [...new Set([...this.open.keys(), ...this.disk.keys()])];
  }

  /** The analysis of a file, memoised per version and workspace generation. */
  analysis(uri: string): Analysis | undefined {
    const src = this.source(uri);
    if (!src) return undefined;
    const key = `${src.doc.version}:${this.generation}:${src.open}`;
    const m = this.memo.get(uri);
    if (m && m.key === key) return m.analysis;
    const t0 = performance.now();
    // The latest parse of this file, from a full analysis or from a diagnosis, is reused.
    const d = this.diagnosisMemo.get(uri);
    const previous = d && d.key === key ? d.diagnosis.parse : m?.analysis.parse;
    const analysis = analyze(
      src.doc.getText(),
      previous ? { uri, host: this.host, previous } : { uri, host: this.host },
    );
    const ms = performance.now() - t0;
    if (ms > 50) this.log(`analysed ${uri} in ${ms.toFixed(1)} ms`);
    this.memo.set(uri, { key, analysis });
    return analysis;
  }

  /**
   * The diagnostics of a file, computed incrementally from its previous diagnosis (unchanged
   * declarations are not parsed again, unchanged experiments not checked again): what is published
   * after each edit.
   */
  diagnosis(uri: string): Diagnosis | undefined {
    const src = this.source(uri);
    if (!src) return undefined;
    const key = `${src.doc.version}:${this.generation}:${src.open}`;
    const m = this.diagnosisMemo.get(uri);
    if (m && m.key === key) return m.diagnosis;
    const t0 = performance.now();
    const diagnosis = diagnose(
      src.doc.getText(),
      m ? { uri, host: this.host, previous: m.diagnosis } : { uri, host: this.host },
    );
    const ms = performance.now() - t0;
    if (ms > 50) this.log(`diagnosed ${uri} in ${ms.toFixed(1)} ms`);
    this.diagnosisMemo.set(uri, { key, diagnosis });
    return diagnosis;
  }

  /** Open files that use `uri` (directly or through other files). */
  dependents(uri: string): string[] {
    const out: string[] = [];
    for (const other of this.open.keys()) {
      if (other === uri) continue;
      const d = this.diagnosis(other);
      if (d?.uses.includes(uri)) out.push(other);
    }
    return out;
  }
}
