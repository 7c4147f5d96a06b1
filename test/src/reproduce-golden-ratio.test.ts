// The golden-ratio findings at the ci budget (test/src/reproduce/golden-ratio.ts; `npm run reproduce` runs the full one).
import { test } from 'node:test';
import { reproduce } from './reproduce/golden-ratio.js';
import { assertReproduces } from './reproduce/spec.js';

test('golden-ratio: every finding reproduces at the ci budget', (t) =>
  assertReproduces((m) => t.diagnostic(m), reproduce, 'golden-ratio'));
