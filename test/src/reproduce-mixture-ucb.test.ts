// The mixture-ucb findings at the ci budget (test/src/reproduce/mixture-ucb.ts; `npm run reproduce` runs the full one).
import { test } from 'node:test';
import { reproduce } from './reproduce/mixture-ucb.js';
import { assertReproduces } from './reproduce/spec.js';

test('mixture-ucb: every finding reproduces at the ci budget', (t) =>
  assertReproduces((m) => t.diagnostic(m), reproduce, 'mixture-ucb'));
