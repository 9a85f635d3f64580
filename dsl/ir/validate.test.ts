/** The validator's control-flow rules, each on IR built by the DSL and then broken the way another producer might. */
import { describe, expect, it } from 'vitest';
import { approval } from '../approval';
import { component } from '../component';
import { eq, gt } from '../conditions';
import { collect, pipeline } from '../pipeline';
import { t } from '../ports';
import { formatIssue, validatePipeline } from './validate';
import type { NodeSpec, PipelineSpec } from './schema';

const num = component({ name: 'num', inputs: { x: t.float() }, outputs: { y: t.float(), word: t.string() }, run: ({ x }) => ({ y: x, word: 'w' }) });
const sum = component({ name: 'sum', inputs: { xs: t.list(t.float()) }, outputs: { total: t.float() }, run: ({ xs }) => ({ total: xs.length }) });

const base = pipeline({ name: 'flow', inputs: { xs: t.list(t.float()), n: t.int({ default: 1 }), mode: t.string({ default: 'a' }) } }, (p) => {
  const loop = p.forEach(p.inputs.xs, (x) => ({ y: p.task(num, { x }, { id: 'body' }).outputs.y }), { id: 'loop' });
  const s = p.task(sum, { xs: collect(loop.outputs.y) }, { id: 'sum' });
  p.when(eq(p.inputs.mode, 'a'), () => p.task(num, { x: s.outputs.total }, { id: 'then' }));
});

function broken(edit: (spec: PipelineSpec) => void): ReturnType<typeof validatePipeline> {
  const spec = structuredClone(base.spec);
  edit(spec);
  return validatePipeline(spec);
}
const loopOf = (spec: PipelineSpec): Extract<NodeSpec, { loop: unknown }> => spec.dag.tasks.loop as Extract<NodeSpec, { loop: unknown }>;
const task = (spec: PipelineSpec, id: string): Extract<NodeSpec, { component: string }> => {
  const node = spec.dag.tasks[id] ?? loopOf(spec).loop.tasks[id];
  if (!node || !('component' in node)) throw new Error(`no task ${id}`);
  return node;
};
const codes = (r: ReturnType<typeof validatePipeline>): string[] => r.issues.map((i) => `${i.code}@${i.task ?? ''}`);

describe('validatePipeline: control flow', () => {
  it('accepts the DSL output', () => {
    expect(validatePipeline(base.spec).issues.map(formatIssue)).toEqual([]);
  });

  it('refuses a loop over something that is not a list, naming the loop', () => {
    const r = broken((s) => {
      loopOf(s).loop.items = { pipelineInput: 'n' };
    });
    expect(codes(r)).toContain('not-a-list@loop');
    expect(r.issues.map(formatIssue).join('\n')).toContain('loop items must be a list, but pipeline input "n" is int');
  });

  it('refuses a condition comparing incompatible types, naming the task', () => {
    const r = broken((s) => {
      const then = task(s, 'then');
      then.when = { op: 'gt', left: { pipelineInput: 'n' }, right: { const: 'ten' } };
    });
    expect(codes(r)).toContain('bad-condition@then');
    expect(r.issues.map(formatIssue).join('\n')).toContain('compares int with string');
  });

  it('refuses ordering comparisons on booleans and conditions on artifacts', () => {
    const r = broken((s) => {
      task(s, 'then').when = { op: 'lt', left: { const: true }, right: { const: false } };
    });
    expect(codes(r)).toContain('bad-condition@then');
  });

  it('refuses reading a loop body output from outside the loop (collect() is the way)', () => {
    const r = broken((s) => {
      task(s, 'sum').inputs.xs = { task: 'body', output: 'y' };
    });
    expect(codes(r)).toContain('bad-scope@sum');
    expect(r.issues.map(formatIssue).join('\n')).toMatch(/runs inside loop "loop", once per item/);
  });

  it('refuses collect() inside the collected loop and loop items outside the loop', () => {
    const r = broken((s) => {
      task(s, 'body').inputs.x = { loopItem: 'nope' };
      loopOf(s).loop.tasks.inner = { component: 'sum', inputs: { xs: { collect: { loop: 'loop', output: 'y' } } } };
    });
    expect(codes(r)).toEqual(expect.arrayContaining(['bad-scope@body', 'bad-scope@inner']));
  });

  it('refuses the run status outside an exit handler', () => {
    const r = broken((s) => {
      s.components.report = component({ name: 'report', inputs: { status: t.string() }, run: () => undefined }).spec;
      s.dag.tasks.report = { component: 'report', inputs: { status: { runStatus: 'status' } } };
    });
    expect(codes(r)).toContain('bad-scope@report');
  });

  it('refuses an approval gate inside a loop', () => {
    const r = broken((s) => {
      s.components.approval = approval.spec;
      loopOf(s).loop.tasks.gate = { component: 'approval', inputs: {} };
    });
    expect(codes(r)).toContain('bad-approval@gate');
  });

  it('refuses duplicate task ids across scopes and cycles inside a loop body', () => {
    const dup = broken((s) => {
      loopOf(s).loop.tasks.then = { component: 'num', inputs: { x: { const: 1 } } };
    });
    expect(codes(dup)).toContain('duplicate-id@then');
    const cyc = broken((s) => {
      loopOf(s).loop.tasks.other = { component: 'num', inputs: { x: { task: 'body', output: 'y' } } };
      task(s, 'body').inputs.x = { task: 'other', output: 'y' };
    });
    expect(codes(cyc).some((c) => c.startsWith('cycle@'))).toBe(true);
  });

  it('checks oneOf options have one type', () => {
    const r = broken((s) => {
      task(s, 'then').inputs.x = { oneOf: [{ task: 'sum', output: 'total' }, { const: 'text' }] };
    });
    expect(codes(r)).toContain('type-mismatch@then');
  });

  it('gives a oneOf option read out of its loop the scope code', () => {
    const r = broken((s) => {
      task(s, 'then').inputs.x = { oneOf: [{ task: 'sum', output: 'total' }, { task: 'body', output: 'y' }] };
    });
    expect(codes(r)).toContain('bad-scope@then');
    expect(codes(r)).not.toContain('unknown-source@then');
  });

  it('refuses a pipeline output read from a task inside a loop', () => {
    const r = broken((s) => {
      s.outputs = { y: { task: 'body', output: 'y' } };
    });
    expect(r.issues.map(formatIssue).join('\n')).toContain('pipeline output "y": task "body" runs inside loop "loop"');
  });

  it('type-checks a condition on an upstream parameter output', () => {
    const ok = pipeline({ name: 'ok' }, (p) => {
      const a = p.task(num, { x: 1 }, { id: 'a' });
      p.when(gt(a.outputs.y, 0.5), () => p.task(num, { x: 2 }, { id: 'b' }));
    });
    expect(validatePipeline(ok.spec).ok).toBe(true);
    const r = validatePipeline({
      ...structuredClone(ok.spec),
      dag: { tasks: { ...ok.spec.dag.tasks, b: { ...ok.spec.dag.tasks.b, when: { op: 'gt', left: { task: 'a', output: 'word' }, right: { const: 0.5 } } } } },
    });
    expect(codes(r)).toContain('bad-condition@b');
  });

  it('checks the placeholders of command components in IR from any source', () => {
    const r = broken((s) => {
      s.components.cmd = {
        name: 'cmd',
        version: '1',
        inputs: { data: { kind: 'artifact', type: 'Dataset' } },
        outputs: {},
        impl: { kind: 'command', command: ['python3', '{{inputValue:data}}', '{{inputpath:data}}'], digest: '0'.repeat(64) },
      };
    });
    const text = r.issues.map(formatIssue).join('\n');
    expect(codes(r)).toEqual(['bad-command@', 'bad-command@']);
    expect(text).toContain('"data" is an artifact input, not a parameter; use {{inputPath:data}}');
    expect(text).toContain('unknown placeholder {{inputpath:data}}');
  });
});

describe('validatePipeline: hostile IR', () => {
  // Issue 11 #6: a task fed by its own output passed, and its run "succeeded" with every task skipped.
  it('refuses a task wired to its own output as a cycle', () => {
    const r = broken((s) => {
      task(s, 'then').inputs.x = { task: 'then', output: 'y' };
    });
    expect(codes(r)).toContain('cycle@then');
    expect(r.issues.find((i) => i.code === 'cycle')?.message).toBe('tasks form a cycle: then → then');
  });

  it('refuses a task inside a loop body wired to its own output', () => {
    const r = broken((s) => {
      task(s, 'body').inputs.x = { task: 'body', output: 'y' };
    });
    expect(r.issues.find((i) => i.code === 'cycle')?.message).toBe('tasks form a cycle: body → body');
  });

  it('refuses names that are properties of every object, and never throws on references to them', () => {
    for (const id of ['constructor', 'prototype']) {
      const r = broken((s) => {
        s.dag.tasks[id] = { component: 'num', inputs: { x: { const: 1 } } };
      });
      expect(codes(r)).toContain(`bad-name@${id}`);
      expect(r.issues.find((i) => i.task === id)?.message).toBe(`task id "${id}" is reserved (__proto__, constructor and prototype cannot be names)`);
    }
    // JSON.parse keeps "__proto__" as an own key; the schema would silently drop that task.
    const text = JSON.stringify(base.spec).replace('"then":{', '"__proto__":{');
    const proto = validatePipeline(JSON.parse(text));
    expect(proto.ok).toBe(false);
    expect(proto.issues.map((i) => `${i.code}:${i.path.join('.')}`)).toContain('bad-name:dag.tasks.__proto__');
    // Inherited names are no components, inputs or outputs.
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const r = broken((s) => {
        task(s, 'then').component = name;
      });
      expect(codes(r)).toContain('unknown-component@then');
      const out = broken((s) => {
        task(s, 'then').inputs.x = { task: 'sum', output: name };
      });
      expect(codes(out)).toContain('unknown-source@then');
      const input = broken((s) => {
        task(s, 'then').inputs.x = { pipelineInput: name };
      });
      expect(codes(input)).toContain('unknown-source@then');
    }
  });

  it('checks by the old rules only when asked (a workflow replaying a run that started before them)', () => {
    const spec = structuredClone(base.spec);
    task(spec, 'then').inputs.x = { task: 'then', output: 'y' };
    spec.description = 'a\u0000b';
    expect(validatePipeline(spec).ok).toBe(false);
    expect(validatePipeline(spec, { hostileInputChecks: false }).issues).toEqual([]);
  });

  // Issue 11 #3: PostgreSQL cannot store NUL (text, jsonb) or lone surrogates (jsonb).
  it('refuses text PostgreSQL cannot store, naming where it is', () => {
    const r = broken((s) => {
      s.description = 'bad \u0000 text';
      task(s, 'then').inputs.x = { const: 1 };
      s.components.num = { ...s.components.num, description: 'half \ud800 pair' } as (typeof s.components)['num'];
    });
    const texts = r.issues.filter((i) => i.code === 'bad-text');
    expect(texts.map((i) => i.message)).toEqual([
      'components.num.description contains a lone surrogate (\\ud800), which is not valid Unicode text',
      'description contains a NUL character (\\u0000), which cannot be stored',
    ]);
    expect(texts.map((i) => i.path.join('.'))).toEqual(['components.num.description', 'description']);
  });
});
