// The packaged extension in a real VS Code: code-server 4.100.3 (VS Code 1.100.3) driven through Debian's
// chromium by playwright-core. Every check is something a user sees on screen. Screenshots go to
// test-output/e2e/. Recipe: /work/shared/notes/vscode-e2e.md.
/* global document, getComputedStyle -- used in page.evaluate() callbacks, which run in the browser */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { screenshots, startVsCode } from './code-server.mjs';
import { ensureOutputDir, sleep, waitFor } from './support.mjs';

const COLLAPSE = 'golden-ratio-collapse.ouro';
const GOLDEN = 'golden-ratio.ouro';

let vscode;
let dirs;
let page;
const out = ensureOutputDir();
const { screenshot, check } = screenshots('vscode', () => page);

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
      // This suite checks the editing features; runs (on save) are the results suite's, and one still running
      // would show the Cancel command in the palette.
      vscode = await startVsCode({
        files: [join('examples', 'unsafe', COLLAPSE), join('examples', GOLDEN)],
        settings: { 'ouro.runOnSave': false },
      });
      ({ page, dirs } = vscode);
      await screenshot('workbench');
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await vscode?.close();
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
    'lists the Ouro commands (run, results, restart; cancel only while a run is on), and restarts the server',
    check('commands', async () => {
      await openFile(COLLAPSE);
      const input = await quickInput('>Ouro:');
      const rows = page.locator('.quick-input-list .monaco-list-row');
      const titles = await waitFor('Ouro commands in the palette', async () => {
        const all = await rows.allTextContents();
        return all.some((t) => t.includes('Restart Language Server')) && all.some((t) => t.includes('Open Results'))
          ? all
          : false;
      });
      for (const title of ['Run Experiment (Preview Budget)', 'Run Experiment (Full Budget)', 'Open Results'])
        assert.ok(
          titles.some((t) => t.includes(title)),
          `${title} in ${titles.join(' | ')}`,
        );
      assert.ok(!titles.some((t) => t.includes('Cancel Runs')), titles.join(' | '));
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
