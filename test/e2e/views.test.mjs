// The results views in a real browser: the bundle (views/dist/results.js) in Debian's headless chromium via
// playwright-core, as report.html (data inlined, file://) and as the VS Code webview (a fake
// acquireVsCodeApi, the webview's CSP, messages), drawn from results recorded by `ouro run --preview`
// (test/fixtures/results/). Checks what a user sees: marks drawn, the theme followed, exports that open,
// no CSP violation. Renders a 10,000-point series and records the time in bench/results/views.json
// (a benchmark figure, not an assertion). Screenshots go to test-output/views/.
/* global document, window, getComputedStyle, DOMParser -- used in page callbacks */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildResults } from '../../views/build.mjs';
import { recordFromJson, reportHtml, webviewHtml } from '../../views/out/index.js';
import { repoRoot, requireProgram, scratch, waitFor } from './support.mjs';
import { chromiumPath, headlessArgs } from '../../scripts/chromium.mjs';

const out = join(repoRoot, 'test-output', 'views');
const dist = join(repoRoot, 'views', 'dist');
const fixtures = join(repoRoot, 'test', 'fixtures', 'results');
const saved = Object.fromEntries(
  readdirSync(fixtures)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(fixtures, f), 'utf8'))]),
);
/** The views each recorded example's spec asks for. */
const expectedKinds = {
  'golden-ratio': ['against'],
  coevolving: ['over', 'over'],
  'mixture-ucb': ['over', 'proportions'],
  coopinit: ['over', 'scatter'],
};

let dirs;
let browser;
let assets;

/** Marks Vega drew in each view section: paths of lines, areas, symbols, rects (not axes or legends). */
function markCounts(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('section.view')].map((s) => ({
      kind: s.dataset.kind,
      marks: s.querySelectorAll(
        '.mark-line path, .mark-area path, .mark-symbol path, .mark-rect path, .mark-rule line, .mark-text text',
      ).length,
      error: s.querySelector('.error')?.textContent ?? null,
    })),
  );
}

/** A page that records CSP violations and errors. */
async function newPage(options = {}) {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return { context, page, problems };
}

function reportFile(name, experiments) {
  const data = { title: `${name} report`, uri: `/virtual/${name}.ouro`, experiments };
  const file = join(dirs.root, `${name}.html`);
  writeFileSync(file, reportHtml(data, assets, 'bm9uY2U='));
  return `file://${file}`;
}

const historyOf = (name, runId = 'run-1') => {
  const r = recordFromJson(saved[name], runId);
  return [{ experiment: r.experiment, runs: [r] }];
};

async function rendered(page) {
  await page.waitForFunction(() => window.ouroResults !== undefined);
  await page.evaluate(() => window.ouroResults.rendered());
}

before(async () => {
  requireProgram(chromiumPath, 'chromium');
  mkdirSync(out, { recursive: true });
  dirs = scratch('ouro-views-');
  await buildResults(dist);
  assets = {
    script: readFileSync(join(dist, 'results.js'), 'utf8'),
    css: readFileSync(join(dist, 'results.css'), 'utf8'),
  };
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: headlessArgs,
    env: dirs.env,
  });
});

after(async () => {
  await browser?.close();
  dirs?.remove();
});

describe('report.html in chromium', () => {
  for (const [name, kinds] of Object.entries(expectedKinds)) {
    it(`${name}: every view draws its marks from file://, under the report's CSP`, async () => {
      const { context, page, problems } = await newPage();
      await page.goto(reportFile(name, historyOf(name)));
      await rendered(page);
      const counts = await markCounts(page);
      assert.deepEqual(
        counts.map((c) => c.kind),
        kinds,
      );
      for (const c of counts) {
        assert.equal(c.error, null);
        assert.ok(c.marks > 0, `${name}: the ${c.kind} view drew marks`);
      }
      assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violation');
      assert.deepEqual(problems, []);
      await page.screenshot({ path: join(out, `report-${name}.png`), fullPage: true });
      await context.close();
    });
  }

  it('golden-ratio: the sweep plot marks the minimum and overlays V*(w) with its optimum 0.618', async () => {
    const { context, page } = await newPage();
    await page.goto(reportFile('golden-ratio', historyOf('golden-ratio')));
    await rendered(page);
    const texts = await page.evaluate(() =>
      [...document.querySelectorAll('.mark-text text')].map((t) => t.textContent),
    );
    assert.ok(
      texts.some((t) => /^theory w\* = 0\.618$/.test(t)),
      `theory optimum label in ${texts.join(' | ')}`,
    );
    assert.ok(
      texts.some((t) => /^min [\d.e-]+ at w = [\d.]+$/.test(t)),
      `minimum label in ${texts.join(' | ')}`,
    );
    await context.close();
  });

  it('switching the theme re-draws the plots in its colours', async () => {
    const { context, page } = await newPage({ colorScheme: 'light' });
    await page.goto(reportFile('coevolving', historyOf('coevolving')));
    await rendered(page);
    const colours = () =>
      page.evaluate(() => ({
        label: document.querySelector('.role-axis-label text')?.getAttribute('fill'),
        body: getComputedStyle(document.body).backgroundColor,
      }));
    const light = await colours();
    for (const [cls, file] of [
      ['vscode-dark', 'theme-dark'],
      ['vscode-high-contrast', 'theme-high-contrast'],
    ]) {
      await page.evaluate((c) => {
        document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast');
        document.body.classList.add(c);
      }, cls);
      await waitFor(`axis labels re-coloured for ${cls}`, async () => {
        await page.evaluate(() => window.ouroResults.rendered());
        const now = await colours();
        return now.label !== light.label && now.body !== light.body && now;
      });
      await page.screenshot({ path: join(out, `report-coevolving-${file}.png`), fullPage: true });
    }
    const hc = await colours();
    assert.equal(hc.label, '#ffffff', 'high contrast: white labels');
    assert.equal(hc.body, 'rgb(0, 0, 0)', 'high contrast: black page');
    assert.equal(light.label, '#3b3b3b');
    await context.close();
  });

  it('exports: PNG with the PNG signature, SVG that parses, CSV with a header, all reachable by keyboard', async () => {
    const { context, page } = await newPage();
    await page.goto(reportFile('golden-ratio', historyOf('golden-ratio')));
    await rendered(page);
    const get = async (label) => {
      const button = page.locator('section.view vscode-button', { hasText: label }).first();
      await button.focus();
      const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      const path = await download.path();
      return { name: download.suggestedFilename(), bytes: readFileSync(path) };
    };
    const png = await get('PNG');
    assert.match(png.name, /\.png$/);
    assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const width = png.bytes.readUInt32BE(16);
    assert.ok(width > 400, `a PNG of the plot (${width} px wide)`);
    const svg = await get('SVG');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return { root: doc.documentElement.nodeName, error: doc.querySelector('parsererror')?.textContent ?? null };
    }, svg.bytes.toString('utf8'));
    assert.deepEqual(parsed, { root: 'svg', error: null });
    const csv = (await get('CSV')).bytes.toString('utf8').split('\n');
    assert.equal(csv[0], 'metric,method,w,replicate,t,value');
    assert.equal(csv.length - 2, 19 * 50);
    // Keyboard: Tab from the top reaches the selects, the export buttons and the focusable charts.
    await page.evaluate(() => document.activeElement?.blur());
    const seen = new Set();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      seen.add(await page.evaluate(() => document.activeElement?.tagName.toLowerCase()));
    }
    for (const tag of ['vscode-single-select', 'vscode-button', 'div']) assert.ok(seen.has(tag), `Tab reaches ${tag}`);
    await context.close();
  });

  it('two runs side by side', async () => {
    const { context, page } = await newPage();
    const a = recordFromJson(saved['coevolving'], 'run-a');
    const b = { ...recordFromJson(saved['coevolving'], 'run-b'), startedAt: '2026-01-01T00:00:00.000Z' };
    await page.goto(reportFile('compare', [{ experiment: a.experiment, runs: [a, b] }]));
    await rendered(page);
    await page.evaluate(() => {
      const s = document.querySelector('#compare');
      s.value = 'run-b';
      s.dispatchEvent(new Event('change'));
    });
    await waitFor('two columns', () =>
      page.evaluate(() => document.querySelectorAll('.columns.compare .column').length === 2),
    );
    await rendered(page);
    const counts = await markCounts(page);
    assert.equal(counts.length, 4, 'both runs draw both views');
    assert.ok(counts.every((c) => c.marks > 0));
    await page.screenshot({ path: join(out, 'report-compare.png'), fullPage: true });
    await context.close();
  });
});

/** The webview page at a fake origin, with a fake VS Code API that records messages and state. */
async function openWebview(state) {
  const { context, page, problems } = await newPage();
  const origin = 'https://webview.ouro.test';
  const html = webviewHtml({
    cspSource: origin,
    nonce: 'dGVzdG5vbmNl',
    scriptUri: `${origin}/media/dist/results.js`,
    styleUri: `${origin}/media/dist/results.css`,
    title: 'Ouro results',
  });
  await context.route(`${origin}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/index.html') return route.fulfill({ contentType: 'text/html', body: html });
    if (url.pathname === '/media/dist/results.js')
      return route.fulfill({ contentType: 'text/javascript', body: assets.script });
    if (url.pathname === '/media/dist/results.css') return route.fulfill({ contentType: 'text/css', body: assets.css });
    return route.abort();
  });
  await page.addInitScript((initial) => {
    window.__sent = [];
    window.__state = initial;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__sent.push(m),
      getState: () => window.__state,
      setState: (s) => {
        window.__state = s;
      },
    });
    document.addEventListener('DOMContentLoaded', () => document.body.classList.add('vscode-dark'));
  }, state);
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => window.ouroResults !== undefined);
  return { context, page, problems };
}

const send = (page, m) => page.evaluate((msg) => window.postMessage(msg, '*'), m);

describe('the results webview in chromium', () => {
  it('says ready, draws the history it is sent, updates live, keeps its state across reloads', async () => {
    const { context, page, problems } = await openWebview(undefined);
    assert.deepEqual(await page.evaluate(() => window.__sent), [{ type: 'ready' }]);
    await send(page, { type: 'history', uri: 'file:///w/golden-ratio.ouro', experiments: historyOf('golden-ratio') });
    await waitFor('the sweep plot', async () => (await markCounts(page)).length === 1);
    await rendered(page);
    assert.ok((await markCounts(page))[0].marks > 0);
    // Live: progress, then a finished record of a second experiment.
    const rec = recordFromJson(saved['coevolving'], 'run-2');
    await send(page, {
      type: 'progress',
      progress: {
        runId: 'run-2',
        uri: 'file:///w/x.ouro',
        experiment: rec.experiment,
        fraction: 0.5,
        etaMs: 1000,
        step: 10,
        steps: 20,
        unit: 'generation',
      },
    });
    assert.match(await page.locator('#status').textContent(), /Running coevolution: generation 10\/20/);
    await send(page, { type: 'record', record: rec });
    await page.evaluate(() => {
      const s = document.querySelector('#experiment');
      s.value = 'coevolution';
      s.dispatchEvent(new Event('change'));
    });
    await waitFor('the coevolution views', async () => (await markCounts(page)).length === 2);
    await rendered(page);
    // Exports go to the extension as a save message, not a download.
    await page.locator('section.view vscode-button', { hasText: 'PNG' }).first().click();
    const saved0 = await waitFor('a save message', () =>
      page.evaluate(() => window.__sent.find((m) => m.type === 'save')),
    );
    assert.equal(saved0.mime, 'image/png');
    assert.equal(Buffer.from(saved0.base64, 'base64').subarray(1, 4).toString('latin1'), 'PNG');
    await page.locator('vscode-button', { hasText: 'Run full' }).click();
    assert.deepEqual(await page.evaluate(() => window.__sent.find((m) => m.type === 'run')), {
      type: 'run',
      experiment: 'coevolution',
      budget: 'full',
    });
    const state = await page.evaluate(() => window.__state);
    assert.equal(state.experiment, 'coevolution');
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no CSP violation under default-src none');
    assert.deepEqual(problems, []);
    await page.screenshot({ path: join(out, 'webview-dark.png'), fullPage: true });
    await context.close();
    // Hidden and shown again: a fresh page with the saved state and the history resent shows the same experiment.
    const again = await openWebview(state);
    await send(again.page, {
      type: 'history',
      uri: 'file:///w/x.ouro',
      experiments: [...historyOf('golden-ratio'), { experiment: rec.experiment, runs: [rec] }],
    });
    await waitFor('the restored experiment', async () => (await markCounts(again.page)).length === 2);
    await again.context.close();
  });

  it('benchmark: a 10,000-point series with a replicate band renders (bench/results/views.json)', async () => {
    const { context, page } = await openWebview(undefined);
    const T = 10_000;
    const base = recordFromJson(saved['coevolving'], 'big');
    const t = Array.from({ length: T }, (_, i) => i);
    const reps = [0, 1, 2].map((r) => t.map((i) => Math.sin(i / 500 + r) + 0.001 * ((i * 7919 + r * 104729) % 1000)));
    const result = {
      ...base.result,
      name: 'big',
      sweeps: [],
      points: [{ index: 0, values: {} }],
      replicates: 3,
      generations: T - 1,
      metrics: [{ id: 'experiment:big/metric:x', name: 'x', metric: 'entropy', method: 'cycle', t, values: [reps] }],
      views: [
        {
          id: 'experiment:big/view:0',
          kind: 'over',
          metric: 'x',
          over: 't',
          by: null,
          mark: null,
          model: null,
          as: null,
        },
      ],
    };
    const times = [];
    for (let i = 0; i < 7; i++) {
      const ms = await page.evaluate(
        async (record) => {
          const done = new Promise((resolve) =>
            document.addEventListener('ouro-rendered', (e) => resolve(e.detail.ms), { once: true }),
          );
          window.postMessage(
            { type: 'history', uri: 'file:///w/big.ouro', experiments: [{ experiment: 'big', runs: [record] }] },
            '*',
          );
          return done;
        },
        { ...base, runId: `big-${i}`, experiment: 'big', result },
      );
      times.push(ms);
    }
    const counts = await markCounts(page);
    assert.equal(counts.length, 1);
    assert.ok(counts[0].marks >= 2, 'line and band drawn');
    const pathLength = await page.evaluate(
      () => document.querySelector('.mark-line path')?.getAttribute('d')?.length ?? 0,
    );
    assert.ok(pathLength > 1000 * 8, `the line is drawn through every pixel column (path of ${pathLength} chars)`);
    await page.screenshot({ path: join(out, 'webview-10000-points.png') });
    await context.close();
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const figures = {
      environment: {
        node: process.version,
        chromium: browser.version(),
        cpu: cpus()[0]?.model.trim(),
        cores: cpus().length,
        loadavg: loadavg(),
        date: new Date().toISOString(),
      },
      name: 'results view: 10,000-point series (3 replicates, mean line and ±1 SE band), SVG renderer',
      reduction:
        'M4 per column of 1,000 across the x range (first, min, max, last point; band envelope), pixel-faithful up to 1,000 px wide',
      what: 'Vega-Lite compile + Vega parse (interpreter, no eval) + first render, measured in the page',
      points: T,
      runs: times.length,
      firstMs: Number(times[0].toFixed(1)),
      medianMs: Number(median.toFixed(1)),
      maxMs: Number(sorted[sorted.length - 1].toFixed(1)),
      target: 200,
      pass: median < 200,
    };
    mkdirSync(join(repoRoot, 'bench', 'results'), { recursive: true });
    writeFileSync(join(repoRoot, 'bench', 'results', 'views.json'), JSON.stringify(figures, null, 2) + '\n');
    console.log(
      `views: 10,000-point series render median ${figures.medianMs} ms (first ${figures.firstMs} ms, max ${figures.maxMs} ms)`,
    );
  });
});
