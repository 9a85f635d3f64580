/** `execution: 'local' | 'queued'`: light steps run as local activities (docs/ARCHITECTURE.md, "Execution modes"). */
import { describe, expect, it } from 'vitest';
import { command, component, compile, pipeline, PipelineValidationError, t } from '../index';
import { executionOptionEntries } from '../codegen/ports';
import { validatePipeline, type ValidationIssue } from './validate';

const step = component({ name: 'step', inputs: { x: t.int() }, outputs: { y: t.int() }, run: ({ x }) => ({ y: x }) });
const lightStep = component({ name: 'step', inputs: { x: t.int() }, outputs: { y: t.int() }, execution: 'local', run: ({ x }) => ({ y: x }) });

describe('execution mode', () => {
  it('compiles to execution on the component and the task, as said', () => {
    expect(lightStep.spec.execution).toBe('local');
    const { spec } = compile(
      pipeline({ name: 'p' }, (p) => {
        const a = p.task(step, { x: 1 }, { id: 'a', execution: 'local' });
        p.task(lightStep, { x: a.outputs.y }, { id: 'b', execution: 'queued' });
      }),
    );
    expect(spec.dag.tasks.a).toMatchObject({ execution: 'local' });
    expect(spec.dag.tasks.b).toMatchObject({ execution: 'queued' });
    expect(validatePipeline(spec).ok).toBe(true);
  });

  it('leaves the IR, hence the digest, of pipelines that do not say it unchanged', () => {
    const build = () => compile(pipeline({ name: 'p' }, (p) => void p.task(step, { x: 1 }, { id: 'a' })));
    const { spec, digest } = build();
    expect(JSON.stringify(spec)).not.toContain('execution');
    expect(build().digest).toBe(digest);
  });

  it('refuses local for command components and GPU tasks, naming the task', () => {
    // pipeline() validates when it is defined, so the refusal comes from there.
    const issuesOf = (define: () => unknown): ValidationIssue[] => {
      try {
        define();
      } catch (e) {
        if (e instanceof PipelineValidationError) return e.issues;
        throw e;
      }
      throw new Error('the pipeline was accepted');
    };
    const cmd = command({ name: 'cmd', outputs: {}, execution: 'local', command: () => ['true'] });
    expect(issuesOf(() => pipeline({ name: 'c' }, (p) => void p.task(cmd, {}, { id: 'c' })))).toContainEqual(
      expect.objectContaining({ code: 'bad-execution', task: 'c', path: ['components', 'cmd', 'execution'] }),
    );
    const gpu = issuesOf(() => pipeline({ name: 'g' }, (p) => void p.task(lightStep, { x: 1 }, { id: 'g', resources: { gpu: 1 } })));
    expect(gpu.map((i) => `${i.code}@${i.task ?? ''}`)).toContain('bad-execution@g');
  });

  it('is written back by the code generator', () => {
    expect(executionOptionEntries({ execution: 'local' }, 'here')).toContainEqual(['execution', expect.anything()]);
  });
});
