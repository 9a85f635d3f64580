/**
 * executeTask outside Temporal (in a mocked activity context): what one call costs with the real
 * metadata store and with a store that does nothing, so the metadata writes and the rest
 * (digests, scratch directories, component resolution) can be told apart.
 */
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { compile } from 'sluice/dsl';
import type { EmbeddedStack } from 'sluice/engine';
import { createExecuteTask } from '../../engine/temporal/activities/executeTask';
import { createLogger } from '../../engine/logging';
import type { MetadataStore } from '../../engine/stores/metadata/MetadataStore';
import type { ExecuteTaskInput } from '../../engine/temporal/workflows/types';
import { chainPipeline } from './pipelines';

/** A metadata store whose every method resolves at once with as little as executeTask needs. */
const nullStore = new Proxy({} as MetadataStore, {
  get: (_target, name) => (arg: { attempt?: number; params?: object }) =>
    Promise.resolve(
      name === 'beginExecution'
        ? { started: true, cached: undefined, execution: { status: 'running', attempt: arg.attempt ?? 1, params: arg.params, startedAt: new Date() } }
        : name === 'recordFinishedExecution'
          ? { written: true, outputs: {} }
          : undefined,
    ),
});

export interface ExecuteTaskCost {
  calls: number;
  /** Mean ms per call, run one after another. */
  withStoreMs: number;
  withNullStoreMs: number;
}

/** `calls` sequential executeTask calls under a run that exists (the rows need it). */
export async function executeTaskCost(stack: EmbeddedStack, runId: string, calls: number): Promise<ExecuteTaskCost> {
  const spec = compile(chainPipeline(1)).spec;
  const component = Object.values(spec.components)[0];
  if (!component) throw new Error('the one-task pipeline has no component');
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 15_000 });
  const common = {
    artifacts: stack.artifacts,
    registry: stack.registry,
    workRoot: path.join(stack.stateDir, 'work-alone'),
    logger: createLogger({ level: 'silent' }),
  };
  const time = async (metadata: MetadataStore, label: string): Promise<number> => {
    const executeTask = createExecuteTask({ ...common, metadata });
    const input = (i: number): ExecuteTaskInput => ({
      runId,
      taskId: `alone-${label}/t${i}`,
      component,
      inputs: { x: { kind: 'parameter', value: i } },
      cache: { enabled: false },
    });
    for (let i = 0; i < 10; i++) await env.run(executeTask, input(i)); // warm-up
    const t0 = performance.now();
    for (let i = 10; i < calls + 10; i++) await env.run(executeTask, input(i));
    return (performance.now() - t0) / calls;
  };
  return { calls, withStoreMs: await time(stack.metadata, 'pglite'), withNullStoreMs: await time(nullStore, 'null') };
}
