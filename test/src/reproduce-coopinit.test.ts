// The CoopInit findings at the ci budget (test/src/reproduce/coopinit.ts; `npm run reproduce` runs the full one).
// Marked todo, not skipped: it runs and reports every finding, and fails as a todo, because CoopInit's claim
// does not reproduce on this machine's budgets (examples/README.md, CoopInit, says what was measured and why).
import { test } from 'node:test';
import { reproduce } from './reproduce/coopinit.js';
import { assertReproduces } from './reproduce/spec.js';

test(
  'coopinit: every finding reproduces at the ci budget',
  { todo: 'neither arm converges at budgets this machine can run (examples/README.md, CoopInit)' },
  (t) => assertReproduces((m) => t.diagnostic(m), reproduce, 'coopinit'),
);
