/**
 * Port type rules shared by the compiler, the validator and the editor: which output may feed
 * which input, and whether a literal value fits a parameter type. One copy, imported everywhere.
 */
import type { PortSpec } from './schema';

export type ParsedParamType =
  | { kind: 'scalar'; name: 'string' | 'int' | 'float' | 'bool' | 'json' }
  | { kind: 'list'; item: ParsedParamType };

export function parseParamType(type: string): ParsedParamType {
  const m = /^list<(.*)>$/.exec(type);
  if (m?.[1] !== undefined) return { kind: 'list', item: parseParamType(m[1]) };
  switch (type) {
    case 'string':
    case 'int':
    case 'float':
    case 'bool':
    case 'json':
      return { kind: 'scalar', name: type };
    default:
      throw new Error(`unknown parameter type "${type}"`);
  }
}

function paramAssignable(from: ParsedParamType, to: ParsedParamType): boolean {
  if (to.kind === 'scalar' && to.name === 'json') return true; // json accepts any parameter
  if (from.kind === 'list' && to.kind === 'list') return paramAssignable(from.item, to.item);
  if (from.kind === 'scalar' && to.kind === 'scalar') {
    return from.name === to.name || (from.name === 'int' && to.name === 'float');
  }
  return false;
}

/** Why `from` cannot feed `to`, or undefined when it can. */
export function incompatibility(from: PortSpec, to: PortSpec): string | undefined {
  if (from.kind !== to.kind) {
    return `${from.kind === 'artifact' ? 'an artifact' : 'a parameter'} (${from.type}) cannot feed ${to.kind === 'artifact' ? 'an artifact' : 'a parameter'} input (${to.type})`;
  }
  if (from.kind === 'artifact' && to.kind === 'artifact') {
    const fromList = from.list === true;
    const toList = to.list === true;
    const label = (t: string, list: boolean): string => (list ? `a list of ${t}` : t);
    if (fromList !== toList) return `${label(from.type, fromList)} cannot feed an input that takes ${label(to.type, toList)}`;
    // "Artifact" is the untyped artifact: it accepts every artifact type.
    if (to.type === 'Artifact' || from.type === to.type) return undefined;
    return `artifact type ${label(from.type, fromList)} does not match ${label(to.type, toList)}`;
  }
  if (from.kind === 'artifact' || to.kind === 'artifact') return `a ${from.kind} cannot feed a ${to.kind} input`;
  let ok = false;
  try {
    ok = paramAssignable(parseParamType(from.type), parseParamType(to.type));
  } catch (e) {
    return (e as Error).message;
  }
  return ok ? undefined : `parameter type ${from.type} does not match ${to.type}`;
}

export function isAssignable(from: PortSpec, to: PortSpec): boolean {
  return incompatibility(from, to) === undefined;
}

/** Why `value` is not a valid `type`, or undefined when it is. */
export function valueMismatch(value: unknown, type: string): string | undefined {
  return checkValue(value, parseParamType(type), type);
}

function checkValue(value: unknown, t: ParsedParamType, label: string): string | undefined {
  if (t.kind === 'list') {
    if (!Array.isArray(value)) return `expected ${label}, got ${describe(value)}`;
    for (const [i, item] of value.entries()) {
      const why = checkValue(item, t.item, label);
      if (why) return `item ${i}: ${why}`;
    }
    return undefined;
  }
  switch (t.name) {
    case 'string':
      return typeof value === 'string' ? undefined : `expected a string, got ${describe(value)}`;
    case 'int':
      return typeof value === 'number' && Number.isSafeInteger(value)
        ? undefined
        : `expected an integer, got ${describe(value)}`;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : `expected a number, got ${describe(value)}`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${describe(value)}`;
    case 'json':
      return value === undefined ? 'expected a JSON value, got nothing' : undefined;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return `a ${typeof value}`;
}

/**
 * Parses a command-line / form string into a value of the given type ("3" → 3 for int,
 * "true" → true, JSON for lists and json). Returns an error message instead of throwing.
 */
export function parseParamText(text: string, type: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const t = parseParamType(type);
  let value: unknown = text;
  if (t.kind === 'scalar' && t.name === 'string') value = text;
  else if (t.kind === 'scalar' && (t.name === 'int' || t.name === 'float')) {
    const n = text.trim() === '' ? Number.NaN : Number(text);
    if (Number.isNaN(n)) return { ok: false, error: `expected ${t.name === 'int' ? 'an integer' : 'a number'}, got ${JSON.stringify(text)}` };
    value = n;
  } else if (t.kind === 'scalar' && t.name === 'bool') {
    value = text === 'true' ? true : text === 'false' ? false : text;
  } else {
    try {
      value = JSON.parse(text);
    } catch {
      // json accepts a bare string; lists must be valid JSON
      if (t.kind === 'scalar') value = text;
      else return { ok: false, error: `expected a JSON list for ${type}, e.g. [1,2,3]; got ${JSON.stringify(text)}` };
    }
  }
  const why = valueMismatch(value, type);
  return why ? { ok: false, error: why } : { ok: true, value };
}

/** The parameter type of a literal value: 3 → int, 0.5 → float, [1, 2] → list<int>, [1, 0.5] → list<float>, objects → json. */
export function literalType(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'int' : 'float';
  if (Array.isArray(value)) {
    const types = new Set(value.map(literalType));
    if (types.size === 0) return 'list<json>';
    if (types.size === 1) return `list<${[...types][0] ?? 'json'}>`;
    if (types.size === 2 && types.has('int') && types.has('float')) return 'list<float>';
    return 'list<json>';
  }
  return 'json';
}
