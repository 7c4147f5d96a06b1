// Neovim's built-in LSP client (Debian's nvim 0.7) against `node server/bin/ouro.js lsp --stdio`: the
// diagnostics it shows on an unsafe example must be exactly the ones annotated inline in that example, and a
// hover over `retrain` must show its documentation. A second editor keeps the server honest about LSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureOutputDir, repoRoot, requireProgram, scratch } from './support.mjs';

/** The diagnostics annotated under the offending text: `//   ^^^ warning[code]: message`. */
function annotated(text) {
  const out = [];
  let target = 0; // the 1-based number of the last line that is not an annotation
  text.split('\n').forEach((l, i) => {
    const m = /^\/\/\s*\^+ (error|warning|info|hint)\[([a-z-]+)\]/.exec(l);
    if (m) out.push(`DIAG ${target}:${l.indexOf('^') + 1} ${m[1]} ${m[2]}`);
    else target = i + 1;
  });
  return out;
}

test('Neovim 0.7 shows the annotated diagnostics and a hover from the Ouro language server', () => {
  requireProgram('nvim', 'neovim');
  const dirs = scratch('ouro-e2e-nvim-');
  try {
    const file = join(dirs.workspace, 'golden-ratio-collapse.ouro');
    copyFileSync(join(repoRoot, 'examples', 'unsafe', 'golden-ratio-collapse.ouro'), file);
    const outFile = join(dirs.root, 'nvim-out.txt');
    const started = Date.now();
    const r = spawnSync(
      'nvim',
      ['--headless', '--clean', '-u', join(repoRoot, 'test', 'e2e', 'neovim-check.lua'), file],
      {
        cwd: dirs.workspace,
        env: {
          ...dirs.env,
          OURO_NVIM_OUT: outFile,
          OURO_NODE: process.execPath,
          OURO_SERVER: join(repoRoot, 'server', 'bin', 'ouro.js'),
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    const seen = (() => {
      try {
        return readFileSync(outFile, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    })();
    writeFileSync(join(ensureOutputDir(), 'neovim.txt'), seen.join('\n') + '\n');
    assert.equal(
      r.status,
      0,
      `nvim exited with ${r.status} ${r.signal ?? ''}\n${seen.join('\n')}\n${r.stdout}\n${r.stderr}`,
    );
    assert.ok(Date.now() - started < 60_000);

    assert.deepEqual(seen[0], 'FILETYPE ouro');
    const expected = annotated(readFileSync(file, 'utf8'));
    assert.ok(
      expected.some((d) => d.endsWith(' model-collapse')),
      'the example annotates a model-collapse warning',
    );
    assert.deepEqual(
      seen.filter((l) => l.startsWith('DIAG ')),
      expected,
    );
    const hover = seen.find((l) => l.startsWith('HOVER '));
    assert.ok(hover, seen.join('\n'));
    assert.match(hover, /^HOVER 9:3 \*\*retrain\*\* — Refits a model every generation/);
  } finally {
    dirs.remove();
  }
});
