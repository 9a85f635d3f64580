/** The pipelines the benchmarks run: one no-op component, chained or fanned out. */
import { component, pipeline, t, type AnyPipeline } from 'sluice/dsl';

/** Returns x + 1, like the raw `noop` activity. Caching is off: every task really runs. */
export const noop = component({
  name: 'bench-noop',
  inputs: { x: t.int() },
  outputs: { y: t.int() },
  cache: false,
  run: ({ x }) => ({ y: x + 1 }),
});

/** `n` tasks in a row, each taking the previous task's output. */
export function chainPipeline(n: number): AnyPipeline {
  return pipeline({ name: `bench-chain-${n}` }, (p) => {
    let prev = p.task(noop, { x: 0 }, { id: 't0' });
    for (let i = 1; i < n; i++) prev = p.task(noop, { x: prev.outputs.y }, { id: `t${i}` });
    return { y: prev.outputs.y };
  });
}

/** One no-op task per item of `xs`, at the loop's default parallelism or at `parallelism`. */
export function fanoutPipelineWith(parallelism?: number): AnyPipeline {
  return pipeline({ name: parallelism ? `bench-fanout-p${parallelism}` : 'bench-fanout', inputs: { xs: t.list(t.int()) } }, (p) => {
    p.forEach(
      p.inputs.xs,
      (x) => {
        p.task(noop, { x }, { id: 'noop' });
      },
      { id: 'each', ...(parallelism ? { parallelism } : {}) },
    );
  });
}

export const fanoutPipeline: AnyPipeline = fanoutPipelineWith();

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
