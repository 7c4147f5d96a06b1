// Builds the extension into two self-contained CommonJS bundles and copies the grammar into the package:
//   dist/extension.js  the VS Code client (vscode is provided by the editor)
//   dist/server.js     the language server with @ouro/dsl, chevrotain and vscode-languageserver inlined
//   dist/worker-main.js the run worker (@ouro/runtime with TensorFlow.js), started by the server per run
//   dist/mnist.js      the `mnist` digits (30 MB), a bundle of their own that the worker loads only when a
//                      spec uses `images(mnist)`, so that starting a worker does not parse them
//   dist/*.wasm        tfjs-backend-wasm's binaries, which its Node build loads from beside the bundle (__dirname)
//   syntaxes/          copies of ../syntaxes (the TextMate grammar and the language configuration)
//   media/results.js   the results app (views/build.mjs) that the results panels load, and results.css
// `node esbuild.mjs --dev` adds source maps.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildResults } from '../views/build.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dev = process.argv.includes('--dev');

rmSync(join(here, 'dist'), { recursive: true, force: true });
rmSync(join(here, 'syntaxes'), { recursive: true, force: true });
rmSync(join(here, 'media'), { recursive: true, force: true });
mkdirSync(join(here, 'syntaxes'), { recursive: true });
for (const f of ['ouro.tmLanguage.json', 'language-configuration.json']) {
  cpSync(join(root, 'syntaxes', f), join(here, 'syntaxes', f));
}

/** Bundles the workspace packages from their TypeScript sources, so a stale `out/` never ships. */
const workspaceSources = {
  name: 'ouro-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@ouro\/dsl$/ }, () => ({ path: join(root, 'dsl', 'src', 'index.ts') }));
    b.onResolve({ filter: /^@ouro\/runtime$/ }, () => ({ path: join(root, 'runtime', 'src', 'index.ts') }));
    b.onResolve({ filter: /^@ouro\/runtime\/worker$/ }, () => ({ path: join(root, 'runtime', 'src', 'worker.ts') }));
    b.onResolve({ filter: /^@ouro\/views$/ }, () => ({ path: join(root, 'views', 'src', 'index.ts') }));
  },
};

// CommonJS has no import.meta: the bundles get it from their own file, so that `new URL('./worker-main.js',
// import.meta.url)` (runtime/src/worker.ts) finds the worker bundle beside the server bundle.
const importMetaUrl = {
  banner: { js: "const __ouro_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__ouro_import_meta_url' },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: dev,
  logLevel: 'warning',
  plugins: [workspaceSources],
};

// tfjs-backend-wasm's Node build looks for its binaries in its own directory, which is dist/ once bundled.
const wasmDir = dirname(createRequire(join(root, 'runtime', 'package.json')).resolve('@tensorflow/tfjs-backend-wasm'));
mkdirSync(join(here, 'dist'), { recursive: true });
for (const f of readdirSync(wasmDir).filter((n) => n.endsWith('.wasm')))
  cpSync(join(wasmDir, f), join(here, 'dist', f));

await Promise.all([
  buildResults(join(here, 'media'), { dev }),
  build({
    ...common,
    entryPoints: [join(here, 'src', 'extension.ts')],
    outfile: join(here, 'dist', 'extension.js'),
    external: ['vscode'],
  }),
  build({
    ...common,
    entryPoints: [join(root, 'server', 'src', 'lsp', 'main.ts')],
    outfile: join(here, 'dist', 'server.js'),
    ...importMetaUrl,
  }),
  build({
    ...common,
    entryPoints: [join(root, 'runtime', 'src', 'worker-main.ts')],
    outfile: join(here, 'dist', 'worker-main.js'),
    ...importMetaUrl,
    plugins: [
      workspaceSources,
      {
        name: 'mnist-beside',
        setup(b) {
          b.onResolve({ filter: /^mnist$/ }, () => ({ path: './mnist.js', external: true }));
        },
      },
    ],
  }),
  build({
    ...common,
    entryPoints: [createRequire(join(root, 'runtime', 'package.json')).resolve('mnist')],
    outfile: join(here, 'dist', 'mnist.js'),
  }),
]);
