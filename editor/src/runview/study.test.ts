import { describe, expect, it } from 'vitest';
import type { MetricSeries, Study, TuneTrial } from 'sluice/api';
import { compile, component, pipeline, t, tune } from 'sluice/dsl';
import { bestSoFar, controlChange, intermediateCurves, stepLabelOf, studiesOfTask, studyObjective, studyTaskId, trialParallel, trialRows, trialValues } from './study';

const T0 = Date.parse('2030-01-10T12:00:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

const trial = (number: number, over: Partial<TuneTrial> = {}): TuneTrial => ({
  number,
  state: 'succeeded',
  params: { learningRate: 0.01, hiddenUnits: 8 },
  value: null,
  prunedStep: null,
  reason: null,
  executionId: `x${number}`,
  startedAt: at(number),
  finishedAt: at(number + 2),
  ...over,
});

const study = (trials: TuneTrial[], over: Partial<Study> = {}): Study => ({ study: 'tune-train', trials, best: null, control: null, ...over });

describe('a study in the run view', () => {
  it('belongs to the task it is a node of, also when it runs once per loop item', () => {
    expect(studyTaskId('tune-train')).toBe('tune-train');
    expect(studyTaskId('sweep[2]/tune-train')).toBe('tune-train');
    expect(studyTaskId('outer[0]/inner[12]/tune-x')).toBe('tune-x');
    const all = [study([]), study([], { study: 'sweep[0]/tune-b' }), study([], { study: 'sweep[1]/tune-b' })];
    expect(studiesOfTask(all, 'tune-b').map((s) => s.study)).toEqual(['sweep[0]/tune-b', 'sweep[1]/tune-b']);
    expect(studiesOfTask(all, 'train')).toEqual([]);
    expect(studiesOfTask(all, undefined)).toEqual([]);
  });

  it('finds the objective in the pipeline IR, also of a study in a loop body', () => {
    const train = component({ name: 'train', inputs: { lr: t.float() }, outputs: { loss: t.float() }, run: ({ lr }) => ({ loss: lr }) });
    const { spec } = compile(
      pipeline({ name: 'p' }, (p) => {
        const plain = p.task(train, { lr: 0.1 });
        p.forEach([1, 2], () => {
          const s = p.tune(train, { space: { lr: tune.uniform(0, 1) }, objective: { metric: 'loss', goal: 'minimize' }, maxTrials: 3 });
          return { best: s.outputs.bestValue };
        });
        return { loss: plain.outputs.loss };
      }),
    );
    // The study sits in a loop body: found by its node id all the same.
    expect(studyObjective(spec, 'tune-train')).toEqual({ metric: 'loss', goal: 'minimize' });
    expect(studyObjective(spec, 'train')).toBeUndefined();
    expect(studyObjective(spec, 'nope')).toBeUndefined();
    expect(studyObjective(null, 'tune-train')).toBeUndefined();
  });

  it('draws the best so far by trial number: failed and pruned trials (no value) add no point', () => {
    const trials = [
      trial(3, { value: 0.5 }),
      trial(0, { value: 0.9 }),
      trial(1, { state: 'pruned', prunedStep: 4 }),
      trial(2, { value: 0.7 }),
      trial(4, { value: 0.8 }),
      trial(5, { state: 'failed', reason: 'boom' }),
    ];
    expect(bestSoFar(trials, 'minimize')).toEqual([
      { x: 0, y: 0.9 },
      { x: 2, y: 0.7 },
      { x: 3, y: 0.5 },
      { x: 4, y: 0.5 },
    ]);
    expect(bestSoFar(trials, 'maximize').map((p) => p.y)).toEqual([0.9, 0.9, 0.9, 0.9]);
    expect(trialValues(trials)).toEqual([
      { x: 0, y: 0.9 },
      { x: 2, y: 0.7 },
      { x: 3, y: 0.5 },
      { x: 4, y: 0.8 },
    ]);
    expect(bestSoFar([], 'minimize')).toEqual([]);
  });

  it('lists trials by number with parameters, objective, state with the pruned step and reason, and duration', () => {
    const s = study(
      [
        trial(1, { state: 'pruned', prunedStep: 4, reason: 'best 0.9 is worse than the median 0.4 at step 4', value: null }),
        trial(0, { value: 0.123456, params: { learningRate: 0.0123456, hiddenUnits: 8, activation: 'relu' } }),
        trial(2, { state: 'running', finishedAt: null }),
        trial(3, { state: 'failed', reason: 'told to fail' }),
      ],
      { best: { number: 0, value: 0.123456, params: {} } },
    );
    const rows = trialRows(s, T0 + 10_500);
    expect(rows.map((r) => r.number)).toEqual([0, 1, 2, 3]);
    expect(rows[0]).toEqual({ number: 0, params: 'learningRate = 0.0123, hiddenUnits = 8, activation = relu', objective: '0.123', state: 'succeeded', detail: '', duration: '2.0 s', best: true });
    expect(rows[1]).toMatchObject({ state: 'pruned', detail: 'at step 4: best 0.9 is worse than the median 0.4 at step 4', objective: '', best: false });
    expect(rows[2]).toMatchObject({ state: 'running', duration: '8.5 s so far' });
    expect(rows[3]).toMatchObject({ state: 'failed', detail: 'told to fail' });
  });

  it("takes each trial's intermediate values from its own execution's metrics, marking pruned trials", () => {
    const s = study([trial(0, { value: 0.2 }), trial(1, { state: 'pruned', prunedStep: 2 }), trial(2, { state: 'running', finishedAt: null })]);
    const series = (taskId: string, key: string, n: number): MetricSeries => ({ taskId, key, stepLabel: 'epoch', points: Array.from({ length: n }, (_, i) => ({ step: i, value: 1 / (i + 1) })) });
    const metrics = [series('tune-train[0]', 'loss', 5), series('tune-train[0]', 'accuracy', 5), series('tune-train[1]', 'loss', 3), series('tune-train[2]', 'loss', 1), series('other[0]', 'loss', 4)];
    const curves = intermediateCurves(s, 'loss', metrics);
    expect(curves.map((c) => [c.label, c.points.length, c.pruned])).toEqual([
      ['#0', 5, false],
      ['#1 (pruned at 2)', 3, true],
    ]);
    expect(stepLabelOf(s, 'loss', metrics)).toBe('epoch');
    expect(stepLabelOf(s, 'loss', [])).toBe('step');
  });

  it('sends only the settings that changed, and refuses what is no positive whole number', () => {
    const current = { parallelTrials: 3, maxTrials: 12 };
    expect(controlChange(current, { parallelTrials: '4', maxTrials: '12' })).toEqual({ change: { parallelTrials: 4 } });
    expect(controlChange(current, { parallelTrials: ' 3 ', maxTrials: '20' })).toEqual({ change: { maxTrials: 20 } });
    expect(controlChange(current, { parallelTrials: '3', maxTrials: '12' })).toEqual({ change: {} });
    expect(controlChange(current, { parallelTrials: '0', maxTrials: '12' })).toEqual({ error: 'Parallel trials must be a whole number of at least 1; got "0"' });
    expect(controlChange(current, { parallelTrials: '2', maxTrials: '1.5' })).toEqual({ error: 'Max trials must be a whole number of at least 1; got "1.5"' });
    expect(controlChange(current, { parallelTrials: '', maxTrials: '12' })).toEqual({ error: 'Parallel trials must be a whole number of at least 1; got ""' });
  });
});

describe("a study's parallel-coordinates plot", () => {
  const series = (n: number, values: number[]): MetricSeries => ({ taskId: `tune-train[${n}]`, key: 'loss', points: values.map((value, step) => ({ step, value })) });

  it('has an axis per searched parameter then the objective, a line per trial with a value, pruned ones marked with their last reported value', () => {
    const s = study([
      trial(0, { params: { lr: 0.1, act: 'relu' }, value: 0.5 }),
      trial(1, { params: { lr: 0.3, act: 'tanh', slope: 2 }, value: 0.9 }),
      trial(2, { params: { lr: 0.2, act: 'relu' }, state: 'pruned', prunedStep: 3, value: null }),
      trial(3, { params: { lr: 0.2, act: 'relu' }, state: 'running', finishedAt: null }),
      trial(4, { params: { lr: 0.25, act: 'relu' }, state: 'failed' }),
    ]);
    const { plot, lines } = trialParallel(s, 'loss', [series(2, [1.3, 1.1]), series(3, [0.2])]);
    expect(plot.axes.map((a) => a.key)).toEqual(['lr', 'act', 'slope', 'loss']);
    expect(lines.map((l) => [l.number, l.pruned])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    expect(plot.lines.map((l) => l.id)).toEqual(['0', '1', '2']);
    // lr 0.1..0.3; act relu/tanh; slope only on trial 1 (the others break there); loss 0.5..1.1.
    expect(plot.lines.map((l) => l.positions)).toEqual([
      [0, 0, undefined, 0],
      [1, 1, 0.5, expect.closeTo(2 / 3, 9)],
      [expect.closeTo(0.5, 9), 0, undefined, 1],
    ]);
    expect(lines[2]?.title).toBe('#2 (pruned at 3): lr = 0.200, act = relu → loss 1.100 (last reported)');
    expect(lines[0]?.title).toBe('#0: lr = 0.100, act = relu → loss 0.500');
  });
});
