// `npm run figures`: the README's figures of the shipped examples. For each examples/*.ouro (not
// examples/unsafe/) it runs the spec through the CLI (`ouro run FILE --out TMP`, full budget unless
// --preview), opens each experiment's report.html in headless chromium (light theme, plots 720 px wide) and
// saves every plot the spec's `view` statements draw through the report's own PNG export button, so a
// figure is exactly what a user exports. Files: examples/figures/<example>-<experiment>-<view>.png, where
// <view> names the view statement (`err-by-w`, `diversity-over-t`, `proportions-over-rounds`,
// `samples-g`); figures of a processed example that its spec no longer draws are removed. Runs are
// seeded by the specs, so the figures are the same on every run on the same machine.
//
//   node scripts/figures.mjs [--preview] [--out DIR] [EXAMPLE ...]
//     --preview   run at the preview budget (quick checks; the committed figures are full-budget)
//     --out DIR   write the PNGs to DIR instead of examples/figures/
//     EXAMPLE     only these examples: a name (golden-ratio) or a path (examples/golden-ratio.ouro)
// Needs the built CLI and views (`npm run build`) and Debian's chromium (OURO_CHROMIUM overrides the path).
/* global document, window -- used in page callbacks */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumPath, headlessArgs } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const examplesDir = join(root, 'examples');
const cli = join(root, 'server', 'bin', 'ouro.js');
/** The plots' width in CSS pixels; the report's PNG export draws at 2× (1440 px). */
const plotWidth = 720;
/** The report's body padding each side (views/src/app/results.css). */
const bodyPadding = 16;

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { preview: false, out: join(examplesDir, 'figures'), examples: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--preview') opts.preview = true;
    else if (a === '--out') {
      const v = argv[++i];
      if (!v || v.startsWith('--')) throw new UsageError('--out takes a folder: --out DIR');
      opts.out = resolve(v);
    } else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/figures.mjs [--preview] [--out DIR] [EXAMPLE ...]');
      process.exit(0);
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}; the options are --preview and --out DIR`);
    else opts.examples.push(a);
  }
  return opts;
}

/** The example specs to draw: all of examples/*.ouro, or those named on the command line. */
function exampleFiles(names) {
  const all = readdirSync(examplesDir)
    .filter((f) => f.endsWith('.ouro'))
    .sort()
    .map((f) => join(examplesDir, f));
  if (names.length === 0) return all;
  return names.map((n) => {
    const file = all.find((f) => f === resolve(n) || basename(f, '.ouro') === n);
    if (!file) {
      throw new UsageError(
        `no example ${n} in examples/ (not examples/unsafe/); the examples are ${all.map((f) => basename(f, '.ouro')).join(', ')}`,
      );
    }
    return file;
  });
}

/** A path as the user can read it: relative to the working folder when inside it. */
function shown(path) {
  const r = relative(process.cwd(), path);
  return r && !r.startsWith('..') ? r : path;
}

/** The example a figure file belongs to: the longest example name it starts with (`coopinit-grid-…` is
 * coopinit-grid's, not coopinit's). */
function ownerOf(file) {
  const names = readdirSync(examplesDir)
    .filter((f) => f.endsWith('.ouro'))
    .map((f) => basename(f, '.ouro'));
  return names.filter((n) => file.startsWith(`${n}-`)).sort((a, b) => b.length - a.length)[0];
}

/** A file-name part: letters, digits, `_` and `-` only. */
const part = (s) => String(s).replace(/[^A-Za-z0-9_-]+/g, '-');

/** The stable name of a view statement of the result (result.json's `views`). */
function viewName(v) {
  switch (v.kind) {
    case 'over':
      return `${v.metric}-over-${v.over ?? 't'}`;
    case 'against':
      return v.by ? `${v.metric}-by-${v.by}` : `${v.metric}`;
    case 'final':
      return v.by ? `${v.metric}-final-by-${v.by}` : `${v.metric}-final`;
    case 'proportions':
      return `proportions-over-${v.over ?? 't'}`;
    case 'samples':
      return `samples-${v.model}${v.as ? `-${v.as}` : ''}`;
    default:
      return `${v.kind}-${v.metric ?? v.model ?? ''}`;
  }
}

/** Runs one spec through the CLI into `dir`; throws with the CLI's output when it fails. */
function runSpec(file, dir, preview) {
  const args = [cli, 'run', file, '--out', dir, ...(preview ? ['--preview'] : [])];
  const started = Date.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(
      `\`ouro run ${relative(root, file)}${preview ? ' --preview' : ''}\` failed (exit ${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`,
    );
  }
  return (Date.now() - started) / 1000;
}

function pngSize(bytes) {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Exports every plot of one report.html; returns the files written. */
async function exportReport(browser, report, stem, views, outDir) {
  const context = await browser.newContext({
    viewport: { width: plotWidth + 2 * bodyPadding, height: 900 },
    colorScheme: 'light',
    acceptDownloads: true,
  });
  try {
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    await page.goto(`file://${report}`);
    await page.waitForFunction(() => window.ouroResults !== undefined);
    await page.evaluate(() => window.ouroResults.rendered());
    const drawn = await page.evaluate(() => ({
      light: document.body.classList.contains('vscode-light'),
      sections: [...document.querySelectorAll('section.view')].map((s) => ({
        id: s.dataset.view,
        width: s.querySelector('.chart')?.clientWidth ?? 0,
        error: s.querySelector('.error')?.textContent ?? null,
      })),
    }));
    if (problems.length) throw new Error(`${report}: the page reported ${problems.join('; ')}`);
    if (!drawn.light) throw new Error(`${report}: the report did not take the light theme`);
    const byId = new Map(views.map((v) => [v.id, v]));
    for (const v of views) {
      if (!drawn.sections.some((s) => s.id === v.id)) {
        throw new Error(`${report}: the view statement ${v.id} (${viewName(v)}) drew no plot`);
      }
    }
    const written = [];
    const names = new Set();
    for (const [i, s] of drawn.sections.entries()) {
      if (s.error) throw new Error(`${report}: ${s.error}`);
      if (s.width !== plotWidth) throw new Error(`${report}: a plot is ${s.width} px wide, not ${plotWidth}`);
      const v = byId.get(s.id);
      if (!v) throw new Error(`${report}: plot ${s.id} comes from no view statement; give the spec \`view\` lines`);
      const name = `${stem}-${part(viewName(v))}`;
      if (names.has(name)) throw new Error(`${report}: two views are both named ${name}`);
      names.add(name);
      const button = page.locator('section.view').nth(i).locator('vscode-button', { hasText: 'PNG' });
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      const path = join(outDir, `${name}.png`);
      await download.saveAs(path);
      written.push(path);
    }
    return written;
  } finally {
    await context.close();
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const files = exampleFiles(opts.examples);
  if (!existsSync(chromiumPath)) {
    throw new UsageError(
      `${chromiumPath} is missing: install it with \`apt-get install -y chromium\` (or set OURO_CHROMIUM)`,
    );
  }
  mkdirSync(opts.out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: headlessArgs,
  });
  const budget = opts.preview ? 'preview' : 'full';
  let count = 0;
  try {
    for (const file of files) {
      const example = basename(file, '.ouro');
      const tmp = mkdtempSync(join(tmpdir(), 'ouro-figures-'));
      try {
        const seconds = runSpec(file, tmp, opts.preview);
        console.log(`${example}: ran at the ${budget} budget in ${seconds.toFixed(1)} s`);
        const written = [];
        for (const experiment of readdirSync(tmp).sort()) {
          const report = join(tmp, experiment, 'report.html');
          if (!existsSync(report)) continue;
          const result = JSON.parse(readFileSync(join(tmp, experiment, 'result.json'), 'utf8'));
          const stem = `${part(example)}-${part(experiment)}`;
          written.push(...(await exportReport(browser, report, stem, result.views ?? [], opts.out)));
        }
        if (written.length === 0) throw new Error(`${example}: no experiment drew a plot`);
        for (const path of written) {
          const { width, height } = pngSize(readFileSync(path));
          console.log(`  wrote ${shown(path)} (${width}×${height} px, ${statSync(path).size} bytes)`);
        }
        // Figures of this example that its spec no longer draws.
        for (const f of readdirSync(opts.out)) {
          const path = join(opts.out, f);
          if (f.endsWith('.png') && ownerOf(f) === example && !written.includes(path)) {
            rmSync(path);
            console.log(`  removed ${shown(path)} (no longer drawn)`);
          }
        }
        count += written.length;
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  console.log(
    `${count} figure${count === 1 ? '' : 's'} of ${files.length} example${files.length === 1 ? '' : 's'} in ${shown(opts.out) || '.'}`,
  );
}

try {
  await main();
} catch (e) {
  console.error(`figures: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = e instanceof UsageError ? 2 : 1;
}
