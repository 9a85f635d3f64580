/** The pipelines the benchmarks run: one no-op component, chained or fanned out. */
import { component, pipeline, t, tune, type AnyPipeline } from 'sluice/dsl';

/** Returns x + 1, like the raw `noop` activity. Caching is off: every task really runs. */
export const noop = component({
  name: 'bench-noop',
  inputs: { x: t.int() },
  outputs: { y: t.int() },
  cache: false,
  run: ({ x }) => ({ y: x + 1 }),
});

/** The same no-op as a light step: a local activity of the control worker (`execution: 'local'`). */
export const noopLocal = component({
  name: 'bench-noop-local',
  inputs: { x: t.int() },
  outputs: { y: t.int() },
  cache: false,
  execution: 'local',
  run: ({ x }) => ({ y: x + 1 }),
});

/** Metrics each `noopLocalMetrics` step reports. */
export const METRICS_PER_STEP = 2;

/** The light no-op reporting METRICS_PER_STEP metrics, as a step that logs a loss or a count would. */
export const noopLocalMetrics = component({
  name: 'bench-noop-local-metrics',
  inputs: { x: t.int() },
  outputs: { y: t.int() },
  cache: false,
  execution: 'local',
  run: ({ x }, ctx) => {
    for (let i = 0; i < METRICS_PER_STEP; i++) ctx.metric(`m${i}`, x + i);
    return { y: x + 1 };
  },
});

/** `n` tasks in a row, each taking the previous task's output; `local`: light steps. */
export function chainPipeline(n: number, local = false): AnyPipeline {
  const step = local ? noopLocal : noop;
  return pipeline({ name: `bench-chain-${n}${local ? '-local' : ''}` }, (p) => {
    let prev = p.task(step, { x: 0 }, { id: 't0' });
    for (let i = 1; i < n; i++) prev = p.task(step, { x: prev.outputs.y }, { id: `t${i}` });
    return { y: prev.outputs.y };
  });
}

/** One no-op task per item of `xs`, at the loop's default parallelism or at `parallelism`; `local`: light steps. */
export function fanoutPipelineWith(parallelism?: number, local = false): AnyPipeline {
  const name = `${parallelism ? `bench-fanout-p${parallelism}` : 'bench-fanout'}${local ? '-local' : ''}`;
  return pipeline({ name, inputs: { xs: t.list(t.int()) } }, (p) => {
    p.forEach(
      p.inputs.xs,
      (x) => {
        p.task(local ? noopLocal : noop, { x }, { id: 'noop' });
      },
      { id: 'each', ...(parallelism ? { parallelism } : {}) },
    );
  });
}

/** The light fan-out whose step reports metrics (noopLocalMetrics). */
export const fanoutPipelineLocalMetrics: AnyPipeline = pipeline({ name: 'bench-fanout-local-metrics', inputs: { xs: t.list(t.int()) } }, (p) => {
  p.forEach(
    p.inputs.xs,
    (x) => {
      p.task(noopLocalMetrics, { x }, { id: 'noop' });
    },
    { id: 'each' },
  );
});

export const fanoutPipeline: AnyPipeline = fanoutPipelineWith();
export const fanoutPipelineLocal: AnyPipeline = fanoutPipelineWith(undefined, true);

export function items(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** `n` tasks that all read one root task: a flat fan without a loop (each a node of the top-level scope). */
export function flatFanPipeline(n: number): AnyPipeline {
  return pipeline({ name: `bench-flat-fan-${n}` }, (p) => {
    const root = p.task(noop, { x: 0 }, { id: 'root' });
    for (let i = 1; i < n; i++) p.task(noop, { x: root.outputs.y }, { id: `t${i}` });
  });
}

/** A no-op trial: reports its input as the objective `value` (a study needs one) and returns. */
export const noopTrial = component({
  name: 'bench-noop-trial',
  inputs: { x: t.int() },
  outputs: { y: t.int() },
  cache: false,
  run: ({ x }, ctx) => {
    ctx.metric('value', x);
    return { y: x + 1 };
  },
});

/** A random-search study of `trials` no-op trials, `parallel` at a time (bench:tuning's overhead half). */
export function studyPipeline(trials: number, parallel: number): AnyPipeline {
  return pipeline({ name: `bench-study-${trials}-${parallel}` }, (p) => {
    const study = p.tune(noopTrial, {
      space: { x: tune.intRange(0, 1_000_000) },
      objective: { metric: 'value', goal: 'minimize' },
      algorithm: 'random',
      maxTrials: trials,
      parallelTrials: parallel,
      seed: 1,
    });
    return { best: study.outputs.bestValue };
  });
}

/** The no-op trial as a one-task nested pipeline (a pipeline as the trial: each trial a child workflow). */
const noopTrialPipeline = pipeline({ name: 'bench-noop-trial-pipeline', inputs: { x: t.int() } }, (p) => {
  const trial = p.task(noopTrial, { x: p.inputs.x }, { id: 'trial' });
  return { y: trial.outputs.y };
});

/** studyPipeline's study with the no-op trial inside a nested pipeline (bench:tuning --pipeline-trial). */
export function pipelineTrialStudyPipeline(trials: number, parallel: number): AnyPipeline {
  return pipeline({ name: `bench-pipeline-study-${trials}-${parallel}` }, (p) => {
    const study = p.tune(noopTrialPipeline, {
      space: { x: tune.intRange(0, 1_000_000) },
      objective: { metric: 'value', task: 'trial', goal: 'minimize' },
      algorithm: 'random',
      maxTrials: trials,
      parallelTrials: parallel,
      seed: 1,
    });
    return { best: study.outputs.bestValue };
  });
}
