/**
 * Condition expressions: a typed tree in the IR, evaluated here by the workflow (never with
 * `eval`), and type-checked by the validator with `comparisonProblem`.
 */
import { canonicalJson } from './digest';
import { parseParamType } from './portTypes';
import { isComparison, type Expr, type Operand } from './schema';

type Value = unknown;

/** Evaluates `expr`; `resolve` gives each operand's value. */
export function evaluateExpr(expr: Expr, resolve: (operand: Operand) => Value): boolean {
  if (!isComparison(expr)) {
    if ('arg' in expr) return !evaluateExpr(expr.arg, resolve);
    return expr.op === 'and' ? expr.args.every((a) => evaluateExpr(a, resolve)) : expr.args.some((a) => evaluateExpr(a, resolve));
  }
  const l = resolve(expr.left);
  const r = resolve(expr.right);
  switch (expr.op) {
    case 'eq':
      return equal(l, r);
    case 'ne':
      return !equal(l, r);
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
      return order(expr.op, l, r);
  }
}

function equal(a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return a === b;
  return canonicalJson(a) === canonicalJson(b);
}

function order(op: 'lt' | 'le' | 'gt' | 'ge', a: Value, b: Value): boolean {
  const comparable = (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
  // Mismatched run-time values (possible only through `json` operands) make the comparison false.
  if (!comparable) return false;
  const x = a;
  const y = b;
  switch (op) {
    case 'lt':
      return x < y;
    case 'le':
      return x <= y;
    case 'gt':
      return x > y;
    case 'ge':
      return x >= y;
  }
}

type Family = 'number' | 'string' | 'bool' | 'list' | 'json';

function family(type: string): Family {
  const t = parseParamType(type);
  if (t.kind === 'list') return 'list';
  if (t.name === 'int' || t.name === 'float') return 'number';
  return t.name;
}

/** Why `left op right` is not a sensible comparison of these parameter types, or undefined. */
export function comparisonProblem(op: Expr['op'], left: string, right: string): string | undefined {
  const a = family(left);
  const b = family(right);
  if (a === 'json' || b === 'json') return undefined; // checked at run time
  if (a !== b) return `compares ${left} with ${right}; both sides must be numbers, strings or booleans of the same kind`;
  if ((op === 'lt' || op === 'le' || op === 'gt' || op === 'ge') && a !== 'number' && a !== 'string') {
    return `"${op}" orders values, but ${left} has no order; use eq or ne`;
  }
  return undefined;
}
