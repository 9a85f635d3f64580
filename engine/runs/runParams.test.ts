/** Run parameters from any source (CLI text, API JSON, webhook payloads, trigger definitions). */
import { describe, expect, it } from 'vitest';
import { compile, component, pipeline, t } from '../../dsl/index';
import { MAX_JSON_DEPTH } from '../../dsl/ir/index';
import { resolveRunParams, RunParamsError } from './runParams';

const echo = component({ name: 'echo', inputs: { name: t.string(), cfg: t.json() }, outputs: { out: t.string() }, run: ({ name }) => ({ out: name }) });
const spec = compile(
  pipeline({ name: 'echoing', inputs: { name: t.string({ default: 'x' }), cfg: t.json({ default: {} }) } }, (p) => {
    p.task(echo, { name: p.inputs.name, cfg: p.inputs.cfg }, { id: 'echo' });
  }),
).spec;

const problemsOf = (given: Record<string, unknown>, fromText = false): string[] => {
  try {
    resolveRunParams(spec, given, { fromText });
  } catch (e) {
    expect(e).toBeInstanceOf(RunParamsError);
    return (e as RunParamsError).problems;
  }
  return [];
};

describe('resolveRunParams', () => {
  // Issue 11 #3: NUL reached PostgreSQL (500, a half-written pipeline; 10 retries from a webhook).
  it('refuses text PostgreSQL cannot store, naming the parameter and the place inside it', () => {
    expect(problemsOf({ name: 'a\u0000b' })).toEqual(['parameter "name" contains a NUL character (\\u0000), which cannot be stored']);
    expect(problemsOf({ cfg: { list: ['ok', 'bad\ud800'] } })).toEqual([
      'parameter "cfg" at /list/1 contains a lone surrogate (\\ud800), which is not valid Unicode text',
    ]);
    expect(problemsOf({ cfg: { 'k\u0000': 1 } })).toEqual(['parameter "cfg" at /k\u0000 has a key that contains a NUL character (\\u0000), which cannot be stored']);
    // CLI text: a JSON parameter whose escape makes a NUL.
    expect(problemsOf({ cfg: '{"a":"\\u0000"}' }, true)).toEqual(['parameter "cfg" at /a contains a NUL character (\\u0000), which cannot be stored']);
  });

  // Issue 11 #7, for --param text: a 100,000-deep JSON value overflowed the type check's recursion.
  it('bounds the nesting of JSON parameter text before parsing it', () => {
    expect(problemsOf({ cfg: `${'['.repeat(100_000)}${']'.repeat(100_000)}` }, true)).toEqual([
      `parameter "cfg" (json): the value nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
    ]);
  });

  it('treats names every object inherits as unknown parameters, not as inputs', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const given = JSON.parse(`{"${name}": 1}`) as Record<string, unknown>;
      expect(problemsOf(given)).toEqual([`unknown parameter "${name}"; this pipeline takes: name (string), cfg (json)`]);
    }
  });
});
