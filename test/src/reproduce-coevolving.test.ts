// The coevolving findings at the ci budget (test/src/reproduce/coevolving.ts; `npm run reproduce` runs the full one).
import { test } from 'node:test';
import { reproduce } from './reproduce/coevolving.js';
import { assertReproduces } from './reproduce/spec.js';

test('coevolving: every finding reproduces at the ci budget', (t) =>
  assertReproduces((m) => t.diagnostic(m), reproduce, 'coevolving'));
