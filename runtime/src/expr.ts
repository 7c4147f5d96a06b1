import type { IrExpr, IrValue } from '@ouro/dsl';
import { RuntimeError } from './errors.js';

/** A sweep value or the generation index. */
export type Scalar = number | string | boolean;

/** Values of the sweep variables at one sweep point, plus `t`. */
export type Env = ReadonlyMap<string, Scalar>;

/** w_opt = (−c + √(c² + 4c)) / 2 with c = n/m (golden-ratio.md); the same formula as the catalog's. */
export function optimalRealWeight(n: number, m: number): number {
  const c = n / m;
  return (-c + Math.sqrt(c * c + 4 * c)) / 2;
}

const functions: Readonly<Record<string, (...xs: number[]) => number>> = {
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  abs: Math.abs,
  floor: Math.floor,
  ceil: Math.ceil,
  min: Math.min,
  max: Math.max,
  optimal_weight: optimalRealWeight,
};

/** Evaluates a dynamic expression of sweep variables and `t`. */
export function evalExpr(e: IrExpr, env: Env, nodeId: string): Scalar {
  const num = (x: IrExpr): number => {
    const v = evalExpr(x, env, nodeId);
    if (typeof v !== 'number')
      throw new RuntimeError('invalid', nodeId, `expected a number, got ${JSON.stringify(v)} in an expression`);
    return v;
  };
  const bool = (x: IrExpr): boolean => {
    const v = evalExpr(x, env, nodeId);
    if (typeof v !== 'boolean')
      throw new RuntimeError('invalid', nodeId, `expected true or false, got ${JSON.stringify(v)} in an expression`);
    return v;
  };
  switch (e.op) {
    case 'num':
    case 'bool':
    case 'sym':
      return e.value;
    case 'var': {
      const v = env.get(e.name);
      if (v === undefined)
        throw new RuntimeError('invalid', nodeId, `\`${e.name}\` has no value here (not a sweep variable nor \`t\`)`);
      return v;
    }
    case 'neg':
      return -num(e.a);
    case 'not':
      return !bool(e.a);
    case 'bin': {
      switch (e.fn) {
        case '+':
          return num(e.a) + num(e.b);
        case '-':
          return num(e.a) - num(e.b);
        case '*':
          return num(e.a) * num(e.b);
        case '/':
          return num(e.a) / num(e.b);
        case '%':
          return num(e.a) % num(e.b);
        case '^':
          return num(e.a) ** num(e.b);
        case '<':
          return num(e.a) < num(e.b);
        case '>':
          return num(e.a) > num(e.b);
        case '<=':
          return num(e.a) <= num(e.b);
        case '>=':
          return num(e.a) >= num(e.b);
        case '==':
          return evalExpr(e.a, env, nodeId) === evalExpr(e.b, env, nodeId);
        case '!=':
          return evalExpr(e.a, env, nodeId) !== evalExpr(e.b, env, nodeId);
        case 'and':
          return bool(e.a) && bool(e.b);
        case 'or':
          return bool(e.a) || bool(e.b);
        default:
          throw new RuntimeError('invalid', nodeId, `unknown operator \`${e.fn}\``);
      }
    }
    case 'call': {
      const f = functions[e.fn];
      if (!f)
        throw new RuntimeError('unsupported', nodeId, `the function \`${e.fn}\` is not supported by this runtime yet`);
      return f(...e.args.map(num));
    }
    case 'if':
      return bool(e.cond) ? evalExpr(e.then, env, nodeId) : evalExpr(e.else, env, nodeId);
  }
}

/** Evaluates a value that must be a scalar: a literal, or an expression of sweep variables and `t`. */
export function evalScalar(v: IrValue, env: Env, nodeId: string): Scalar {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v && typeof v === 'object' && !Array.isArray(v) && 'expr' in v) return evalExpr(v.expr, env, nodeId);
  throw new RuntimeError('invalid', nodeId, `expected a number here, got ${JSON.stringify(v)}`);
}

export function evalNumber(v: IrValue, env: Env, nodeId: string, what: string): number {
  const x = evalScalar(v, env, nodeId);
  if (typeof x !== 'number' || Number.isNaN(x))
    throw new RuntimeError('invalid', nodeId, `${what} is ${JSON.stringify(x)}${describeEnv(env)}; expected a number`);
  return x;
}

/** A whole number of samples, at least `min`. */
export function evalCount(v: IrValue, env: Env, nodeId: string, what: string, min = 1): number {
  const x = evalNumber(v, env, nodeId, what);
  if (!Number.isInteger(x) || x < min)
    throw new RuntimeError(
      'invalid',
      nodeId,
      `${what} is ${x}${describeEnv(env)}; it must be a whole number of at least ${min}`,
    );
  return x;
}

/** " (at w = 0.3, t = 4)" */
export function describeEnv(env: Env): string {
  const parts = [...env].map(([k, v]) => `${k} = ${String(v)}`);
  return parts.length ? ` (at ${parts.join(', ')})` : '';
}

/** Does the value depend on `t` (so it must be re-evaluated every generation)? */
export function dependsOnT(v: IrValue): boolean {
  const inExpr = (e: IrExpr): boolean => {
    switch (e.op) {
      case 'var':
        return e.name === 't';
      case 'neg':
      case 'not':
        return inExpr(e.a);
      case 'bin':
        return inExpr(e.a) || inExpr(e.b);
      case 'call':
        return e.args.some(inExpr);
      case 'if':
        return inExpr(e.cond) || inExpr(e.then) || inExpr(e.else);
      default:
        return false;
    }
  };
  return !!v && typeof v === 'object' && !Array.isArray(v) && 'expr' in v && inExpr(v.expr);
}
