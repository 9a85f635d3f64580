/** How the canvas draws a tuning study: a badge with its algorithm and budget, searched inputs showing their distribution. */
import { describe, expect, it } from 'vitest';
import { compile, component, pipeline, t, tune } from 'sluice/dsl';
import { buildFlow, type FlowCache } from './flow';
import type { TaskFlowNode } from './types';

const train = component({ name: 'train', inputs: { lr: t.float(), units: t.int(), epochs: t.int() }, outputs: { loss: t.float() }, run: ({ lr }) => ({ loss: lr }) });

describe('a study on the canvas', () => {
  it('carries a badge with its algorithm and budget, and its searched inputs are not missing', () => {
    const { spec } = compile(
      pipeline({ name: 'p' }, (p) => {
        p.task(train, { lr: 0.1, units: 4, epochs: 2 }, { id: 'plain' });
        p.tune(train, {
          inputs: { epochs: 3 },
          space: { lr: tune.logUniform(1e-4, 0.1), units: tune.intRange(4, 64, { step: 4 }) },
          objective: { metric: 'loss', goal: 'minimize' },
          algorithm: 'tpe',
          maxTrials: 40,
          parallelTrials: 4,
          earlyStopping: { rule: 'median' },
        });
        return {};
      }),
    );
    const nodes = buildFlow(spec, new Map() as FlowCache).nodes.filter((n): n is TaskFlowNode => n.type === 'task');
    const study = nodes.find((n) => n.id !== 'plain');
    const plain = nodes.find((n) => n.id === 'plain');
    expect(study?.data.study).toEqual({ badge: 'tpe ×40', summary: 'tpe · 40 trials, 4 at once · median stop' });
    expect(plain?.data.study).toBeUndefined();
    expect(study?.data.inputs.map((p) => [p.name, p.binding, p.missing ?? false])).toEqual([
      ['lr', '~ logUniform 0.0001..0.1', false],
      ['units', '~ intRange 4..64 step 4', false],
      ['epochs', '= 3', false],
    ]);
  });
});
