/**
 * Condition builders for `p.when(...)`: `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`, `not`.
 * They build the IR's expression tree; their overloads make comparing, say, an int output with a
 * string a type error, and the validator checks the same rule on IR from other sources.
 */
import type { Binding, Expr, Operand } from './ir/schema';
import type { Json, ParamRef, Presence } from './ports';

declare const conditionBrand: unique symbol;

/** A condition for `p.when()`. */
export interface Condition {
  readonly expr: Expr;
  readonly [conditionBrand]?: true;
}

type NumOperand = ParamRef<'int' | 'float', Presence> | number;
type StrOperand = ParamRef<'string', Presence> | string;
type BoolOperand = ParamRef<'bool', Presence> | boolean;
/** `json` values are compared at run time, so they go with anything. */
type AnyOperand = ParamRef<string, Presence> | Json;

function operand(v: AnyOperand): Operand {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'binding' in v && (v as { kind?: unknown }).kind === 'parameter') {
    const b = (v as ParamRef<string, Presence>).binding;
    if ('const' in b || 'pipelineInput' in b || 'task' in b || 'loopItem' in b) return b;
    throw new TypeError(`conditions can compare task outputs, pipeline inputs, loop items and literals, not ${describe(b)}`);
  }
  return { const: v as Json };
}

function describe(b: Binding): string {
  return Object.keys(b)[0] ?? 'this value';
}

function compare(op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', a: AnyOperand, b: AnyOperand): Condition {
  return { expr: { op, left: operand(a), right: operand(b) } };
}

export function eq(a: NumOperand, b: NumOperand): Condition;
export function eq(a: StrOperand, b: StrOperand): Condition;
export function eq(a: BoolOperand, b: BoolOperand): Condition;
export function eq(a: ParamRef<'json', Presence>, b: AnyOperand): Condition;
export function eq(a: AnyOperand, b: AnyOperand): Condition {
  return compare('eq', a, b);
}
export function ne(a: NumOperand, b: NumOperand): Condition;
export function ne(a: StrOperand, b: StrOperand): Condition;
export function ne(a: BoolOperand, b: BoolOperand): Condition;
export function ne(a: ParamRef<'json', Presence>, b: AnyOperand): Condition;
export function ne(a: AnyOperand, b: AnyOperand): Condition {
  return compare('ne', a, b);
}
export function lt(a: NumOperand, b: NumOperand): Condition;
export function lt(a: StrOperand, b: StrOperand): Condition;
export function lt(a: AnyOperand, b: AnyOperand): Condition {
  return compare('lt', a, b);
}
export function le(a: NumOperand, b: NumOperand): Condition;
export function le(a: StrOperand, b: StrOperand): Condition;
export function le(a: AnyOperand, b: AnyOperand): Condition {
  return compare('le', a, b);
}
export function gt(a: NumOperand, b: NumOperand): Condition;
export function gt(a: StrOperand, b: StrOperand): Condition;
export function gt(a: AnyOperand, b: AnyOperand): Condition {
  return compare('gt', a, b);
}
export function ge(a: NumOperand, b: NumOperand): Condition;
export function ge(a: StrOperand, b: StrOperand): Condition;
export function ge(a: AnyOperand, b: AnyOperand): Condition {
  return compare('ge', a, b);
}

export function and(...conditions: [Condition, ...Condition[]]): Condition {
  return { expr: { op: 'and', args: conditions.map((c) => c.expr) } };
}
export function or(...conditions: [Condition, ...Condition[]]): Condition {
  return { expr: { op: 'or', args: conditions.map((c) => c.expr) } };
}
export function not(condition: Condition): Condition {
  return { expr: { op: 'not', arg: condition.expr } };
}
