/**
 * The results app: one code base for the VS Code results webview and the standalone report.html. It draws
 * a spec's run history (per experiment, newest first) with Vega (Vega-Lite compiled in the page, the
 * expression interpreter instead of `eval`, so it runs under a CSP without `unsafe-eval`).
 *
 * Hosts: in a webview, `acquireVsCodeApi()` exists — data and live updates arrive as `ToWebview` messages,
 * UI state survives hide/show through getState/setState, exports go to the extension (`save`). In the
 * report, the data is embedded (`<script type="application/json" id="ouro-data">`) and exports download.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import { parse, View } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../html.js';
import type { ExperimentHistory, FromWebview, RunRecord, ToWebview } from '../protocol.js';
import { buildViews, tableCsv, type BandKind, type ResultView } from '../specs.js';
import { paletteFrom, themed, themeKindOf, vegaConfig, type Palette } from '../theme.js';
import './results.css';

interface VsCodeApi {
  postMessage(m: FromWebview): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What the page remembers across hide/show (webview) — not the data, which the extension resends. */
interface UiState {
  /** The spec shown (webview): the extension brings the panel back for it after a reload. */
  uri?: string;
  experiment?: string;
  /** Selected run per experiment; absent = follow the newest. */
  run?: Record<string, string>;
  compare?: Record<string, string>;
  band: BandKind;
}

const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : undefined;
const state: UiState = { band: 'se', ...((vscode?.getState() as UiState | undefined) ?? {}) };
let history: ExperimentHistory[] = [];
let uri = '';
const views: View[] = [];

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector<T>(sel)!;

function save(): void {
  vscode?.setState(state);
}

function post(m: FromWebview): void {
  vscode?.postMessage(m);
}

function palette(): Palette {
  const style = getComputedStyle(document.body);
  return paletteFrom((n) => style.getPropertyValue(n), themeKindOf([...document.body.classList]));
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string>,
  text?: string,
): HTMLElementTagNameMap[K];
function el(tag: string, attrs?: Record<string, string>, text?: string): HTMLElement;
function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function fileStem(s: string): string {
  return s.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'view';
}

function download(filename: string, mime: string, data: string | Blob): void {
  const blob = typeof data === 'string' ? new Blob([data], { type: mime }) : data;
  const a = el('a', { download: filename });
  a.href = URL.createObjectURL(blob);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Saves an export: through the extension (a save dialog) in a webview, as a download in the report. */
function exportFile(filename: string, mime: string, content: string | Uint8Array): void {
  if (vscode) {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    post({ type: 'save', filename, mime, base64: bytesToBase64(bytes) });
  } else download(filename, mime, new Blob([content as BlobPart], { type: mime }));
}

function dataUrlBytes(url: string): Uint8Array {
  const b = atob(url.slice(url.indexOf(',') + 1));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

function describeRun(r: RunRecord): string {
  const when = new Date(r.startedAt);
  const t = Number.isNaN(when.getTime()) ? r.startedAt : when.toLocaleString();
  return `${t} · ${r.budget} · ${(r.result.wallMs / 1000).toFixed(1)} s · seed ${r.result.seed}`;
}

function runsOf(experiment: string): readonly RunRecord[] {
  return history.find((h) => h.experiment === experiment)?.runs ?? [];
}

function selectedRun(experiment: string): RunRecord | undefined {
  const runs = runsOf(experiment);
  const id = state.run?.[experiment];
  return runs.find((r) => r.runId === id) ?? runs[0];
}

function compareRun(experiment: string): RunRecord | undefined {
  const id = state.compare?.[experiment];
  return id ? runsOf(experiment).find((r) => r.runId === id) : undefined;
}

function select(
  id: string,
  label: string,
  options: { value: string; label: string }[],
  value: string,
  onChange: (v: string) => void,
): HTMLElement {
  const wrap = el('label', { class: 'field' });
  wrap.append(el('span', { class: 'field-label', id: `${id}-label` }, label));
  const s = el('vscode-single-select', { id, 'aria-labelledby': `${id}-label` }) as HTMLElement & { value: string };
  for (const o of options) {
    const opt = el('vscode-option', { value: o.value }, o.label);
    if (o.value === value) opt.setAttribute('selected', '');
    s.append(opt);
  }
  s.addEventListener('change', () => onChange(s.value));
  wrap.append(s);
  return wrap;
}

function button(label: string, title: string, onClick: () => void, secondary = true): HTMLElement {
  const b = el('vscode-button', { title, 'aria-label': title }, label);
  if (secondary) b.setAttribute('secondary', '');
  b.addEventListener('click', onClick);
  return b;
}

/** An export on the theme's background: the plot is transparent on the page (the page paints it), but an
 * image pasted elsewhere (a README in a dark theme) needs its own background to stay readable. */
async function opaque<T>(view: View, p: Palette, render: () => Promise<T>): Promise<T> {
  const was = view.background();
  view.background(p.background);
  try {
    return await render();
  } finally {
    view.background(was);
    await view.runAsync();
  }
}

/** Draws one view into a figure; resolves when Vega has rendered it. */
async function drawView(fig: HTMLElement, v: ResultView, p: Palette, label: string): Promise<void> {
  const head = el('div', { class: 'view-head' });
  head.append(el('h3', { class: 'sr-only' }, v.title));
  const tools = el('div', { class: 'view-tools', role: 'toolbar', 'aria-label': `export ${v.title}` });
  head.append(tools);
  const chart = el('div', { class: 'chart', tabindex: '0', role: 'img', 'aria-label': v.description });
  fig.append(head, chart);
  const started = performance.now();
  const spec = themed(v.spec, p) as TopLevelSpec & { width?: unknown };
  // The container's width, measured once: `width: 'container'` would lay the plot out twice.
  if (spec.width === 'container') spec.width = Math.max(320, chart.clientWidth);
  // `fit-x` counts the title: a subtitle wider than a narrow panel would squeeze the plot to nothing. One line
  // per part of the subtitle, none wider than the plot.
  const t = spec.title;
  if (t && typeof t === 'object' && !Array.isArray(t) && typeof spec.width === 'number') {
    const sub = (t as { subtitle?: unknown }).subtitle;
    spec.title = { ...t, limit: spec.width, ...(typeof sub === 'string' ? { subtitle: sub.split(' · ') } : {}) };
  }
  const vl = compile(spec, { config: vegaConfig(p) });
  const view = new View(parse(vl.spec, undefined, { ast: true }), {
    expr: expressionInterpreter,
    renderer: 'svg',
    container: chart,
    hover: true,
  });
  views.push(view);
  await view.runAsync();
  const ms = performance.now() - started;
  chart.dataset['renderMs'] = ms.toFixed(1);
  const stem = fileStem(`${label}-${v.title}`);
  tools.append(
    button('PNG', `Export ${v.title} as PNG`, () => {
      void opaque(view, p, () => view.toImageURL('png', 2)).then((url) =>
        exportFile(`${stem}.png`, 'image/png', dataUrlBytes(url)),
      );
    }),
    button('SVG', `Export ${v.title} as SVG`, () => {
      void opaque(view, p, () => view.toSVG()).then((svg) => exportFile(`${stem}.svg`, 'image/svg+xml', svg));
    }),
    button('CSV', `Export the data of ${v.title} as CSV`, () =>
      exportFile(`${stem}.csv`, 'text/csv', tableCsv(v.table)),
    ),
  );
  document.dispatchEvent(new CustomEvent('ouro-rendered', { detail: { id: v.id, ms } }));
}

async function drawRun(column: HTMLElement, r: RunRecord, p: Palette): Promise<void> {
  const meta = el('p', { class: 'run-meta' });
  const stale = r.result.preview ? ' (preview budget)' : '';
  meta.textContent = `${r.experiment} · ${describeRun(r)} · ${r.backend.name} ${r.backend.version}${stale}`;
  column.append(meta);
  const list = buildViews(r.result, { band: state.band });
  if (list.length === 0) column.append(el('p', { class: 'empty' }, 'This run recorded nothing to draw.'));
  for (const v of list) {
    const fig = el('section', { class: 'view', 'data-view': v.id, 'data-kind': v.kind });
    column.append(fig);
    try {
      await drawView(fig, v, p, `${r.experiment}-${r.runId}`);
    } catch (e) {
      fig.append(
        el('p', { class: 'error' }, `Could not draw ${v.title}: ${e instanceof Error ? e.message : String(e)}`),
      );
    }
  }
}

let rendering: Promise<void> = Promise.resolve();

/** Redraws everything (serialised: a redraw waits for the one in flight). */
function render(): Promise<void> {
  rendering = rendering.then(renderNow, renderNow);
  return rendering;
}

async function renderNow(): Promise<void> {
  for (const v of views.splice(0)) v.finalize();
  const controls = $('#controls');
  const body = $('#views');
  controls.replaceChildren();
  body.replaceChildren();
  const names = history.map((h) => h.experiment);
  if (names.length === 0) {
    body.append(
      el('p', { class: 'empty' }, vscode ? 'No runs yet: save the spec or run an experiment.' : 'No results.'),
    );
    return;
  }
  const experiment = state.experiment && names.includes(state.experiment) ? state.experiment : names[0]!;
  const runs = runsOf(experiment);
  const run = selectedRun(experiment);
  const other = compareRun(experiment);
  controls.append(
    select(
      'experiment',
      'Experiment',
      names.map((n) => ({ value: n, label: n })),
      experiment,
      (v) => {
        state.experiment = v;
        save();
        void render();
      },
    ),
    select(
      'run',
      'Run',
      runs.map((r) => ({ value: r.runId, label: describeRun(r) })),
      run?.runId ?? '',
      (v) => {
        state.run = { ...state.run, [experiment]: v };
        save();
        void render();
      },
    ),
    select(
      'compare',
      'Compare with',
      [{ value: '', label: '— none —' }, ...runs.map((r) => ({ value: r.runId, label: describeRun(r) }))],
      other?.runId ?? '',
      (v) => {
        state.compare = { ...state.compare, [experiment]: v };
        save();
        void render();
      },
    ),
    select(
      'band',
      'Band',
      [
        { value: 'se', label: 'mean ± 1 SE' },
        { value: 'quantile', label: '10–90 % of replicates' },
      ],
      state.band,
      (v) => {
        state.band = v === 'quantile' ? 'quantile' : 'se';
        save();
        void render();
      },
    ),
  );
  if (vscode) {
    const actions = el('div', { class: 'actions' });
    actions.append(
      button(
        'Run preview',
        `Run ${experiment} at its preview budget`,
        () => post({ type: 'run', experiment, budget: 'preview' }),
        false,
      ),
      button('Run full', `Run ${experiment} at its full budget`, () =>
        post({ type: 'run', experiment, budget: 'full' }),
      ),
      button('Cancel', 'Cancel the running experiments of this spec', () => post({ type: 'cancel' })),
    );
    controls.append(actions);
  }
  const p = palette();
  const columns = el('div', { class: other ? 'columns compare' : 'columns' });
  body.append(columns);
  for (const r of other ? [run!, other] : [run!]) {
    const col = el('div', { class: 'column' });
    columns.append(col);
    await drawRun(col, r, p);
  }
}

function setStatus(text: string, fraction?: number): void {
  const status = $('#status');
  const bar = $<HTMLElement & { value?: number; max: number }>('#progress');
  status.textContent = text;
  if (fraction === undefined) bar.hidden = true;
  else {
    bar.hidden = false;
    bar.max = 1;
    bar.value = fraction;
  }
}

function addRecord(rec: RunRecord): void {
  const h = history.find((x) => x.experiment === rec.experiment);
  if (h)
    history = history.map((x) => (x === h ? { ...x, runs: [rec, ...x.runs.filter((r) => r.runId !== rec.runId)] } : x));
  else history = [...history, { experiment: rec.experiment, runs: [rec] }];
  // Following the newest run: drop a pinned selection of an older run only if none was chosen.
}

function onMessage(m: ToWebview): void {
  switch (m.type) {
    case 'history':
      uri = m.uri;
      history = [...m.experiments];
      state.uri = m.uri;
      save();
      void render();
      break;
    case 'show':
      state.experiment = m.experiment;
      save();
      void render();
      break;
    case 'record':
      addRecord(m.record);
      void render();
      break;
    case 'progress': {
      const p = m.progress;
      const eta = p.etaMs === null ? '' : ` · ETA ${(p.etaMs / 1000).toFixed(1)} s`;
      setStatus(`Running ${p.experiment}: ${p.unit} ${p.step}/${p.steps}${eta}`, p.fraction);
      if (p.finished) {
        addRecord(p.finished);
        void render();
      }
      break;
    }
    case 'ended': {
      const e = m.ended;
      setStatus(
        e.status === 'ok'
          ? `Run finished in ${(e.wallMs / 1000).toFixed(1)} s`
          : e.status === 'cancelled'
            ? 'Run cancelled'
            : `Run failed: ${e.message ?? 'unknown error'}`,
      );
      break;
    }
  }
}

const themeClasses = ['vscode-light', 'vscode-dark', 'vscode-high-contrast', 'vscode-high-contrast-light'];

/** The report has no editor: it follows the system's light/dark preference, or the reader's choice. */
function setupReportTheme(): void {
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  let choice = 'auto';
  const apply = (): void => {
    const cls = choice === 'auto' ? (media.matches ? 'vscode-dark' : 'vscode-light') : choice;
    document.body.classList.remove(...themeClasses);
    document.body.classList.add('ouro-report', cls);
  };
  media.addEventListener('change', () => choice === 'auto' && apply());
  apply();
  $('#page-tools').append(
    select(
      'theme',
      'Theme',
      [
        { value: 'auto', label: 'system' },
        { value: 'vscode-light', label: 'light' },
        { value: 'vscode-dark', label: 'dark' },
        { value: 'vscode-high-contrast', label: 'high contrast' },
        { value: 'vscode-high-contrast-light', label: 'high contrast light' },
      ],
      choice,
      (v) => {
        choice = v;
        apply();
      },
    ),
  );
}

function start(): void {
  document.body.insertAdjacentHTML(
    'afterbegin',
    '<header id="top"><div class="title-row"><h1 id="title">Ouro results</h1><div id="page-tools"></div></div>' +
      '<div id="controls" class="controls"></div>' +
      '<div class="status-line" role="status" aria-live="polite"><span id="status"></span>' +
      '<vscode-progress-bar id="progress" hidden aria-label="run progress"></vscode-progress-bar></div></header>' +
      '<main id="views"></main>',
  );
  if (!vscode) setupReportTheme();
  // Re-theme when the editor's theme (body class and variables) changes.
  new MutationObserver(() => void render()).observe(document.body, {
    attributes: true,
    attributeFilter: ['class', 'data-vscode-theme-id'],
  });
  const embedded = document.getElementById('ouro-data');
  if (embedded?.textContent) {
    const data = JSON.parse(embedded.textContent) as ReportData;
    uri = data.uri;
    history = [...data.experiments];
    $('#title').textContent = data.title;
    void render();
  }
  if (vscode) {
    window.addEventListener('message', (e: MessageEvent<ToWebview>) => onMessage(e.data));
    post({ type: 'ready' });
  }
  // For tests and scripted use: the same entry points the extension's messages reach.
  (window as unknown as { ouroResults: unknown }).ouroResults = {
    receive: (m: ToWebview) => onMessage(m),
    rendered: () => rendering,
    uri: () => uri,
  };
}

start();
