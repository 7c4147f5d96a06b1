// Builds the extension into two self-contained CommonJS bundles and copies the grammar into the package:
//   dist/extension.js  the VS Code client (vscode is provided by the editor)
//   dist/server.js     the language server with @ouro/dsl, chevrotain and vscode-languageserver inlined
//   syntaxes/          copies of ../syntaxes (the TextMate grammar and the language configuration)
// `node esbuild.mjs --dev` adds source maps.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dev = process.argv.includes('--dev');

rmSync(join(here, 'dist'), { recursive: true, force: true });
rmSync(join(here, 'syntaxes'), { recursive: true, force: true });
mkdirSync(join(here, 'syntaxes'), { recursive: true });
for (const f of ['ouro.tmLanguage.json', 'language-configuration.json']) {
  cpSync(join(root, 'syntaxes', f), join(here, 'syntaxes', f));
}

/** Bundles the workspace packages from their TypeScript sources, so a stale `out/` never ships. */
const workspaceSources = {
  name: 'ouro-workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^@ouro\/dsl$/ }, () => ({ path: join(root, 'dsl', 'src', 'index.ts') }));
  },
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

await Promise.all([
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
  }),
]);
