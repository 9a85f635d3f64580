/**
 * Writing TypeScript text: string and JSON literals, property keys, identifiers, and a layout rule
 * (inline when it fits in one line, else one entry per line). Pure; browser-safe.
 */

/** Beyond this column an object or array literal is broken into one entry per line. */
export const MAX_LINE = 120;
export const INDENT = '  ';

/** Words that cannot name a `const` in a module (strict mode), plus globals that must not be shadowed. */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'import in instanceof new null return super switch this throw true try typeof var void while with yield let static ' +
    'implements interface package private protected public await async of get set arguments eval undefined NaN Infinity ' +
    'globalThis Object Array String Number Boolean Symbol Promise Error JSON Math Date Map Set require module exports'
  ).split(' '),
);

export function isReservedWord(name: string): boolean {
  return RESERVED.has(name);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED.has(name);
}

/** A single-quoted string literal. JSON.stringify does the escaping; only the quotes change. */
export function stringLiteral(s: string): string {
  const inner = JSON.stringify(s).slice(1, -1);
  // Walk escape pairs so that `\\"` (an escaped backslash before a quote) is read correctly.
  return `'${inner.replace(/\\.|'/g, (m) => (m === '\\"' ? '"' : m === "'" ? "\\'" : m))}'`;
}

/** Text inside a template literal (`…${…}…`). */
export function templateText(s: string): string {
  const inner = JSON.stringify(s).slice(1, -1);
  return inner.replace(/\\.|`|\$\{/g, (m) => (m === '\\"' ? '"' : m === '`' ? '\\`' : m === '${' ? '\\${' : m));
}

/** An object key: bare when it is an identifier-like name, quoted otherwise. */
export function propertyKey(key: string): string {
  // A literal `__proto__:` key sets the prototype instead of creating a property: use a computed key.
  if (key === '__proto__') return "['__proto__']";
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : stringLiteral(key);
}

/** `obj.key` or `obj['key']`. */
export function member(object: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${object}.${key}` : `${object}[${stringLiteral(key)}]`;
}

export function numberLiteral(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** Renders a piece of code at an indentation; `col` is where it starts on its first line. */
export type Code = (indent: string, col: number) => string;

export const text =
  (s: string): Code =>
  () =>
    s;

/**
 * `{ a: x, b: y }` on one line when it fits and no value spans lines, else one entry per line.
 * Entries with an undefined value are left out.
 */
export function objectCode(entries: [string, Code | undefined][], options: { trailingComma?: boolean } = {}): Code {
  const present = entries.filter((e): e is [string, Code] => e[1] !== undefined);
  return (indent, col) => {
    if (present.length === 0) return '{}';
    const inline = `{ ${present.map(([k, v]) => `${propertyKey(k)}: ${v(indent, col)}`).join(', ')} }`;
    if (!inline.includes('\n') && col + inline.length <= MAX_LINE) return inline;
    const inner = indent + INDENT;
    const lines = present.map(([k, v]) => {
      const head = `${inner}${propertyKey(k)}: `;
      return `${head}${v(inner, head.length)},`;
    });
    const body = options.trailingComma === false ? lines.map((l, i) => (i === lines.length - 1 ? l.slice(0, -1) : l)) : lines;
    return `{\n${body.join('\n')}\n${indent}}`;
  };
}

/** `[a, b]` on one line when it fits, else one element per line. */
export function arrayCode(items: Code[]): Code {
  return (indent, col) => {
    if (items.length === 0) return '[]';
    const inline = `[${items.map((v) => v(indent, col)).join(', ')}]`;
    if (!inline.includes('\n') && col + inline.length <= MAX_LINE) return inline;
    const inner = indent + INDENT;
    return `[\n${items.map((v) => `${inner}${v(inner, inner.length)},`).join('\n')}\n${indent}]`;
  };
}

/** `name(a, b)`: arguments inline when they fit, else one per line. */
export function callCode(callee: string, args: Code[]): Code {
  return (indent, col) => {
    const inline = `${callee}(${args.map((a) => a(indent, col + callee.length + 1)).join(', ')})`;
    if (col + inline.length <= MAX_LINE && !inline.slice(0, -1).includes('\n')) return inline;
    // The last argument may span lines (an object or a callback) while the others stay inline.
    const head = args.slice(0, -1).map((a) => a(indent, col));
    const last = args[args.length - 1];
    if (last && !head.some((h) => h.includes('\n'))) {
      const prefix = `${callee}(${head.map((h) => `${h}, `).join('')}`;
      if (col + prefix.length <= MAX_LINE) {
        const tail = last(indent, col + prefix.length);
        const firstLine = tail.split('\n')[0] ?? '';
        if (col + prefix.length + firstLine.length <= MAX_LINE) return `${prefix}${tail})`;
      }
    }
    const inner = indent + INDENT;
    return `${callee}(\n${args.map((a) => `${inner}${a(inner, inner.length)},`).join('\n')}\n${indent})`;
  };
}

/** A JSON value as a TypeScript literal. */
export function jsonCode(value: unknown): Code {
  if (value === null) return text('null');
  if (typeof value === 'string') return text(stringLiteral(value));
  if (typeof value === 'number') return text(numberLiteral(value));
  if (typeof value === 'boolean') return text(String(value));
  if (Array.isArray(value)) return arrayCode(value.map(jsonCode));
  if (typeof value === 'object') return objectCode(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonCode(v)]));
  throw new TypeError(`not a JSON value: ${typeof value}`);
}

/** lower camelCase of a name such as `train-classifier` (underscores are kept). */
export function camelCase(name: string): string {
  const parts = name.split(/-+/).filter((s) => s.length > 0);
  const joined = parts.map((s, i) => (i === 0 ? s.charAt(0).toLowerCase() + s.slice(1) : s.charAt(0).toUpperCase() + s.slice(1))).join('');
  const cleaned = joined.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(cleaned) || cleaned === '' ? `_${cleaned}` : cleaned;
}

/** Hands out identifiers that clash with nothing taken before (reserved words included). */
export class NameAllocator {
  private readonly taken: Set<string>;

  constructor(taken: Iterable<string> = []) {
    this.taken = new Set(taken);
  }

  has(name: string): boolean {
    return this.taken.has(name) || RESERVED.has(name);
  }

  reserve(name: string): void {
    this.taken.add(name);
  }

  /** `preferred`, else `preferred + suffix`, else numbered. */
  allocate(preferred: string, suffix = ''): string {
    let name = preferred;
    if (this.has(name) && suffix && !this.has(preferred + suffix)) name = preferred + suffix;
    for (let n = 2; this.has(name); n++) name = `${preferred}${suffix}${n}`;
    this.taken.add(name);
    return name;
  }

  names(): Set<string> {
    return new Set(this.taken);
  }
}
