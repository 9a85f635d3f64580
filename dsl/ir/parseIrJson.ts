/**
 * Reads JSON text (an IR file, an upload, an API request body) strictly, with one set of rules for
 * the CLI and the API:
 * - nesting is bounded before anything parses it (a 200 KB file 100,000 levels deep once took the
 *   CLI 4 GB and then its life);
 * - `JSON.parse` silently keeps the last of two equal keys, which would hide a duplicated task id:
 *   repeated keys are reported with their place;
 * - a `"__proto__"` key is refused: JSON.parse keeps it as an own key, but assigning it anywhere
 *   (a schema's output object, a spread) sets the prototype instead, so the entry would vanish.
 */
import type { ValidationIssue, ValidationResult } from './validate';
import { validatePipeline } from './validate';

/** Most arrays and objects open inside one another in any JSON text Sluice reads. */
export const MAX_JSON_DEPTH = 64;

/**
 * Why `text` nests too deep, or undefined: counts brackets outside strings, so it runs before any
 * parser and in time linear in the text.
 */
export function jsonDepthProblem(text: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = endOfString(text, i);
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return `nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start` (text.length if none). */
function endOfString(text: string, start: number): number {
  for (let q = text.indexOf('"', start + 1); q >= 0; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return text.length;
}

export type JsonTextProblemCode = 'too-deep' | 'syntax' | 'duplicate-key' | 'forbidden-key';

export interface JsonTextProblem {
  code: JsonTextProblemCode;
  /** What is wrong, without the place (the caller says which file or request). */
  message: string;
  /** Keys and array indexes from the root to the offending member ([] for the whole text). */
  path: (string | number)[];
  /** 1-based line of the offending key. */
  line?: number;
}

export type ParsedJsonText = { ok: true; value: unknown } | { ok: false; problems: JsonTextProblem[]; value?: unknown };

/** Parses JSON text under the rules above; `value` comes along when only keys were wrong. */
export function parseJsonText(text: string): ParsedJsonText {
  const deep = jsonDepthProblem(text);
  if (deep) return { ok: false, problems: [{ code: 'too-deep', message: deep, path: [] }] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, problems: [{ code: 'syntax', message: `not valid JSON: ${(e as Error).message}`, path: [] }] };
  }
  const problems = keyProblems(text);
  return problems.length ? { ok: false, problems, value } : { ok: true, value };
}

export function parseIrJson(text: string, source = '<input>'): ValidationResult {
  const parsed = parseJsonText(text);
  if (parsed.ok) return validatePipeline(parsed.value);
  const fatal = parsed.problems.find((p) => p.code === 'too-deep' || p.code === 'syntax');
  if (fatal) {
    return {
      ok: false,
      issues: [
        {
          code: fatal.code === 'too-deep' ? 'too-deep' : 'schema',
          message: `${source} ${fatal.message}`,
          hint: fatal.code === 'too-deep' ? 'no pipeline IR nests this deep: check the file is the IR `sluice compile` writes' : 'fix the JSON syntax (or compile a .ts pipeline with `sluice compile`)',
          pipeline: '<unparsed>',
          path: [],
        },
      ],
    };
  }
  const result = validatePipeline(parsed.value);
  const name = result.spec?.name ?? guessName(parsed.value);
  const keyIssues: ValidationIssue[] = parsed.problems.map((p) => {
    const path = p.path;
    const key = String(path[path.length - 1] ?? '');
    const isTask = path.length === 3 && path[0] === 'dag' && path[1] === 'tasks';
    const where = `${source}:${p.line ?? 1}`;
    return p.code === 'duplicate-key'
      ? {
          code: 'duplicate-id',
          message: `${where}: ${p.message}`,
          hint: isTask ? 'give each task its own id' : 'remove or rename one of the two entries',
          pipeline: name,
          ...(isTask ? { task: key } : {}),
          path,
        }
      : { code: 'bad-name', message: `${where}: ${p.message}`, hint: 'rename it', pipeline: name, ...(isTask ? { task: key } : {}), path };
  });
  // The validator reports an own "__proto__" key too: once is enough.
  const reported = new Set(keyIssues.map((i) => i.path.join('\0')));
  const rest = result.issues.filter((i) => !(i.code === 'bad-name' && reported.has(i.path.join('\0'))));
  return { ok: false, ...(result.spec ? { spec: result.spec } : {}), issues: [...keyIssues, ...rest] };
}

function guessName(value: unknown): string {
  const name = typeof value === 'object' && value !== null ? (value as { name?: unknown }).name : undefined;
  return typeof name === 'string' ? name : '<unnamed>';
}

interface Frame {
  /** Keys seen so far; null for an array. */
  keys: Set<string> | null;
  /** Elements begun so far (arrays). */
  index: number;
  /** The next string is a key (objects). */
  expectKey: boolean;
  parent: Frame | undefined;
  /** This container's key or index in its parent. */
  segment: string | number | undefined;
  /** The key whose value comes next (objects). */
  pendingKey: string | undefined;
}

function pathOf(frame: Frame | undefined): (string | number)[] {
  const out: (string | number)[] = [];
  for (let f = frame; f?.parent; f = f.parent) out.push(f.segment as string | number);
  return out.reverse();
}

/** Walks JSON text already known to be valid: keys repeated within one object, and "__proto__" keys. */
function keyProblems(text: string): JsonTextProblem[] {
  const out: JsonTextProblem[] = [];
  let top: Frame | undefined;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      line++;
    } else if (c === 0x7b || c === 0x5b) {
      const segment = top ? (top.keys ? top.pendingKey : top.index) : undefined;
      top = { keys: c === 0x7b ? new Set() : null, index: 0, expectKey: c === 0x7b, parent: top, segment, pendingKey: undefined };
    } else if (c === 0x7d || c === 0x5d) {
      top = top?.parent;
    } else if (c === 0x2c) {
      if (top?.keys) top.expectKey = true;
      else if (top) top.index++;
    } else if (c === 0x22) {
      const start = i;
      i = endOfString(text, i);
      if (top?.keys && top.expectKey) {
        const raw = text.slice(start + 1, i);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        top.expectKey = false;
        top.pendingKey = key;
        if (key === '__proto__') {
          out.push({ code: 'forbidden-key', message: '"__proto__" cannot be a key (JavaScript would take it for the object\'s prototype)', path: [...pathOf(top), key], line });
        } else if (top.keys.has(key)) {
          const container = pathOf(top);
          out.push({ code: 'duplicate-key', message: `"${key}" appears twice in ${container.join('.') || 'the document'}`, path: [...container, key], line });
        }
        top.keys.add(key);
      }
    }
  }
  return out;
}
