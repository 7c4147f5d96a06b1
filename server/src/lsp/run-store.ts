/**
 * Keeps the language server's run history on disk, so results survive a reload of the editor: one JSON file
 * per experiment run under `<dir>/runs/<hash of the spec's URI>/<experiment>/`. The editor gives the folder
 * (VS Code: the extension's workspace storage, `initializationOptions.storagePath`); without one the
 * history lives in memory only. Writes are atomic (temporary file, then rename); unreadable files are
 * skipped and reported through `log`, never thrown.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '@ouro/views';
import { writeAtomic } from '../files.js';

export class RunStore {
  constructor(
    private readonly dir: string,
    private readonly keep: number,
    private readonly log: (message: string) => void,
  ) {}

  private fileDir(uri: string): string {
    return join(this.dir, 'runs', createHash('sha256').update(uri).digest('hex').slice(0, 16));
  }

  private experimentDir(uri: string, experiment: string): string {
    // Experiment names are identifiers; encode anyway so a name can never leave the folder.
    return join(this.fileDir(uri), encodeURIComponent(experiment));
  }

  /** The stored runs of a spec, per experiment, newest first. */
  load(uri: string): Map<string, RunRecord[]> {
    const out = new Map<string, RunRecord[]>();
    let experiments: string[];
    try {
      experiments = readdirSync(this.fileDir(uri));
    } catch {
      return out;
    }
    for (const e of experiments) {
      const dir = join(this.fileDir(uri), e);
      const runs: RunRecord[] = [];
      for (const f of safeList(dir).filter((n) => n.endsWith('.json'))) {
        try {
          const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as RunRecord;
          if (r.uri === uri && typeof r.irHash === 'string' && r.result) runs.push(r);
        } catch (err) {
          this.log(`skipping unreadable run record ${join(dir, f)}: ${(err as Error).message}`);
        }
      }
      runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      if (runs.length) out.set(decodeURIComponent(e), runs.slice(0, this.keep));
    }
    return out;
  }

  /** Stores one record and drops the oldest beyond the history size. */
  save(record: RunRecord): void {
    const dir = this.experimentDir(record.uri, record.experiment);
    try {
      mkdirSync(dir, { recursive: true });
      const name = `${record.startedAt.replace(/[:.]/g, '-')}-${encodeURIComponent(record.runId)}.json`;
      writeAtomic(join(dir, name), JSON.stringify(record));
      const files = safeList(dir)
        .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
        .sort()
        .reverse();
      for (const old of files.slice(this.keep)) rmSync(join(dir, old), { force: true });
    } catch (err) {
      this.log(`could not store the run of \`${record.experiment}\` in ${dir}: ${(err as Error).message}`);
    }
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
