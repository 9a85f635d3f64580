/**
 * Flat pipelines without loops, large ones included: a 10,000-task pipeline used to be accepted
 * (after 37 s) and then never start (its first workflow task timed out in the quadratic
 * interpreter) nor cancel. Now the interpreter is O(n log n), starts at most MAX_RUNNING_PER_SCOPE
 * nodes of a scope at once, and what one workflow cannot hold is refused at submission.
 * Timing lives in bench/largeDag.ts (`npm run bench:large`), not here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { component, compile, pipeline, PipelineValidationError, t, type AnyPipeline } from '../../dsl/index';
import { MAX_NODES_PER_SCOPE } from '../../dsl/ir/index';
import { submitRun } from '../../engine/runs/index';
import type { RunningApiServer } from '../../engine/server/index';
import { MAX_RUNNING_PER_SCOPE } from '../../engine/temporal/workflows/scope';
import { startTestApi } from '../support/apiServer';
import { startTestStack, type TestStack } from '../support/stackHarness';

const inc = component({
  name: 'large-inc',
  inputs: { x: t.int() },
  outputs: { y: t.int() },
  cache: false,
  run: ({ x }) => ({ y: x + 1 }),
});

function chain(n: number): AnyPipeline {
  return pipeline({ name: `large-chain-${n}` }, (p) => {
    let prev = p.task(inc, { x: 0 }, { id: 't0' });
    for (let i = 1; i < n; i++) prev = p.task(inc, { x: prev.outputs.y }, { id: `t${i}` });
    return { y: prev.outputs.y };
  });
}

function fan(n: number): AnyPipeline {
  return pipeline({ name: `large-fan-${n}` }, (p) => {
    const root = p.task(inc, { x: 0 }, { id: 'root' });
    for (let i = 1; i < n; i++) p.task(inc, { x: root.outputs.y }, { id: `t${i}` });
  });
}

describe('large flat pipelines', () => {
  let ts: TestStack;
  let server: RunningApiServer;
  beforeAll(async () => {
    ts = await startTestStack('pglite', [{ inc }]);
    server = await startTestApi(ts);
  });
  afterAll(async () => {
    await server?.close();
    await ts?.stop();
  });

  it('refuses a 10,000-task chain and fan at submission, naming the limit, and writes nothing', async () => {
    for (const p of [chain(10_000), fan(10_000)]) {
      const spec = compile(p).spec;
      const runsBefore = (await ts.stack.metadata.listRuns()).length;
      const refused = await submitRun({ client: ts.stack.client, metadata: ts.stack.metadata, spec, taskQueuePrefix: ts.stack.taskQueuePrefix }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(PipelineValidationError);
      const issue = (refused as PipelineValidationError).issues[0];
      expect(issue?.code).toBe('too-large');
      expect(issue?.message).toContain(`has 10000 tasks, but one workflow runs at most ${MAX_NODES_PER_SCOPE}`);

      const res = await fetch(`${server.url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec }) });
      const body = (await res.json()) as { errors: { code: string; path: string; message: string }[] };
      expect(res.status).toBe(422);
      expect(body.errors[0]).toMatchObject({ code: 'too-large', path: '/body/spec/dag/tasks' });
      expect((await ts.stack.metadata.listRuns()).length).toBe(runsBefore);
      expect((await ts.stack.metadata.listPipelines()).map((x) => x.name)).not.toContain(spec.name);
    }
  });

  it(`runs a flat fan wider than the ${MAX_RUNNING_PER_SCOPE} nodes a scope starts at once, every task once`, async () => {
    const n = MAX_RUNNING_PER_SCOPE + 60;
    const run = await ts.run(fan(n));
    expect(run.status).toBe('succeeded');
    const executions = await ts.stack.metadata.listExecutions(run.id);
    expect(executions.filter((e) => e.status === 'succeeded')).toHaveLength(n);
  });

  it('runs a chain, each task reading the one before', async () => {
    const run = await ts.run(chain(40));
    expect(run.status).toBe('succeeded');
    expect(run.outputs).toMatchObject({ y: 40 });
  });
});
