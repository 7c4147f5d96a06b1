// `npm run test:e2e`: packages the extension (.vsix), then runs the real-editor tests in test/e2e/ — VS Code
// (code-server, installed into a cache outside the repository by scripts/install-code-server.sh) and Neovim.
// They run in CI and in `npm test`; OURO_SKIP_E2E=1 skips them, and only that does.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

if (process.env.OURO_SKIP_E2E === '1') {
  console.log('test:e2e: skipped because OURO_SKIP_E2E=1 (the real-editor tests did NOT run)');
  process.exit(0);
}

const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

let status = run('npm', ['run', 'package']);
const packaged = Date.now();
if (status === 0) {
  status = run(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', 'test/e2e/']);
}
const done = Date.now();
console.log(
  `test:e2e: ${status === 0 ? 'passed' : 'FAILED'} in ${seconds(done - started)} ` +
    `(package ${seconds(packaged - started)}, editors ${seconds(done - packaged)}); screenshots in test-output/e2e/`,
);
process.exit(status);
