export * from './text/text-range.js';
export * from './diagnostics/codes.js';
export * from './diagnostics/diagnostic.js';
export type * from './syntax/ast.js';
export { parse, type ParseResult, MAX_NESTING } from './syntax/parse.js';
export { keywordNames } from './syntax/tokens.js';
export { format, formatRange, type FormatResult } from './format/format.js';
export {
  analyze,
  diagnose,
  type Diagnosis,
  type ExperimentCache,
  resolveUri,
  type Analysis,
  type AnalyzeOptions,
  type Host,
  type ImportInfo,
} from './semantics/analyze.js';
export type { Sym, SymbolKind, Reference, Value, ModelInfo } from './semantics/symbols.js';
export type { ExperimentInfo, MetricInfo, SweepInfo, ActionKind } from './semantics/experiment.js';
export type { Cost } from './semantics/cost.js';
export * as catalog from './catalog/catalog.js';
export { lower } from './ir/lower.js';
export type * from './ir/ir.js';
export { IR_VERSION } from './ir/ir.js';
export { hover, entryMarkdown, signatureOf, papers, type Hover } from './ide/hover.js';
export { complete, type CompletionItem, type Completions, type CompletionKind } from './ide/completion.js';
export { signatureHelp, type SignatureHelp } from './ide/signature.js';
export {
  documentSymbols,
  foldingRanges,
  selectionRanges,
  type OutlineItem,
  type OutlineKind,
  type FoldingRange,
} from './ide/structure.js';
export {
  semanticTokens,
  semanticTokenTypes,
  semanticTokenModifiers,
  type SemanticToken,
} from './ide/semantic-tokens.js';
export { inlayHints, type InlayHint } from './ide/inlay-hints.js';
export { prepareRename, invalidNewName } from './ide/rename.js';
export { symbolAt, symbolKey, occurrences, type SymbolHit, type Location } from './ide/navigation.js';
export { keywordDocs, builtinNameDocs } from './ide/keyword-docs.js';
export { listWords } from './semantics/suggest.js';
