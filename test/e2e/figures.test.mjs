// `npm run figures` (scripts/figures.mjs) at the preview budget, for one example into a scratch folder: it
// names every figure after the example, experiment and view statement, and each is a real plot — a PNG of
// the report's 2× export of a 720 px plot, decoded by chromium, with pixels other than the background.
/* global document, Image -- used in page callbacks */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath, headlessArgs } from '../../scripts/chromium.mjs';
import { repoRoot, requireProgram, scratch } from './support.mjs';

let dirs;
let browser;

before(async () => {
  requireProgram(chromiumPath, 'chromium');
  dirs = scratch('ouro-figures-');
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

/** Size and the share of pixels that differ from the top-left (background) pixel, decoded by chromium. */
async function decode(bytes) {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      let differ = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) differ++;
      }
      return {
        width: canvas.width,
        height: canvas.height,
        background: [...d.subarray(0, 4)],
        inked: differ / (d.length / 4),
      };
    }, bytes.toString('base64'));
  } finally {
    await page.close();
  }
}

it('figures --preview: one PNG per view statement, each a plot on the light background', async () => {
  const out = join(dirs.root, 'figures');
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'scripts', 'figures.mjs'), '--preview', '--out', out, 'coevolving'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
      env: dirs.env,
    },
  );
  assert.equal(r.status, 0, `figures failed:\n${r.stderr}${r.stdout}`);
  const expected = ['coevolving-coevolution-diversity-over-t.png', 'coevolving-coevolution-spread-over-t.png'];
  assert.deepEqual(readdirSync(out).sort(), expected);
  for (const name of expected) assert.match(r.stdout, new RegExp(`wrote .*${name} \\(1440×\\d+ px`));
  for (const name of expected) {
    const bytes = readFileSync(join(out, name));
    assert.deepEqual(
      [...bytes.subarray(0, 8)],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      `${name}: PNG signature`,
    );
    assert.ok(bytes.length > 20_000, `${name}: ${bytes.length} bytes is a real plot, not an empty frame`);
    const img = await decode(bytes);
    // The report's export draws at 2×: 720 CSS px plus nothing wider for a plot with no side legend.
    assert.equal(img.width, 1440, `${name}: width`);
    assert.ok(img.height > 300, `${name}: height ${img.height}`);
    assert.deepEqual(img.background, [255, 255, 255, 255], `${name}: the light theme's opaque white background`);
    // Lines, bands, axes and text: well over 1% of the pixels, well under all of them.
    assert.ok(img.inked > 0.01 && img.inked < 0.9, `${name}: ${(img.inked * 100).toFixed(1)}% of pixels drawn`);
  }
});
