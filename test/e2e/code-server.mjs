// Starts the packaged extension in a real VS Code for a test file: code-server 4.100.3 (installed into a cache
// outside the repository) in a scratch folder with its own HOME, the .vsix installed, Debian's chromium driven
// by playwright-core on the workbench. Recipe: /work/shared/notes/vscode-e2e.md.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath, headlessArgs } from '../../scripts/chromium.mjs';
import { killGroup, outputDir, repoRoot, requireProgram, scratch, waitFor } from './support.mjs';

export const manifest = JSON.parse(readFileSync(join(repoRoot, 'client', 'package.json'), 'utf8'));
export const vsix = join(repoRoot, 'client', `${manifest.name}-${manifest.version}.vsix`);
export const extensionId = `${manifest.publisher}.${manifest.name}`;

/** User settings that keep the UI quiet and predictable. */
export const quietSettings = {
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
export function codeServerBinary() {
  if (process.env.OURO_CODE_SERVER) return process.env.OURO_CODE_SERVER;
  const stdout = execFileSync('bash', [join(repoRoot, 'scripts', 'install-code-server.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return stdout.trim().split('\n').at(-1);
}

/**
 * Starts code-server on a scratch workspace holding copies of `files` (repository paths), with the .vsix
 * installed and `settings` over the quiet ones, and opens the workbench in chromium. `log` names the
 * code-server log in test-output/e2e/. Returns { page, dirs, workspace, close }.
 */
export async function startVsCode({ files, settings = {}, log = 'code-server.log', viewport } = {}) {
  requireProgram(chromiumPath, 'chromium');
  assert.ok(existsSync(vsix), `${vsix} is missing: run \`npm run package\` first (\`npm run test:e2e\` does)`);
  const codeServer = codeServerBinary();
  requireProgram(codeServer, '(run scripts/install-code-server.sh)');

  const dirs = scratch('ouro-e2e-vscode-');
  let server;
  let serverLog;
  let browser;
  const killOnExit = () => {
    if (server?.pid !== undefined) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await killGroup(server);
    if (serverLog !== undefined) closeSync(serverLog);
    process.removeListener('exit', killOnExit);
    dirs.remove();
  };
  try {
    const userData = join(dirs.root, 'user-data');
    const extensions = join(dirs.root, 'extensions');
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...settings }, null, 2));
    for (const f of files) copyFileSync(join(repoRoot, f), join(dirs.workspace, basename(f)));

    const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
    const installed = execFileSync(codeServer, [...common, '--install-extension', vsix], {
      env: dirs.env,
      encoding: 'utf8',
    });
    assert.match(installed, /successfully installed/, installed);
    assert.ok(existsSync(join(extensions, `${extensionId}-${manifest.version}`, 'dist', 'server.js')));

    const port = await freePort();
    mkdirSync(outputDir, { recursive: true });
    serverLog = openSync(join(outputDir, log), 'w');
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
      args: [...headlessArgs, '--disable-quic', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: viewport ?? { width: 1400, height: 1000 } });
    await page.goto(`${base}/?folder=${encodeURIComponent(dirs.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page
      .getByRole('treeitem', { name: basename(files[0]) })
      .first()
      .waitFor({ timeout: 60_000 });
    return { page, dirs, workspace: dirs.workspace, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Screenshots of the page that `page()` returns, to test-output/e2e/PREFIX-NN-NAME.png, and `check(name, fn)`:
 * a test body that takes a screenshot after `fn`, whether it passed or failed.
 */
export function screenshots(prefix, page) {
  let shot = 0;
  const screenshot = async (name) => {
    const p = page();
    if (!p) return;
    shot += 1;
    const path = join(outputDir, `${prefix}-${String(shot).padStart(2, '0')}-${name}.png`);
    await p.screenshot({ path }).catch(() => undefined);
  };
  const check = (name, fn) => async () => {
    try {
      await fn();
    } finally {
      await screenshot(name);
    }
  };
  return { screenshot, check };
}
