import type { Analysis } from '../semantics/analyze.js';
import { reservedNames } from '../semantics/evaluate.js';
import { keywordNames } from '../syntax/tokens.js';
import { identifierPattern, symbolAt, type SymbolHit } from './navigation.js';

/** The symbol a rename at `offset` would change, or why it cannot be renamed. */
export function prepareRename(a: Analysis, offset: number): SymbolHit | { error: string } {
  const hit = symbolAt(a, offset);
  if (!hit) return { error: 'nothing to rename here: place the cursor on a declared name' };
  if (hit.symbol.kind === 'enum') return { error: `\`${hit.symbol.name}\` is a sweep value; edit the sweep list` };
  return hit;
}

/** Why `name` cannot be a new name, or undefined when it can. */
export function invalidNewName(name: string): string | undefined {
  if (!identifierPattern.test(name))
    return `\`${name}\` is not a name: use letters, digits and _ and start with a letter`;
  if (keywordNames.includes(name)) return `\`${name}\` is a keyword`;
  if (reservedNames.has(name)) return `\`${name}\` is a built-in name`;
  return undefined;
}
