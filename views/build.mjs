// Bundles the results app (src/app/main.ts) into one IIFE script and one style sheet for browsers:
//   dist/results.js, dist/results.css — no imports left, no network, no eval (Vega's expression
//   interpreter), so it runs in a webview under `default-src 'none'` and inlined in report.html.
// `node views/build.mjs` writes views/dist/; client/esbuild.mjs calls buildResults() for media/dist/.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds the app into `outdir` (results.js and results.css). */
export async function buildResults(outdir = join(here, 'dist'), { dev = false } = {}) {
  await build({
    entryPoints: { results: join(here, 'src', 'app', 'main.ts') },
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome120'],
    minify: !dev,
    sourcemap: dev ? 'inline' : false,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildResults(undefined, { dev: process.argv.includes('--dev') });
}
