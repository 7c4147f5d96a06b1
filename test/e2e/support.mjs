// Shared helpers of the real-editor tests: paths, scratch folders, polling, process groups.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Screenshots and logs (gitignored). */
export const outputDir = join(repoRoot, 'test-output', 'e2e');

export function ensureOutputDir() {
  mkdirSync(outputDir, { recursive: true });
  return outputDir;
}

/** A scratch folder with its own HOME and XDG folders, so the editors write nothing to the user's home. */
export function scratch(prefix) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dirs = { root };
  for (const name of ['home', 'config', 'data', 'cache', 'workspace']) {
    dirs[name] = join(root, name);
    mkdirSync(dirs[name], { recursive: true });
  }
  dirs.env = {
    ...process.env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: dirs.config,
    XDG_DATA_HOME: dirs.data,
    XDG_CACHE_HOME: dirs.cache,
    // The intended Node first: code-server's bin starts with `#!/usr/bin/env node`.
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
  };
  dirs.remove = () => rmSync(root, { recursive: true, force: true });
  return dirs;
}

/** Fails with the Debian package to install when a required program is missing. */
export function requireProgram(path, aptPackage) {
  const found = path.includes('/') ? existsSync(path) : spawnSync('sh', ['-c', `command -v ${path}`]).status === 0;
  if (!found) {
    throw new Error(
      `${path} is missing: install it with \`apt-get install -y ${aptPackage}\` ` +
        '(or skip the real-editor tests explicitly with OURO_SKIP_E2E=1).',
    );
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value; fails with `what` and the last value seen. */
export async function waitFor(what, probe, timeoutMs = 20_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    }
    await sleep(intervalMs);
  }
}

/** Signals a whole process group (a detached child is its group's leader) and waits for the leader to exit. */
export async function killGroup(child, graceMs = 5_000) {
  if (!child || child.pid === undefined) return;
  const signal = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // The group is gone already.
    }
  };
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => child.once('exit', resolve));
  signal('SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout');
  if ((await Promise.race([exited, timer])) === 'timeout') signal('SIGKILL');
  // Children that outlive the leader (code-server's file watcher) are in the same group.
  await sleep(200);
  signal('SIGKILL');
}
