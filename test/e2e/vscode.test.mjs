// The packaged extension in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) driven through Debian's
// chromium by playwright-core. Every check is something a user sees on screen. Screenshots go to
// test-output/e2e/. Recipe: /work/shared/notes/vscode-e2e.md.
/* global document, getComputedStyle -- used in page.evaluate() callbacks, which run in the browser */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ensureOutputDir, killGroup, repoRoot, requireProgram, scratch, sleep, waitFor } from './support.mjs';

const chromiumPath = process.env.OURO_CHROMIUM ?? '/usr/bin/chromium';
const manifest = JSON.parse(readFileSync(join(repoRoot, 'client', 'package.json'), 'utf8'));
const vsix = join(repoRoot, 'client', `${manifest.name}-${manifest.version}.vsix`);
const extensionId = `${manifest.publisher}.${manifest.name}`;

const COLLAPSE = 'golden-ratio-collapse.ouro';
const GOLDEN = 'golden-ratio.ouro';

let dirs;
let server;
let serverLog;
let browser;
let page;
let shot = 0;
const out = ensureOutputDir();
const killOnExit = () => {
  if (server?.pid !== undefined) {
    try {
      process.kill(-server.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Installs code-server into the cache outside the repository (a no-op when cached); returns its executable. */
function codeServerBinary() {
  if (process.env.OURO_CODE_SERVER) return process.env.OURO_CODE_SERVER;
  const stdout = execFileSync('bash', [join(repoRoot, 'scripts', 'install-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return stdout.trim().split('\n').at(-1);
}

async function screenshot(name) {
  if (!page) return;
  shot += 1;
  const path = join(out, `vscode-${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path }).catch(() => undefined);
}

/** Runs a check and takes a screenshot afterwards, whether it passed or failed. */
function check(name, fn) {
  return async () => {
    try {
      await fn();
    } finally {
      await screenshot(name);
    }
  };
}

// ---- editor helpers -------------------------------------------------------------------------------

const editor = () => page.locator('.editor-group-container.active .monaco-editor').first();

async function openFile(name) {
  // Dismiss whatever a failed check may have left open (a widget, the command palette).
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await page.getByRole('treeitem', { name }).first().dblclick();
  await waitFor(`the tab of ${name} to be active`, () => page.locator(`.tab.active[aria-label*="${name}"]`).count());
  await waitFor(
    `the text of ${name}`,
    async () => ((await editor().locator('.view-lines').textContent()) ?? '').length > 0,
  );
  // Opening from the explorer focuses the editor; keys go to it from here on.
  await waitFor(`the editor of ${name} to have the focus`, () =>
    page.evaluate(() => document.activeElement?.closest('.editor-group-container.active .monaco-editor') != null),
  );
}

/** The visible lines of the active editor, as text (monaco renders non-breaking spaces). */
async function visibleLines() {
  return editor()
    .locator('.view-line')
    .evaluateAll((lines) => lines.map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ')));
}

async function quickInput(text) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input[type="text"]').first();
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  return input;
}

/** Moves the cursor with "Go to Line/Column" (1-based line and column). */
async function goTo(line, column) {
  const input = await quickInput(`:${line}:${column}`);
  await sleep(100);
  await input.press('Enter');
  await waitFor(`the cursor at Ln ${line}, Col ${column}`, async () =>
    new RegExp(`Ln ${line}, Col ${column}\\b`).test((await cursorPosition()) ?? ''),
  );
}

async function cursorPosition() {
  return page.locator('#status\\.editor\\.selection').textContent();
}

/** 1-based line and column of the first occurrence of `needle` in a copied example (after `afterLine`). */
function find(file, needle, afterLine = 0) {
  const lines = readFileSync(join(dirs.workspace, file), 'utf8').split('\n');
  for (let i = afterLine; i < lines.length; i++) {
    const c = lines[i].indexOf(needle);
    if (c >= 0 && !lines[i].trimStart().startsWith('//')) return { line: i + 1, column: c + 1 };
  }
  throw new Error(`${needle} not found in ${file}`);
}

async function runCommand(title) {
  const input = await quickInput(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible' });
  await input.press('Enter');
}

// ---- set-up and tear-down -------------------------------------------------------------------------

describe('VS Code (code-server 4.100.3) with the packaged Ouro extension', { concurrency: 1 }, () => {
  before(
    async () => {
      for (const f of readdirSync(out)) if (/^vscode-.*\.png$/.test(f)) rmSync(join(out, f));
      requireProgram(chromiumPath, 'chromium');
      assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` first (\`npm run test:e2e\` does)`);
      const codeServer = codeServerBinary();
      requireProgram(codeServer, '(run scripts/install-code-server.sh)');

      dirs = scratch('ouro-e2e-vscode-');
      const userData = join(dirs.root, 'user-data');
      const extensions = join(dirs.root, 'extensions');
      mkdirSync(join(userData, 'User'), { recursive: true });
      writeFileSync(
        join(userData, 'User', 'settings.json'),
        JSON.stringify(
          {
            'workbench.startupEditor': 'none',
            'security.workspace.trust.enabled': false,
            'telemetry.telemetryLevel': 'off',
            'update.mode': 'none',
            'extensions.autoCheckUpdates': false,
            'extensions.autoUpdate': false,
            'workbench.tips.enabled': false,
            'workbench.colorTheme': 'Default Dark Modern',
            'editor.minimap.enabled': false,
            'chat.commandCenter.enabled': false,
          },
          null,
          2,
        ),
      );
      copyFileSync(join(repoRoot, 'examples', 'unsafe', COLLAPSE), join(dirs.workspace, COLLAPSE));
      copyFileSync(join(repoRoot, 'examples', GOLDEN), join(dirs.workspace, GOLDEN));

      const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
      const installed = execFileSync(codeServer, [...common, '--install-extension', vsix], {
        env: dirs.env,
        encoding: 'utf8',
      });
      assert.match(installed, /successfully installed/, installed);
      assert.ok(existsSync(join(extensions, `${extensionId}-${manifest.version}`, 'dist', 'server.js')));

      const port = await freePort();
      serverLog = openSync(join(out, 'code-server.log'), 'w');
      server = spawn(
        codeServer,
        [
          ...common,
          '--auth',
          'none',
          '--bind-addr',
          `127.0.0.1:${port}`,
          '--disable-telemetry',
          '--disable-update-check',
          '--disable-workspace-trust',
          dirs.workspace,
        ],
        { env: dirs.env, detached: true, stdio: ['ignore', serverLog, serverLog] },
      );
      process.once('exit', killOnExit);
      const base = `http://127.0.0.1:${port}`;
      await waitFor('code-server /healthz', async () => (await fetch(`${base}/healthz`)).ok, 30_000, 200);

      browser = await chromium.launch({
        executablePath: chromiumPath,
        env: dirs.env,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--disable-dev-shm-usage',
        ],
      });
      page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(`${base}/?folder=${encodeURIComponent(dirs.workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.getByRole('treeitem', { name: COLLAPSE }).first().waitFor({ timeout: 60_000 });
      await screenshot('workbench');
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await browser?.close().catch(() => undefined);
    await killGroup(server);
    if (serverLog !== undefined) closeSync(serverLog);
    process.removeListener('exit', killOnExit);
    dirs?.remove();
  });

  // ---- what a user sees ---------------------------------------------------------------------------

  it(
    'opens an .ouro file in the Ouro language mode',
    check('language-mode', async () => {
      await openFile(COLLAPSE);
      await waitFor('the status bar to show the Ouro language mode', async () =>
        ((await page.locator('#status\\.editor\\.mode').textContent()) ?? '').includes('Ouro'),
      );
    }),
  );

  it(
    'colours keywords and numbers differently',
    check('colouring', async () => {
      await openFile(COLLAPSE);
      const colours = await waitFor('keyword and number spans with their own colours', async () => {
        const c = await editor()
          .locator('.view-lines')
          .evaluate((lines) => {
            const spans = [...lines.querySelectorAll('.view-line span span')];
            const colour = (test) => {
              const s = spans.find((x) => test((x.textContent ?? '').trim()));
              return s ? getComputedStyle(s).color : null;
            };
            return {
              keyword: colour((t) => t === 'experiment'),
              number: colour((t) => t === '200'),
              comment: colour((t) => t.startsWith('//')),
              text: getComputedStyle(lines).color,
            };
          });
        return c.keyword && c.number && c.comment && c.keyword !== c.number ? c : false;
      });
      assert.notEqual(
        colours.keyword,
        colours.text,
        `the keyword has the plain text colour: ${JSON.stringify(colours)}`,
      );
      assert.notEqual(colours.number, colours.text, `the number has the plain text colour: ${JSON.stringify(colours)}`);
      assert.notEqual(colours.comment, colours.keyword);
    }),
  );

  it(
    'shows the model-collapse warning as a squiggle and in the Problems panel',
    check('problems', async () => {
      await openFile(COLLAPSE);
      await waitFor('a warning squiggle', () => editor().locator('.squiggly-warning').count(), 30_000);
      await page.keyboard.press('Control+Shift+M');
      const rows = page.locator('.markers-panel .monaco-list-row');
      const text = await waitFor('a Problems entry with the code model-collapse', async () => {
        const all = (await rows.allTextContents()).join('\n');
        return all.includes('model-collapse') ? all : false;
      });
      assert.match(text, /retrained on its own samples/);
      assert.match(text, /suboptimal-real-weight/);
      await screenshot('problems-panel');
      await runCommand('View: Hide Panel');
    }),
  );

  it(
    'shows hover documentation over `retrain`',
    check('hover', async () => {
      await openFile(COLLAPSE);
      const span = editor()
        .locator('.view-line span span')
        .filter({ hasText: /^\s*retrain\s*$/ })
        .first();
      await span.hover();
      const hover = page.locator('.monaco-hover:not(.hidden)').filter({ hasText: 'Refits a model' }).first();
      await hover.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match((await hover.textContent()) ?? '', /Refits a model every generation/);
    }),
  );

  it(
    'goes to the definition of `truth` with F12',
    check('definition', async () => {
      await openFile(COLLAPSE);
      const at = find(COLLAPSE, 'on truth');
      await goTo(at.line, at.column + 4);
      await page.keyboard.press('F12');
      await waitFor('the cursor on line 2', async () => /Ln 2\b/.test((await cursorPosition()) ?? ''));
      assert.match((await cursorPosition()) ?? '', /Ln 2, Col 6\b/);
    }),
  );

  it(
    'applies the quick fix "Set the real-data weight" on the suboptimal weight',
    check('quick-fix', async () => {
      await openFile(COLLAPSE);
      const at = find(COLLAPSE, 'weights real: 0.5');
      await goTo(at.line, at.column + 'weights real: '.length + 1);
      await page.keyboard.press('Control+.');
      const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Set the real-data weight' }).first();
      await fix.waitFor({ state: 'visible', timeout: 15_000 });
      // The preferred fix is focused; accept it as a keyboard user would.
      await waitFor('the fix to be focused', async () =>
        ((await page.locator('.action-widget .monaco-list-row.focused').textContent()) ?? '').includes(
          'Set the real-data weight',
        ),
      );
      await screenshot('quick-fix-menu');
      await page.keyboard.press('Enter');
      await waitFor('the weight line to use `golden`', async () =>
        (await visibleLines()).some((l) => /weights real: golden, synthetic: 1 - golden/.test(l)),
      );
    }),
  );

  it(
    'accepts the completion `seed` in an experiment body',
    check('completion', async () => {
      await openFile(GOLDEN);
      const at = find(GOLDEN, 'preview {');
      await goTo(at.line, at.column);
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await page.keyboard.type('se', { delay: 50 });
      await page.keyboard.press('Control+Space');
      const suggest = page.locator('.suggest-widget.visible');
      await suggest
        .locator('.monaco-list-row .label-name', { hasText: /^seed$/ })
        .first()
        .waitFor({ timeout: 15_000 });
      await page.keyboard.type('e', { delay: 50 });
      await waitFor(
        '`seed` to be the focused suggestion',
        async () =>
          ((await suggest.locator('.monaco-list-row.focused .label-name').textContent()) ?? '').trim() === 'seed',
      );
      await screenshot('completion-list');
      await page.keyboard.press('Enter');
      await waitFor('a line `seed 1`', async () => (await visibleLines()).some((l) => l.trim() === 'seed 1'));
    }),
  );

  it(
    'lists "Ouro: Restart Language Server" but no dead run commands, and restarts the server',
    check('commands', async () => {
      await openFile(COLLAPSE);
      const input = await quickInput('>Ouro:');
      const rows = page.locator('.quick-input-list .monaco-list-row');
      const titles = await waitFor('Ouro commands in the palette', async () => {
        const all = await rows.allTextContents();
        return all.some((t) => t.includes('Restart Language Server')) ? all : false;
      });
      assert.ok(!titles.some((t) => /Run Experiment|Run All|Show Results|Cancel Run/.test(t)), titles.join(' | '));
      await input.press('Escape');

      await runCommand('Ouro: Restart Language Server');
      await runCommand('Output: Show Output Channels...');
      const channel = page.locator('.quick-input-list .monaco-list-row', { hasText: /^Ouro$/ }).first();
      await channel.waitFor({ state: 'visible' });
      await channel.click();
      await waitFor('the Ouro output channel to log the restart', async () =>
        /Restarting the Ouro language server/.test(
          (await page.locator('.panel .view-lines').allTextContents()).join('\n').replace(/\u00a0/g, ' '),
        ),
      );
      // The restarted server publishes diagnostics again.
      await openFile(COLLAPSE);
      await waitFor(
        'a warning squiggle after the restart',
        () => editor().locator('.squiggly-warning').count(),
        30_000,
      );
    }),
  );
});
