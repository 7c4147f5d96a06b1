import type { TextRange } from '../text/text-range.js';
import type { CatalogEntry, ModelFamily } from '../catalog/catalog.js';
import type * as A from '../syntax/ast.js';

export type SymbolKind =
  'data' | 'const' | 'module' | 'experiment' | 'model' | 'generators' | 'sweep' | 'enum' | 'metric' | 'param';

/** A declared name. `uri` is the file that declares it. */
export interface Sym {
  readonly id: number;
  readonly name: string;
  readonly kind: SymbolKind;
  readonly uri: string;
  readonly nameRange: TextRange;
  readonly declRange: TextRange;
  /** The experiment that declares it (models, sweeps, metrics, enum values). */
  readonly experiment?: string;
  /** A one-line description of its type, for hover and inlay hints (e.g. `data gaussian, dim 1`). */
  detail: string;
  value: Value;
  used: boolean;
}

export interface Reference {
  readonly uri: string;
  readonly range: TextRange;
  readonly symbol: Sym;
}

/** What a static evaluation of an expression yields. */
export type Value =
  | { readonly t: 'num'; readonly v: number }
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'list'; readonly items: readonly Value[] }
  | { readonly t: 'range'; readonly from: number; readonly to: number; readonly step: number }
  | { readonly t: 'enum'; readonly name: string }
  | { readonly t: 'word'; readonly name: string }
  | CallValue
  | { readonly t: 'model'; readonly sym: Sym }
  | { readonly t: 'generators'; readonly sym: Sym; readonly items: readonly Value[] }
  | { readonly t: 'split'; readonly data: CallValue; readonly split: 'train' | 'test' }
  | { readonly t: 'member'; readonly of: Value; readonly member: string; readonly dim: number | undefined }
  | { readonly t: 'selected' }
  /** Depends on a sweep variable or the generation index: known only at run time. */
  | { readonly t: 'dynamic' }
  | { readonly t: 'unknown' };

export interface CallValue {
  readonly t: 'call';
  readonly entry: CatalogEntry;
  readonly args: Readonly<Record<string, Value>>;
  readonly range: TextRange;
  /** Set when the call came through a user module. */
  readonly module?: string;
}

export const unknown: Value = { t: 'unknown' };
export const dynamic: Value = { t: 'dynamic' };

/** What the checker inferred about a declared model. */
export interface ModelInfo {
  readonly sym: Sym;
  readonly stmt: A.ModelStmt;
  readonly kind: string;
  readonly families: readonly ModelFamily[];
  /** Output dimension of a sample, when known. */
  dim: number | undefined;
  /** Input dimension (discriminators). */
  inDim: number | undefined;
  /** Number of classes (categorical models). */
  classes: number | undefined;
  /** For a conditional model: the model it is conditioned on. */
  given: Sym | undefined;
  /** Levels of a fractal (token counts), and its pixel head's levels. */
  fractal?: {
    readonly tokens: readonly number[];
    readonly widths: readonly number[];
    readonly depths: readonly number[];
    readonly head: number | undefined;
  };
  /** The model's call value (undefined for the fractal block form). */
  readonly call: CallValue | undefined;
  /** Data given with `on`, if any. */
  readonly on: Value | undefined;
  params: number | undefined;
}
