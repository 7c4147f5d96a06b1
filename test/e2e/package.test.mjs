// The packaged extension (.vsix built by `npm run package`): what goes in, and the manifest invariants the
// editors rely on. Runs before the editor tests in `npm run test:e2e`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './support.mjs';

const clientDir = join(repoRoot, 'client');
const manifest = JSON.parse(readFileSync(join(clientDir, 'package.json'), 'utf8'));
const vsix = join(clientDir, `${manifest.name}-${manifest.version}.vsix`);

/** The entries of the .vsix (a zip), read with Python's zipfile. */
function entries() {
  const script = 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))';
  return execFileSync('python3', ['-c', script, vsix], { encoding: 'utf8' }).trim().split('\n').sort();
}

test('the .vsix holds only the bundles, the wasm binaries, the results app, the grammar, the icon and the docs', () => {
  assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\``);
  assert.deepEqual(entries(), [
    '[Content_Types].xml',
    'extension.vsixmanifest',
    'extension/LICENSE.txt',
    'extension/changelog.md',
    'extension/dist/extension.js',
    'extension/dist/mnist.js',
    'extension/dist/server.js',
    'extension/dist/tfjs-backend-wasm-simd.wasm',
    'extension/dist/tfjs-backend-wasm-threaded-simd.wasm',
    'extension/dist/tfjs-backend-wasm.wasm',
    'extension/dist/worker-main.js',
    'extension/images/ouro-file.svg',
    'extension/media/results.css',
    'extension/media/results.js',
    'extension/package.json',
    'extension/readme.md',
    'extension/syntaxes/language-configuration.json',
    'extension/syntaxes/ouro.tmLanguage.json',
  ]);
});

test('the bundles are self-contained CommonJS: only Node built-ins (and vscode) are required', () => {
  const builtins = new Set(
    ['child_process', 'crypto', 'fs', 'net', 'os', 'path', 'readline', 'url', 'util', 'events', 'stream'].flatMap(
      (m) => [m, `node:${m}`],
    ),
  );
  for (const [file, allowed] of [
    ['extension.js', new Set([...builtins, 'vscode'])],
    ['server.js', new Set([...builtins, 'worker_threads', 'node:worker_threads'])],
    // The run worker: TensorFlow.js and its Node platform (node-fetch asks for the optional `encoding` in a try),
    // and the mnist digits bundled on their own beside it.
    [
      'worker-main.js',
      new Set(
        [...builtins, 'worker_threads', 'module', 'perf_hooks', 'http', 'https', 'zlib', 'punycode', 'string_decoder']
          .flatMap((m) => [m, `node:${m}`])
          .concat('encoding', './mnist.js'),
      ),
    ],
  ]) {
    const code = readFileSync(join(clientDir, 'dist', file), 'utf8');
    assert.doesNotMatch(code, /^\s*(import|export)\s/m, `${file} is not CommonJS`);
    const required = [...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
    assert.deepEqual(
      required.filter((r) => !allowed.has(r)),
      [],
      `${file} requires modules it does not bundle`,
    );
  }
  const server = readFileSync(join(clientDir, 'dist', 'server.js'), 'utf8');
  assert.match(server, /^startServer\(\);$/m, 'the server bundle starts the server');
  assert.match(server, /chevrotain|CstParser/, 'the server bundle includes the parser');
});

test('the manifest: CommonJS, VS Code 1.100, limited trust, workspace extension, no dead commands', () => {
  assert.equal(manifest.type, undefined, 'a "type": "module" would make dist/extension.js an ES module');
  assert.equal(manifest.engines.vscode, '^1.100.0');
  assert.equal(manifest.main, './dist/extension.js');
  assert.deepEqual(manifest.extensionKind, ['workspace']);
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.ok(manifest.publisher && manifest.license && manifest.repository);

  const [language] = manifest.contributes.languages;
  assert.equal(language.id, 'ouro');
  assert.deepEqual(language.extensions, ['.ouro']);
  assert.equal(manifest.contributes.grammars[0].scopeName, 'source.ouro');

  // The run commands (also the language server's code lenses) are enabled once the server has started, and
  // every declared command is registered by the extension bundle.
  const commands = new Map(manifest.contributes.commands.map((c) => [c.command, c]));
  assert.equal(commands.get('ouro.restartServer')?.enablement, undefined);
  const palette = new Map(manifest.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
  for (const id of ['ouro.runExperiment', 'ouro.runExperimentFull', 'ouro.openResults', 'ouro.cancel']) {
    assert.match(commands.get(id)?.enablement ?? '', /ouro\.runtimeAvailable/, id);
    assert.match(palette.get(id) ?? '', /ouro\.runtimeAvailable/, id);
  }
  const extension = readFileSync(join(clientDir, 'dist', 'extension.js'), 'utf8');
  for (const id of commands.keys()) assert.ok(extension.includes(`"${id}"`), `${id} is declared but not registered`);
  assert.ok(manifest.activationEvents.includes('onWebviewPanel:ouro.results'), 'results panels come back on reload');
  const settings = manifest.contributes.configuration.properties;
  assert.equal(settings['ouro.runOnSave'].default, true);
  assert.equal(settings['ouro.openResultsOnRun'].default, true);
  // Nothing from an untrusted workspace decides what runs.
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, [
    'ouro.runOnSave',
    'ouro.backend',
  ]);
  assert.deepEqual(settings['ouro.backend'].enum, ['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']);
});
