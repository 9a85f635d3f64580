/**
 * Reads IR from JSON text (a file, an upload, a request body). `JSON.parse` silently keeps the
 * last of two equal keys, which would hide a duplicated task id; this scanner reports them with
 * their line, then hands the parsed value to the validator.
 */
import type { ValidationIssue, ValidationResult } from './validate';
import { validatePipeline } from './validate';

interface DuplicateKey {
  path: string[];
  key: string;
  line: number;
}

export function parseIrJson(text: string, source = '<input>'): ValidationResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      issues: [
        {
          code: 'schema',
          message: `${source} is not valid JSON: ${(e as Error).message}`,
          hint: 'fix the JSON syntax (or compile a .ts pipeline with `sluice compile`)',
          pipeline: '<unparsed>',
          path: [],
        },
      ],
    };
  }
  const dups = findDuplicateKeys(text);
  const result = validatePipeline(value);
  if (dups.length === 0) return result;
  const name = result.spec?.name ?? '<unnamed>';
  const dupIssues: ValidationIssue[] = dups.map((d) => {
    const isTask = d.path.length === 2 && d.path[0] === 'dag' && d.path[1] === 'tasks';
    return {
      code: 'duplicate-id',
      message: `${source}:${d.line}: "${d.key}" appears twice in ${d.path.join('.') || 'the document'}`,
      hint: isTask ? 'give each task its own id' : 'remove or rename one of the two entries',
      pipeline: name,
      ...(isTask ? { task: d.key } : {}),
      path: [...d.path, d.key],
    };
  });
  return { ok: false, ...(result.spec ? { spec: result.spec } : {}), issues: [...dupIssues, ...result.issues] };
}

/** Walks JSON text (already known to be valid) and returns keys repeated within one object. */
function findDuplicateKeys(text: string): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  // Each open container: its keys (objects only) and the path to it.
  const stack: { keys: Set<string> | null; path: string[] }[] = [];
  let line = 1;
  let pendingKey: string | null = null; // the key whose value comes next
  let i = 0;
  const readString = (): string => {
    let j = i + 1;
    let s = '';
    while (j < text.length && text[j] !== '"') {
      if (text[j] === '\\') j++;
      j++;
    }
    s = JSON.parse(text.slice(i, j + 1)) as string;
    i = j + 1;
    return s;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      const path = parent ? [...parent.path, ...(pendingKey !== null ? [pendingKey] : ['*'])] : [];
      stack.push({ keys: c === '{' ? new Set() : null, path });
      pendingKey = null;
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === '"') {
      const top = stack[stack.length - 1];
      const s = readString();
      // A string is a key when we're in an object and the next non-space char is ':'.
      let j = i;
      while (j < text.length && /\s/.test(text[j] ?? '')) j++;
      if (top?.keys && text[j] === ':') {
        if (top.keys.has(s)) out.push({ path: top.path, key: s, line });
        top.keys.add(s);
        pendingKey = s;
      }
    } else {
      if (c === ',') pendingKey = null;
      i++;
    }
  }
  return out;
}
