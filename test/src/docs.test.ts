// docs/language.md is the language reference: every ```ouro block in it is checked here, so the examples
// cannot rot. A block preceded by `<!-- expect: code1, code2 -->` must produce exactly those diagnostic codes
// (as a set; unused-declaration, missing-seed and costly-without-preview are ignored unless listed); any other
// block must produce no error. `<!-- file: name.ouro -->` names a block so that other blocks can `use` it.
// The doc must also name every diagnostic code, catalog entry and keyword, and its generated reference
// section must match the catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCodes, analyze, catalog, keywordNames, type Host } from '@ouro/dsl';

// The compiled test lives in test/out/, so the repository root is two levels up.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const docPath = join(root, 'docs', 'language.md');
const doc = readFileSync(docPath, 'utf8');

/** Warnings most examples trigger on purpose (short snippets); ignored unless a block expects them. */
const incidental = new Set<string>(['unused-declaration', 'missing-seed', 'costly-without-preview']);

interface Block {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly text: string;
  readonly expect: readonly string[] | undefined;
  readonly file: string | undefined;
}

/** The ```ouro blocks of a Markdown text, with the `<!-- key: value -->` comments on the lines just above. */
function ouroBlocks(markdown: string): Block[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const lang = open[2]!;
    let j = i + 1;
    const closing = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (j < lines.length && !closing.test(lines[j]!)) j++;
    if (lang === 'ouro') {
      let expect: string[] | undefined;
      let file: string | undefined;
      for (let k = i - 1; k >= 0; k--) {
        const l = lines[k]!.trim();
        if (l === '') continue;
        const c = /^<!--\s*([a-z]+):\s*(.*?)\s*-->$/.exec(l);
        if (!c) break;
        if (c[1] === 'expect')
          expect = c[2]!
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== '');
        else if (c[1] === 'file') file = c[2];
      }
      blocks.push({ line: i + 1, text: lines.slice(i + 1, j).join('\n') + '\n', expect, file });
    }
    i = j;
  }
  return blocks;
}

const blocks = ouroBlocks(doc);
const named = new Map(blocks.filter((b) => b.file).map((b) => [`/docs/${b.file}`, b.text]));
const host: Host = { read: (uri) => named.get(uri) };

test('docs/language.md has ouro examples', () => {
  assert.ok(blocks.length >= 50, `only ${blocks.length} ouro blocks found`);
});

test('every ouro block in docs/language.md checks as annotated', async (t) => {
  for (const b of blocks) {
    const label = `line ${b.line}${b.expect ? ` (expect ${b.expect.join(', ') || 'nothing'})` : ''}`;
    await t.test(label, () => {
      const uri = `/docs/${b.file ?? `block-${b.line}.ouro`}`;
      const a = analyze(b.text, { uri, host });
      const show = a.diagnostics.map((d) => `  ${d.severity} ${d.code}: ${d.message}`).join('\n');
      if (b.expect) {
        for (const c of b.expect)
          assert.ok((allCodes as readonly string[]).includes(c), `unknown code \`${c}\` in expect`);
        const wanted = new Set(b.expect);
        const got = new Set(a.diagnostics.map((d) => d.code).filter((c) => wanted.has(c) || !incidental.has(c)));
        assert.deepEqual([...got].sort(), [...wanted].sort(), `block at line ${b.line}:\n${b.text}\n${show}`);
      } else {
        const errors = a.diagnostics.filter((d) => d.severity === 'error');
        assert.equal(errors.length, 0, `block at line ${b.line} should be valid:\n${b.text}\n${show}`);
      }
    });
  }
});

test('docs/language.md documents every diagnostic code, each with a triggering example', () => {
  const expected = new Set(blocks.flatMap((b) => b.expect ?? []));
  for (const code of allCodes) {
    assert.ok(doc.includes(`\`${code}\``), `\`${code}\` is not documented`);
    assert.ok(expected.has(code), `no ouro block is annotated <!-- expect: ${code} -->`);
  }
});

test('docs/language.md names every catalog entry, constant and math function', () => {
  const names = [
    ...catalog.allEntries.map((e) => e.name),
    ...catalog.constants.map((c) => c.name),
    ...catalog.mathFunctions.map((f) => f.name),
  ];
  for (const name of names) assert.ok(doc.includes(`\`${name}`), `\`${name}\` is not in docs/language.md`);
});

test('docs/language.md lists exactly the keywords of the lexer', () => {
  const m = /These words are keywords:\s*```text\n([\s\S]*?)```/.exec(doc);
  assert.ok(m, 'the keyword list (a text block after "These words are keywords:") is missing');
  const listed = m[1]!.split(/\s+/).filter((w) => w !== '');
  assert.deepEqual([...listed].sort(), [...keywordNames].sort());
});

test('the generated reference in docs/language.md matches the catalog', () => {
  const r = spawnSync(process.execPath, [join(root, 'docs', 'gen-reference.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});
