/**
 * A study's outputs as ports on the canvas: bestParams, bestValue, bestTrial, trials, trialsDataset
 * and best.<param> per search parameter (from dsl/ir's taskOutputPorts), wired by the same rules as
 * any task's outputs; the tune form's parameters add and remove the best.<param> ports.
 */
import { describe, expect, it } from 'vitest';
import { component, t } from 'sluice/dsl';
import { isTaskNode, TUNE_OUTPUTS, validatePipeline, type PipelineSpec, type TuneSpec } from 'sluice/ir';
import { pipelineGraph } from '../graph/pipelineGraph';
import { addTask } from './addTask';
import { setInput } from './bindings';
import { connect, connectableOutputs, connectionProblem } from './connect';
import { emptyPipeline } from './emptyPipeline';
import { makeStudy, setTune, withSearchParam } from './tune';

const train = component({
  name: 'train',
  inputs: { lr: t.float(), units: t.int({ default: 8 }) },
  outputs: { loss: t.float(), model: t.Model() },
  run: ({ lr }, ctx) => {
    ctx.metric('loss', lr);
    return { loss: lr } as never;
  },
});
// Distinct run bodies: the editor reuses a component whose digest (its code) is already there.
const summarize = component({ name: 'summarize', inputs: { table: t.Dataset() }, outputs: { rows: t.int() }, run: () => ({ rows: 0 }) });
const deploy = component({ name: 'deploy', inputs: { model: t.Model() }, outputs: { ok: t.bool() }, run: () => ({ ok: true }) });
const report = component({ name: 'report', inputs: { units: t.int(), lr: t.float() }, outputs: { text: t.string() }, run: ({ units }) => ({ text: `${units}` }) });

/** train made a study in the editor (lr searched), then units searched too; three downstream tasks. */
function withStudy(): PipelineSpec {
  let spec = addTask(emptyPipeline('study-ports'), train.spec, { position: { x: 0, y: 0 } }).spec;
  spec = setInput(spec, 'train', 'lr', { const: 0.01 });
  const made = makeStudy(spec, 'train');
  if (!made.ok) throw new Error(made.reason);
  spec = searched(made.spec, 'units', { type: 'intRange', low: 4, high: 16 });
  for (const c of [summarize, deploy, report]) spec = addTask(spec, c.spec, { position: { x: 400, y: 0 } }).spec;
  return spec;
}

function tuneOf(spec: PipelineSpec): TuneSpec {
  const node = spec.dag.tasks.train;
  if (!node || !isTaskNode(node) || !node.tune) throw new Error('train is not a study');
  return node.tune;
}

/** The tune form's edit: search `name` with `param`, or stop searching it (undefined). */
function searched(spec: PipelineSpec, name: string, param: TuneSpec['space'][string] | undefined): PipelineSpec {
  const r = setTune(spec, 'train', withSearchParam(tuneOf(spec), name, param));
  if (!r.ok) throw new Error(r.reason);
  return r.spec;
}

const outputsOf = (spec: PipelineSpec, id: string) => pipelineGraph(spec).nodes.find((n) => n.id === id)?.outputs ?? [];

describe("a study's output ports", () => {
  it("are the component's outputs, then the study's own, then best.<param> per search parameter, typed as the IR types them", () => {
    const outs = outputsOf(withStudy(), 'train');
    expect(outs.map((p) => p.name)).toEqual(['loss', 'model', ...Object.keys(TUNE_OUTPUTS), 'best.lr', 'best.units']);
    const spec = (name: string) => outs.find((p) => p.name === name)?.spec;
    expect(spec('trialsDataset')).toEqual({ kind: 'artifact', type: 'Dataset' });
    expect(spec('bestValue')).toEqual({ kind: 'parameter', type: 'float' });
    expect(spec('best.units')).toEqual({ kind: 'parameter', type: 'int' });
    expect(spec('best.lr')).toEqual({ kind: 'parameter', type: 'float' });
    // A plain task shows only its component's outputs.
    let plain = addTask(emptyPipeline('plain'), train.spec, { position: { x: 0, y: 0 } }).spec;
    plain = setInput(plain, 'train', 'lr', { const: 0.1 });
    expect(outputsOf(plain, 'train').map((p) => p.name)).toEqual(['loss', 'model']);
  });

  it('wires trialsDataset into a Dataset input; a Model input refuses it by the port-type rule', () => {
    const spec = withStudy();
    const ok = connect(spec, { source: 'train', sourcePort: 'trialsDataset', target: 'summarize', targetPort: 'table' });
    if (!ok.ok) throw new Error(ok.reason);
    expect(ok.spec.dag.tasks.summarize).toMatchObject({ inputs: { table: { task: 'train', output: 'trialsDataset' } } });
    expect(validatePipeline(ok.spec).issues.filter((i) => i.task === 'summarize')).toEqual([]);
    const refused = connect(spec, { source: 'train', sourcePort: 'trialsDataset', target: 'deploy', targetPort: 'model' });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toMatch(/train\.trialsDataset \(Dataset\) cannot feed deploy input 'model' \(Model\)/);
    // The best trial's own model does fit.
    expect(connectionProblem(spec, { source: 'train', sourcePort: 'model', target: 'deploy', targetPort: 'model' })).toBeUndefined();
    // A keyboard user is offered the study's Dataset for a Dataset input, and best.units for an int one.
    expect(connectableOutputs(spec, 'summarize', 'table')).toContainEqual({ source: 'train', sourcePort: 'trialsDataset', target: 'summarize', targetPort: 'table' });
    expect(connectableOutputs(spec, 'report', 'units').map((c) => c.sourcePort)).toEqual(expect.arrayContaining(['best.units', 'bestTrial']));
    expect(connectableOutputs(spec, 'report', 'units').map((c) => c.sourcePort)).not.toContain('trialsDataset');
  });

  it('follow the tune form: a removed search parameter takes its best.<param> port away and its edge is flagged; adding it back mends it', () => {
    let spec = withStudy();
    const wired = connect(spec, { source: 'train', sourcePort: 'best.units', target: 'report', targetPort: 'units' });
    if (!wired.ok) throw new Error(wired.reason);
    spec = wired.spec;
    const problems = (s: PipelineSpec) => validatePipeline(s).issues.filter((i) => i.task === 'report' && i.port === 'units').map((i) => i.message);
    expect(problems(spec)).toEqual([]);

    const removed = searched(spec, 'units', undefined);
    expect(outputsOf(removed, 'train').map((p) => p.name)).not.toContain('best.units');
    // The edge stays in the IR (nothing silently rewired) and the validator names it, as for any output that is gone.
    expect(pipelineGraph(removed).edges).toContainEqual(expect.objectContaining({ source: 'train', sourcePort: 'best.units', target: 'report', targetPort: 'units' }));
    expect(problems(removed).join('\n')).toMatch(/has no output "best\.units"; its outputs are: loss, model, bestParams, .*trialsDataset, best\.lr/);

    const back = searched(removed, 'units', { type: 'intRange', low: 4, high: 16 });
    expect(outputsOf(back, 'train').map((p) => p.name)).toContain('best.units');
    expect(problems(back)).toEqual([]);
  });
});
