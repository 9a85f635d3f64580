/** Reading JSON text: nesting bounded before parsing, duplicate and prototype keys reported with their place. */
import { describe, expect, it } from 'vitest';
import { compile } from '../compile';
import { component } from '../component';
import { pipeline } from '../pipeline';
import { t } from '../ports';
import { MAX_JSON_DEPTH, jsonDepthProblem, parseIrJson, parseJsonText } from './parseIrJson';

const num = component({ name: 'num', inputs: { x: t.float() }, outputs: { y: t.float() }, run: ({ x }) => ({ y: x }) });
const chain = pipeline({ name: 'chain' }, (p) => {
  const a = p.task(num, { x: 1 }, { id: 'a' });
  p.task(num, { x: a.outputs.y }, { id: 'b' });
});
const irText = JSON.stringify(compile(chain).spec, null, 2);

describe('jsonDepthProblem', () => {
  it(`allows ${MAX_JSON_DEPTH} levels of arrays and objects and refuses one more`, () => {
    const nested = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(jsonDepthProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonDepthProblem(nested(MAX_JSON_DEPTH + 1))).toBe(`nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`);
    // Brackets inside strings are text, not nesting.
    expect(jsonDepthProblem(JSON.stringify({ s: '['.repeat(1000) + '\\"{' }))).toBeUndefined();
  });
});

describe('parseIrJson', () => {
  // Issue 11 #7: `sluice compile` on a 200 KB, 100,000-deep file died out of memory (4.2 GB, 24 s).
  it('refuses a 100,000-deep document before parsing it', () => {
    const deep = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`.replace(/^/, '[').concat(']');
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const doc of [text, deep]) {
      const r = parseIrJson(doc, 'deep.json');
      expect(r.ok).toBe(false);
      expect(r.issues).toEqual([
        expect.objectContaining({ code: 'too-deep', message: `deep.json nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`, path: [] }),
      ]);
    }
  });

  it('reports a duplicated task id with its line, and a "__proto__" key', () => {
    const dup = parseIrJson(irText.replace('"b": {', '"a": {'), 'dup.json');
    expect(dup.issues[0]).toMatchObject({ code: 'duplicate-id', task: 'a', path: ['dag', 'tasks', 'a'], message: expect.stringMatching(/^dup\.json:\d+: "a" appears twice in dag\.tasks$/) as unknown });
    const proto = parseIrJson(irText.replace('"b": {', '"__proto__": {'), 'proto.json');
    expect(proto.ok).toBe(false);
    expect(proto.issues[0]).toMatchObject({ code: 'bad-name', path: ['dag', 'tasks', '__proto__'], message: expect.stringMatching(/^proto\.json:\d+: "__proto__" cannot be a key/) as unknown });
  });
});

describe('parseJsonText', () => {
  it('gives JSON Pointer paths of duplicate and prototype keys, in arrays too', () => {
    const r = parseJsonText('{"a":[{"x":1},{"y":1,"y":2}],"b":{"__proto__":{}}}');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.code, p.path.join('/')])).toEqual([
      ['duplicate-key', 'a/1/y'],
      ['forbidden-key', 'b/__proto__'],
    ]);
  });

  it('says where the syntax breaks', () => {
    const r = parseJsonText('{"a":1,}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ code: 'syntax', path: [] });
  });
});
