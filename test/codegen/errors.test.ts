/**
 * What the DSL cannot write is refused with an error naming the pipeline, the task or component and
 * the construct — never dropped silently. Also: literals, names and import paths come out right.
 */
import { describe, expect, it } from 'vitest';
import { approval, command, compile, pipeline, t } from '../../dsl/index';
import type { ExecutionOptions, PipelineSpec } from '../../dsl/ir/index';
import { CodegenError, generatePipelineSource } from '../../dsl/codegen/index';
import { importSpecifier } from '../../dsl/codegen/index';
import { executionOptionEntries } from '../../dsl/codegen/ports';
import { jsonCode, stringLiteral } from '../../dsl/codegen/syntax';
import { loadIris, split } from '../../components/index';

const tool = command({
  name: 'tool',
  inputs: { n: t.json({ default: 1 }) },
  outputs: { out: t.Dataset() },
  command: (ph) => ['tool', `--n=${ph.inputValue('n')}`, ph.outputPath('out')],
});

/** A small valid IR to break in one place per test. */
function base(): PipelineSpec {
  return structuredClone(
    compile(
      pipeline({ name: 'base', inputs: { xs: t.list(t.int(), { default: [1, 2] }) } }, (p) => {
        const data = p.task(loadIris, {});
        const parts = p.task(split, { dataset: data.outputs.dataset }, { id: 'parts' });
        p.forEach(p.inputs.xs, (x) => {
          p.task(tool, { n: x }, { id: 'each' });
        }, { id: 'loop' });
        return { train: parts.outputs.train };
      }),
    ).spec,
  );
}

function refused(spec: PipelineSpec, ...fragments: (string | RegExp)[]): void {
  let error: unknown;
  try {
    generatePipelineSource(spec);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CodegenError);
  for (const f of fragments) expect((error as Error).message).toMatch(f);
}

describe('IR the DSL cannot write is refused, naming where and what', () => {
  it('accepts the base pipeline', () => {
    expect(generatePipelineSource(base())).toContain("p.forEach(");
  });

  it('invalid IR', () => {
    const spec = base();
    delete (spec.dag.tasks.parts as { inputs: Record<string, unknown> }).inputs.dataset;
    refused(spec, 'not valid IR', 'task "parts"', 'dataset');
  });

  it('a function component without an export name', () => {
    const spec = base();
    const comp = spec.components.split;
    if (comp?.impl.kind === 'function') delete comp.impl.export;
    refused(spec, 'component "split"', 'task "parts"', 'no export name', 'resolveComponent');
  });

  it('a function component without a module', () => {
    const spec = base();
    const comp = spec.components['load-iris'];
    if (comp?.impl.kind === 'function') delete comp.impl.module;
    refused(spec, 'component "load-iris"', 'no module');
  });

  it('"optional": false on a port', () => {
    const spec = base();
    spec.inputs.xs = { kind: 'parameter', type: 'list<int>', default: [1], optional: false };
    refused(spec, 'pipeline "base"', 'input, port "xs"', '"optional": false');
  });

  it('an empty "after" list', () => {
    const spec = base();
    (spec.dag.tasks.parts as { after?: string[] }).after = [];
    refused(spec, 'task "parts"', 'empty "after"');
  });

  it('"exitHandler": false', () => {
    const spec = base();
    (spec.dag.tasks.parts as { exitHandler?: boolean }).exitHandler = false;
    refused(spec, 'task "parts"', '"exitHandler": false');
  });

  it('oneOf with a literal option', () => {
    const spec = base();
    (spec.dag.tasks.parts as { inputs: Record<string, unknown> }).inputs.seed = { oneOf: [{ const: 1 }, { const: 2 }] };
    refused(spec, 'task "parts", input "seed"', 'oneOf()', 'literal');
  });

  it('a loop item field without a type, and a typed whole item', () => {
    const spec = base();
    const loop = spec.dag.tasks.loop as { loop: { tasks: Record<string, { inputs: Record<string, unknown> }> } };
    (loop.loop.tasks.each as { inputs: Record<string, unknown> }).inputs.n = { loopItem: 'loop', field: 'a' };
    refused(spec, 'task "each", input "n"', 'needs a type', 'add "as"');
    (loop.loop.tasks.each as { inputs: Record<string, unknown> }).inputs.n = { loopItem: 'loop', as: 'int' };
    refused(spec, 'task "each", input "n"', 'no field');
  });

  it('a literal that the DSL would take for a reference', () => {
    const spec = base();
    spec.inputs.cfg = { kind: 'parameter', type: 'json', default: 1 };
    const comp = spec.components.split;
    if (comp) comp.inputs.extra = { kind: 'parameter', type: 'json', optional: true };
    (spec.dag.tasks.parts as { inputs: Record<string, unknown> }).inputs.extra = { const: { kind: 'parameter', binding: { const: 1 } } };
    refused(spec, 'task "parts", input "extra"', 'looks like a reference');
  });

  it('a component nobody uses', () => {
    const spec = base();
    spec.components.spare = structuredClone(spec.components.tool as PipelineSpec['components'][string]);
    refused(spec, 'component "spare"', 'no task uses it');
  });

  it('a component keyed differently from its name', () => {
    const spec = base();
    const comp = spec.components.split as PipelineSpec['components'][string];
    delete spec.components.split;
    spec.components.splitter = comp;
    (spec.dag.tasks.parts as { component: string }).component = 'splitter';
    refused(spec, 'task "parts"', 'keyed "splitter"', 'keys it "split"');
  });

  it('a changed approval gate', () => {
    const spec = compile(
      pipeline({ name: 'gated' }, (p) => {
        p.task(approval, { message: 'ok?' }, { id: 'gate' });
      }),
    ).spec;
    const gate = spec.components.approval;
    if (gate) gate.inputs.extra = { kind: 'parameter', type: 'string', optional: true };
    refused(spec, 'component "approval"', 'approval gate that differs');
  });

  it('a command whose digest does not match it', () => {
    const spec = base();
    const comp = spec.components.tool;
    if (comp?.impl.kind === 'command') comp.impl.command = ['other', '{{outputPath:out}}'];
    refused(spec, 'component "tool"', 'digest does not match');
  });

  it('a command that command() refuses', () => {
    const spec = base();
    const comp = spec.components.tool;
    if (comp?.impl.kind === 'command') comp.impl.command = ['tool'];
    refused(spec, 'component "tool"', 'command() refuses', 'never appears in the command');
  });

  it('an execution option the generator does not know (a field the IR gains later)', () => {
    // The schema refuses unknown fields, so only a newer IR than this generator could hold one.
    const options = { timeout: { attemptMs: 1000, futureMs: 5 } } as unknown as ExecutionOptions;
    expect(() => executionOptionEntries(options, 'pipeline "x", task "y"')).toThrow(/task "y": timeout\.futureMs cannot be written/);
  });

  it('a nested pipeline component with its own retry policy', () => {
    const sub = pipeline({ name: 'sub' }, (p) => ({ d: p.task(loadIris, {}).outputs.dataset }));
    const spec = compile(pipeline({ name: 'outer' }, (p) => void p.task(sub, {}, { id: 'inner' }))).spec;
    const comp = spec.components.sub;
    if (comp) comp.retry = { maxAttempts: 2 };
    refused(spec, 'component "sub"', 'task "inner"', 'nested pipeline component must mirror');
  });
});

/** Evaluates a JS expression, to check that a literal reads back as the value it was written from. */
function evaluate(expression: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point is to parse generated literals
  const fn = new Function(`return ${expression};`) as () => unknown;
  return fn();
}

describe('literals, names and paths', () => {
  it('writes strings that read back the same', () => {
    for (const s of ["it's", 'say "hi"', 'a\\"b', '\\', 'new\nline', '\u2028', '`${x}`', '\ud800', 'ü✓']) {
      expect(evaluate(stringLiteral(s))).toBe(s);
    }
  });

  it('keeps __proto__ keys and -0 in JSON literals', () => {
    const value = JSON.parse('{"__proto__": {"a": -0}, "my-key": [1, "x"], "class": null}') as unknown;
    const code = jsonCode(value)('', 0);
    const back = evaluate(code) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(['__proto__', 'my-key', 'class']);
    expect(Object.is((back.__proto__ as { a: number } | undefined)?.a, -0) || Object.is((Object.getOwnPropertyDescriptor(back, '__proto__')?.value as { a: number }).a, -0)).toBe(true);
  });

  it('imports project files relative to the generated file', () => {
    expect(importSpecifier('sluice/components', 'pipelines/x.ts')).toBe('sluice/components');
    expect(importSpecifier('./examples/iris.ts', 'pipelines/x.ts')).toBe('../examples/iris');
    expect(importSpecifier('./examples/iris.ts', undefined)).toBe('./examples/iris');
    expect(importSpecifier('examples/lib/comps.ts', 'examples/generated.ts')).toBe('./lib/comps');
    expect(importSpecifier('./a/b.js', 'c/d/e.ts')).toBe('../../a/b.js');
    expect(importSpecifier('/abs/comps.ts', '/abs/out/x.ts')).toBe('../comps');
  });

  it('renames task handles that are keywords or clash with imports', () => {
    const spec = compile(
      pipeline({ name: 'names' }, (p) => {
        const a = p.task(loadIris, {}, { id: 'class' });
        const b = p.task(split, { dataset: a.outputs.dataset }, { id: 'split' });
        const c = p.task(split, { dataset: a.outputs.dataset }, { id: 'p' });
        return { x: b.outputs.train, y: c.outputs.test };
      }),
    ).spec;
    const source = generatePipelineSource(spec);
    expect(source).toContain("const classTask = p.task(loadIris, {}, { id: 'class' });");
    expect(source).toContain('const splitTask = p.task(split, { dataset: classTask.outputs.dataset });');
    expect(source).toContain("const pTask = p.task(split, { dataset: classTask.outputs.dataset }, { id: 'p' });");
  });
});
