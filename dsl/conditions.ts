/**
 * Condition builders for `p.when(...)`: `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`, `not`.
 * They build the IR's expression tree; their checked signatures make comparing, say, an int output
 * with a string a type error that says so, and the validator checks the same rule on IR from other sources.
 */
import type { Binding, Expr, Operand } from './ir/schema';
import type { Json, ParamRef, Presence } from './ports';

declare const conditionBrand: unique symbol;

/** A condition for `p.when()`. */
export interface Condition {
  readonly expr: Expr;
  readonly [conditionBrand]?: true;
}

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

/**
 * What a comparison may take, checked after inference (one signature per builder, so tsc's first
 * line is the problem in words, not "No overload matches this call" over four overloads): `eq`/`ne`
 * two numbers, strings or booleans, or a `json` parameter against anything; `lt`…`ge` two numbers
 * or two strings. Artifacts and lists are never compared.
 */
type OperandKind<V> =
  V extends ParamRef<infer N, Presence>
    ? N extends 'int' | 'float'
      ? 'number'
      : N extends 'string'
        ? 'string'
        : N extends 'bool'
          ? 'bool'
          : N extends 'json'
            ? 'json'
            : 'list'
    : V extends { readonly kind: 'artifact' }
      ? 'artifact'
      : V extends number
        ? 'number'
        : V extends string
          ? 'string'
          : V extends boolean
            ? 'bool'
            : 'literal';
type An<S extends string> = S extends `${'a' | 'e' | 'i' | 'o' | 'u' | 'A' | 'E' | 'I' | 'O' | 'U'}${string}` ? `an ${S}` : `a ${S}`;
type Described<V> =
  V extends ParamRef<infer N, Presence>
    ? `${An<N>} parameter`
    : V extends { readonly kind: 'artifact'; readonly artifactType: infer T extends string }
      ? `${An<T>} artifact`
      : V extends string
        ? `'${V}'`
        : V extends number | boolean
          ? `${V}`
          : 'a JSON value';
type Ordered = 'lt' | 'le' | 'gt' | 'ge';
type Comparable<Op extends string, A, B> = OperandKind<A> | OperandKind<B> extends infer K
  ? 'artifact' extends K
    ? false
    : 'list' extends K
      ? false
      : Op extends Ordered
        ? [OperandKind<A>, OperandKind<B>] extends ['number', 'number'] | ['string', 'string']
          ? true
          : false
        : OperandKind<A> extends 'json'
          ? true
          : [OperandKind<A>, OperandKind<B>] extends ['number', 'number'] | ['string', 'string'] | ['bool', 'bool']
            ? true
            : false
  : false;
type Compares<Op extends string> = Op extends Ordered ? 'two numbers or two strings' : 'two numbers, two strings or two booleans (or a json parameter with anything)';
/** The second operand, or the problem in words when the two cannot be compared. */
export type ComparedWith<Op extends string, A, B> =
  Comparable<Op, A, B> extends true
    ? B
    : `✗ ${Op}() compares ${Compares<Op>}; this is ${Described<A>} against ${Described<B>}${OperandKind<A> | OperandKind<B> extends infer K
        ? 'artifact' extends K
          ? ': compare a parameter output of the task (a score, a count) instead'
          : ''
        : ''}`;
type Operandish = AnyOperand | { readonly kind: 'artifact' };

export function eq<const A extends Operandish, const B extends Operandish>(a: A, b: ComparedWith<'eq', A, B>): Condition {
  return compare('eq', a, b);
}
export function ne<const A extends Operandish, const B extends Operandish>(a: A, b: ComparedWith<'ne', A, B>): Condition {
  return compare('ne', a, b);
}
export function lt<const A extends Operandish, const B extends Operandish>(a: A, b: ComparedWith<'lt', A, B>): Condition {
  return compare('lt', a, b);
}
export function le<const A extends Operandish, const B extends Operandish>(a: A, b: ComparedWith<'le', A, B>): Condition {
  return compare('le', a, b);
}
export function gt<const A extends Operandish, const B extends Operandish>(a: A, b: ComparedWith<'gt', A, B>): Condition {
  return compare('gt', a, b);
}
export function ge<const A extends Operandish, const B extends Operandish>(a: A, b: ComparedWith<'ge', A, B>): Condition {
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
