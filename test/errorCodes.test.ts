/**
 * Issue 12, item 6: every error class of ours carries a code (what the API and the CLI switch on),
 * so no code path has to recognise an error by its message text. This reads the sources: a new
 * `class XError extends …` without a code fails here, naming the file and the class.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOTS = ['dsl', 'engine', 'components', 'workers'];

function errorClasses(): { file: string; name: string; base: string; body: string }[] {
  const files = execFileSync('git', ['ls-files', ...ROOTS.map((r) => `${r}/*.ts`)], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.endsWith('.test.ts') && !f.endsWith('.contract.ts'));
  const out: { file: string; name: string; base: string; body: string }[] = [];
  for (const file of files) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/^(?:export )?(?:abstract )?class (\w+)(?:<[^>]*>)? extends (\w+)(?:<[^>]*>)? \{\n([\s\S]*?)^\}/gm)) {
      const [, name, base, body] = m as unknown as [string, string, string, string];
      if (/(Error|Problem|Violation|Aborted|Input)$/.test(base) || base === 'Error') out.push({ file, name, base, body });
    }
  }
  return out;
}

describe('error classes', () => {
  const classes = errorClasses();

  it('finds the error classes it checks', () => {
    // A regex that stopped matching would make the next test pass vacuously.
    expect(classes.length).toBeGreaterThan(30);
    expect(classes.map((c) => c.name)).toEqual(expect.arrayContaining(['SluiceError', 'MetadataStoreError', 'CommandFailedError', 'ApiServerError']));
  });

  it('every error class names its condition with a code', () => {
    const inherited = new Set(['CodedError']);
    const missing = classes
      .filter((c) => !inherited.has(c.base) && !/\b(readonly code\b|get code\(\))/.test(c.body))
      .map((c) => `${c.file}: class ${c.name} extends ${c.base}`);
    expect(missing, 'give each a `code` (kebab-case) that surfaces can switch on').toEqual([]);
  });

  it('codes of the SluiceError family are distinct', () => {
    const codes = new Map<string, string>();
    const dupes: string[] = [];
    for (const c of classes) {
      const code = /override readonly code: string = '([^']+)'/.exec(c.body)?.[1];
      if (!code) continue;
      if (codes.has(code)) dupes.push(`${code}: ${codes.get(code)} and ${c.name}`);
      codes.set(code, c.name);
    }
    expect(dupes).toEqual([]);
  });
});
