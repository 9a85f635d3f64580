/**
 * Text PostgreSQL cannot store: NUL (U+0000), which neither `text` nor `jsonb` can hold, and lone
 * UTF-16 surrogates, which are not Unicode (jsonb refuses their escapes; a UTF-8 encoder silently
 * turns them into U+FFFD). Every boundary (API, CLI, webhooks, the IR validator) looks for them in
 * what it accepts, keys included, so a bad value is refused by name instead of failing a write.
 */

export type TextProblemCode = 'nul-character' | 'lone-surrogate';

export interface TextProblem {
  code: TextProblemCode;
  /** Where in the value: keys and array indexes from the root. */
  path: (string | number)[];
  /** The last path segment is a key that holds the bad text (not the value under it). */
  inKey: boolean;
  /** "contains a NUL character (\u0000), which cannot be stored", or "has a key that contains …". */
  message: string;
}

const SUSPECT = /[\0\p{Cs}]/u;

/** What is wrong with one string, or undefined. */
export function textProblemOf(s: string): { code: TextProblemCode; what: string } | undefined {
  const m = SUSPECT.exec(s);
  if (!m) return undefined;
  if (s.includes('\0')) return { code: 'nul-character', what: 'a NUL character (\\u0000), which cannot be stored' };
  const unit = (m[0].codePointAt(0) ?? 0).toString(16);
  return { code: 'lone-surrogate', what: `a lone surrogate (\\u${unit}), which is not valid Unicode text` };
}

/** Every string (value or key) in a JSON-like value that cannot be stored, in document order, at most `limit`. */
export function findUnstorableText(value: unknown, limit = 20): TextProblem[] {
  const out: TextProblem[] = [];
  // Depth first with an explicit stack: a value nested however deep cannot overflow the call stack.
  type Item = { v: unknown; path: (string | number)[] } | { found: TextProblem };
  const stack: Item[] = [{ v: value, path: [] }];
  while (stack.length && out.length < limit) {
    const item = stack.pop() as Item;
    if ('found' in item) {
      out.push(item.found);
      continue;
    }
    const { v, path } = item;
    if (typeof v === 'string') {
      const p = textProblemOf(v);
      if (p) out.push({ code: p.code, path, inKey: false, message: `contains ${p.what}` });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        const p = textProblemOf(key);
        stack.push(
          p
            ? { found: { code: p.code, path: [...path, key], inKey: true, message: `has a key that contains ${p.what}` } }
            : { v: (v as Record<string, unknown>)[key], path: [...path, key] },
        );
      }
    }
  }
  return out;
}

/** A JSON Pointer (RFC 6901) from path segments: how every boundary names a field. */
export function jsonPointer(segments: readonly PropertyKey[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
