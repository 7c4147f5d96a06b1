export * from './text/text-range.js';
export * from './diagnostics/codes.js';
export * from './diagnostics/diagnostic.js';
export type * from './syntax/ast.js';
export { parse, type ParseResult, MAX_NESTING } from './syntax/parse.js';
export { keywordNames } from './syntax/tokens.js';
