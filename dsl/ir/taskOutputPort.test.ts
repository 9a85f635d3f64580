/** One answer to "what is output X of task T": component outputs, and a study's own outputs, for the validator, nested pipelines and codegen. */
import { describe, expect, it } from 'vitest';
import { component } from '../component';
import { pipeline } from '../pipeline';
import { t } from '../ports';
import { tune } from '../tune';
import { TUNE_OUTPUTS, taskOutputPort, taskOutputPorts } from './tuneSpec';
import { formatIssue, validatePipeline } from './validate';
import type { TaskSpec } from './schema';

const train = component({
  name: 'train',
  inputs: { lr: t.float(), units: t.int(), act: t.enum(['relu', 'tanh']), momentum: t.float({ default: 0 }) },
  outputs: { accuracy: t.float(), model: t.Model() },
  run: () => ({ accuracy: 1 }),
});
const studyOf = (p: Parameters<Parameters<typeof pipeline>[1]>[0]) =>
  p.tune(train, {
    inputs: { act: 'relu' },
    space: { lr: tune.uniform(0, 1), units: tune.choice([1, 4]), momentum: tune.uniform(0, 0.9, { when: { param: 'units', in: [1] } }) },
    objective: { metric: 'accuracy', goal: 'maximize' },
    maxTrials: 4,
  });

describe('taskOutputPort', () => {
  const spec = pipeline({ name: 'ports' }, (p) => {
    studyOf(p);
  }).spec;
  const node = spec.dag.tasks['tune-train'] as TaskSpec;
  const comp = spec.components[node.component]!;

  it("gives a study's component outputs, its own outputs and best.<param> typed as the input", () => {
    expect(taskOutputPort(node, comp, 'accuracy')).toEqual({ kind: 'parameter', type: 'float' });
    expect(taskOutputPort(node, comp, 'model')).toMatchObject({ kind: 'artifact', type: 'Model' });
    for (const [name, port] of Object.entries(TUNE_OUTPUTS)) expect(taskOutputPort(node, comp, name)).toEqual(port);
    expect(taskOutputPort(node, comp, 'trialsDataset')).toEqual({ kind: 'artifact', type: 'Dataset' });
    expect(taskOutputPort(node, comp, 'best.units')).toEqual({ kind: 'parameter', type: 'int' });
    expect(taskOutputPort(node, comp, 'best.momentum')).toEqual({ kind: 'parameter', type: 'float', optional: true });
    expect(taskOutputPort(node, comp, 'best.act')).toBeUndefined();
    expect(taskOutputPort(node, comp, 'nope')).toBeUndefined();
  });

  it("lists every output port of a study, each as taskOutputPort answers it: the component's, the study's own, best.<param> per space parameter", () => {
    const all = taskOutputPorts(node, comp);
    expect(Object.keys(all)).toEqual(['accuracy', 'model', ...Object.keys(TUNE_OUTPUTS), 'best.lr', 'best.units', 'best.momentum']);
    for (const [name, port] of Object.entries(all)) expect(port, name).toEqual(taskOutputPort(node, comp, name));
    const { tune: _t, ...plain } = node;
    expect(Object.keys(taskOutputPorts(plain, comp))).toEqual(['accuracy', 'model']);
  });

  it('gives a plain task only its component outputs', () => {
    const { tune: _t, ...plain } = node;
    expect(taskOutputPort(plain, comp, 'accuracy')).toEqual({ kind: 'parameter', type: 'float' });
    expect(taskOutputPort(plain, comp, 'bestValue')).toBeUndefined();
  });

  it("lets a nested pipeline return its study's own outputs, typed as the study gives them", () => {
    const inner = pipeline({ name: 'inner' }, (p) => {
      const s = studyOf(p);
      return { best: s.outputs.bestValue, units: s.best.units, trials: s.outputs.trialsDataset, model: s.outputs.model };
    });
    const summarize = component({ name: 'summarize', inputs: { trials: t.Dataset(), best: t.float(), units: t.int() }, run: () => undefined });
    const outer = pipeline({ name: 'outer' }, (p) => {
      const sub = p.task(inner, {});
      p.task(summarize, { trials: sub.outputs.trials, best: sub.outputs.best, units: sub.outputs.units });
      return { best: sub.outputs.best };
    });
    const nested = Object.values(outer.spec.components).find((c) => c.name === 'inner');
    expect(nested?.outputs).toEqual({
      best: { kind: 'parameter', type: 'float' },
      units: { kind: 'parameter', type: 'int' },
      trials: { kind: 'artifact', type: 'Dataset' },
      model: { kind: 'artifact', type: 'Model' },
    });
    expect(validatePipeline(outer.spec).issues.map(formatIssue)).toEqual([]);
  });
});
