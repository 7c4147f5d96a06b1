// The fractal paper's finding (fractal.md) reproduced by examples/fractal.ouro at the `ci` budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reproduce } from './reproduce/fractal.js';

test('fractal.md: the fractal model matches or beats flat AR and is far better than independent pixels', async () => {
  const findings = await reproduce('ci');
  assert.equal(findings.length, 2);
  for (const f of findings) assert.ok(f.pass, `${f.claim}\n  measured: ${f.measured}\n  expected: ${f.expected}`);
});
