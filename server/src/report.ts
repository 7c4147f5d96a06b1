/**
 * `report.html` for `ouro run`: the results app (views/dist/results.js, built by `node views/build.mjs`,
 * part of `npm run build`) with its style and the run's data inlined into one standalone page that works
 * from file:// with no network access — the same views as the editor's results panel.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RunResult } from '@ouro/runtime';
import { reportHtml, runRecords, type ReportAssets, type RunMeta } from '@ouro/views';

let assets: ReportAssets | undefined;

/** The app bundle and style; an Error naming the fix when they were not built. */
export function reportAssets(): ReportAssets {
  if (assets) return assets;
  const dir = join(dirname(createRequire(import.meta.url).resolve('@ouro/views/package.json')), 'dist');
  try {
    assets = {
      script: readFileSync(join(dir, 'results.js'), 'utf8'),
      css: readFileSync(join(dir, 'results.css'), 'utf8'),
    };
  } catch {
    throw new Error(`the results views are not built (${join(dir, 'results.js')} is missing); run \`npm run build\``);
  }
  return assets;
}

export interface ReportMeta extends RunMeta {
  /** The page title, e.g. the spec's file name and the experiment. */
  readonly title: string;
}

/** The standalone report of a run's experiments. */
export function renderReport(run: RunResult, meta: ReportMeta): string {
  const experiments = runRecords(run, meta).map((record) => ({ experiment: record.experiment, runs: [record] }));
  return reportHtml(
    { title: meta.title, uri: meta.uri, experiments },
    reportAssets(),
    randomBytes(16).toString('base64'),
  );
}
