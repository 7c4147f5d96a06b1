/**
 * `npm run reproduce`: runs every finding module in this folder (each exporting `reproduce`) at the `full`
 * budget and prints, per paper, the measured figures beside the expected ones with a verdict. Exits 1 when
 * any finding fails or a module throws. `npm run reproduce -- golden-ratio mixture-ucb` runs only those
 * modules.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Finding, Reproduce, ReproduceBudget } from './finding.js';

const here = fileURLToPath(new URL('.', import.meta.url));

async function main(argv: readonly string[]): Promise<number> {
  const budget: ReproduceBudget = argv.includes('--ci') ? 'ci' : 'full';
  const only = argv.filter((a) => !a.startsWith('--'));
  const modules = readdirSync(here)
    .filter((f) => f.endsWith('.js') && f !== 'main.js' && f !== 'finding.js')
    .map((f) => f.slice(0, -'.js'.length))
    .filter((name) => only.length === 0 || only.includes(name))
    .sort();
  let failed = 0;
  let passed = 0;
  for (const name of modules) {
    const mod = (await import(pathToFileURL(`${here}${name}.js`).href)) as { reproduce?: Reproduce };
    if (typeof mod.reproduce !== 'function') continue; // a helper module
    const started = Date.now();
    let findings: readonly Finding[];
    try {
      findings = await mod.reproduce(budget);
    } catch (e) {
      failed++;
      console.log(`\n== ${name}: ERROR\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      continue;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const byPaper = new Map<string, Finding[]>();
    for (const f of findings) byPaper.set(f.paper, [...(byPaper.get(f.paper) ?? []), f]);
    for (const [paper, fs] of byPaper) {
      const ok = fs.every((f) => f.pass);
      console.log(`\n== ${paper} (${name}.ts, ${budget} budget, ${seconds} s): ${ok ? 'PASS' : 'FAIL'}`);
      for (const f of fs) {
        console.log(`${f.pass ? 'PASS' : 'FAIL'}  ${f.claim}`);
        console.log(`      measured: ${f.measured}`);
        console.log(`      expected: ${f.expected}`);
        if (f.pass) passed++;
        else failed++;
      }
    }
  }
  console.log(`\n${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
