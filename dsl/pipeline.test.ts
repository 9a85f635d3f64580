/**
 * `pipeline()` runs the validator when the pipeline is defined: importing a module with an invalid
 * pipeline fails at once (tsx, the CLI, tests, the editor), naming pipeline, task, port and value.
 */
import { describe, expect, it } from 'vitest';
import { component } from './component';
import { PipelineValidationError } from './errors';
import { pipeline } from './pipeline';
import { t } from './ports';

const make = component({ name: 'make', outputs: { label: t.string() }, run: () => ({ label: 'x' }) });
const fit = component({
  name: 'fit',
  inputs: { epochs: t.int(), activation: t.enum(['relu', 'tanh'], { default: 'relu' }) },
  run: () => undefined,
});

function refusal(build: () => unknown): PipelineValidationError {
  try {
    build();
  } catch (e) {
    if (e instanceof PipelineValidationError) return e;
    throw e;
  }
  throw new Error('pipeline() accepted an invalid pipeline');
}

describe('pipeline() validates at definition', () => {
  it('refuses a value the types could not check, naming pipeline, task, port and value', () => {
    const epochs = 2.5; // a number: tsc cannot tell it is no int
    const e = refusal(() => pipeline({ name: 'bad-epochs' }, (p) => void p.task(fit, { epochs }, { id: 'fit-a' })));
    expect(e.code).toBe('invalid-pipeline');
    expect(e.issues.map((i) => `${i.code}:${i.task}.${i.port}`)).toEqual(['bad-value:fit-a.epochs']);
    expect(e.message).toContain('pipeline "bad-epochs", task "fit-a", port "epochs"');
    expect(e.message).toContain('2.5');
  });

  it('refuses wiring forced past the types, naming the source', () => {
    const e = refusal(() =>
      pipeline({ name: 'bad-wire' }, (p) => {
        const m = p.task(make, {});
        p.task(fit, { epochs: m.outputs.label as never, activation: 'gelu' as 'relu' }, { id: 'fit-b' });
      }),
    );
    expect(e.issues.map((i) => `${i.code}:${i.task}.${i.port}`).sort()).toEqual(['bad-value:fit-b.activation', 'type-mismatch:fit-b.epochs']);
    expect(e.message).toMatch(/task "fit-b", port "epochs": output "label" of task "make": parameter type string does not match int/);
    expect(e.message).toContain('"gelu"');
  });

  it('accepts a valid pipeline', () => {
    expect(pipeline({ name: 'ok' }, (p) => void p.task(fit, { epochs: 3 })).spec.dag.tasks.fit).toBeDefined();
  });
});
