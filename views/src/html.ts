/**
 * The pages that host the results app (app/main.ts): the VS Code webview (script and style from the
 * extension's media, CSP `default-src 'none'` with a per-render nonce) and the standalone report.html
 * (script, style and data inlined; works from file:// with no network access). Pure string functions.
 */
import type { ExperimentResult, RunResult } from '@ouro/runtime';
import type { ExperimentHistory, RunBudget, RunRecord } from './protocol.js';

/** Data embedded in report.html for the app. */
export interface ReportData {
  readonly title: string;
  readonly uri: string;
  readonly experiments: readonly ExperimentHistory[];
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Text safe inside a `<script>` element: no `</script`, no `<!--`, no U+2028/2029 surprises. */
export function scriptSafe(s: string): string {
  return s
    .replace(/<\/(script)/gi, '<\\/$1')
    .replace(/<!--/g, '<\\!--')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** JSON safe inside `<script type="application/json">`. */
export function jsonInScript(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A page: CSP, title and head extras, then the body. */
function page(csp: readonly string[], title: string, head: string, bodyClass: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp.join('; '))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}
</head>
<body${bodyClass ? ` class="${bodyClass}"` : ''}>
${body}
</body>
</html>
`;
}

export interface WebviewPage {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  /** Fresh per render (webviewNonce). */
  readonly nonce: string;
  /** `webview.asWebviewUri(...)` of media/dist/results.js and results.css. */
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly title: string;
}

/** The results webview's HTML. */
export function webviewHtml(p: WebviewPage): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${p.nonce}'`,
    // Vega's SVG renderer and the elements set inline styles; no remote style is allowed.
    `style-src ${p.cspSource} 'unsafe-inline'`,
    `img-src ${p.cspSource} data: blob:`,
    `font-src ${p.cspSource}`,
  ];
  return page(
    csp,
    p.title,
    `<link rel="stylesheet" href="${escapeHtml(p.styleUri)}">`,
    '',
    `<script nonce="${escapeHtml(p.nonce)}" src="${escapeHtml(p.scriptUri)}"></script>`,
  );
}

export interface ReportAssets {
  /** The app bundle (dist/results.js) and its style (dist/results.css). */
  readonly script: string;
  readonly css: string;
}

/** A standalone report: the app, its style and the data in one HTML file. */
export function reportHtml(data: ReportData, assets: ReportAssets, nonce: string): string {
  const csp = ["default-src 'none'", `script-src 'nonce-${nonce}'`, "style-src 'unsafe-inline'", 'img-src data: blob:'];
  return page(
    csp,
    data.title,
    `<meta name="generator" content="ouro">\n<style>\n${assets.css.replace(/<\/(style)/gi, '<\\/$1')}\n</style>`,
    'ouro-report',
    `<script type="application/json" id="ouro-data">${jsonInScript(data)}</script>\n` +
      `<script nonce="${escapeHtml(nonce)}">\n${scriptSafe(assets.script)}\n</script>`,
  );
}

export interface RunMeta {
  readonly runId: string;
  readonly uri: string;
  readonly budget?: RunBudget;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly specHash: string;
  /** Per experiment name, the hash of its IR (absent: unknown). */
  readonly irHashes?: Readonly<Record<string, string>>;
}

/** The run record of one experiment's result `result` of a run on `backend` with `versions`. */
export function runRecord(
  result: ExperimentResult,
  meta: RunMeta,
  run: Pick<RunResult, 'backend' | 'versions'>,
): RunRecord {
  return {
    runId: meta.runId,
    uri: meta.uri,
    experiment: result.name,
    budget: meta.budget ?? (result.preview ? 'preview' : 'full'),
    startedAt: meta.startedAt,
    irHash: meta.irHashes?.[result.name] ?? '',
    specHash: meta.specHash,
    backend: run.backend,
    versions: run.versions,
    result,
  };
}

/** One run's results as run records (one per experiment), the shape the views draw. */
export function runRecords(run: RunResult, meta: RunMeta): RunRecord[] {
  return run.experiments.map((result) => runRecord(result, meta, run));
}
