/** What the concerns' contract suites share: fresh ids, sample inputs, and a run to hang rows on. */
import { randomUUID } from 'node:crypto';
import type { PipelineSpec } from '../../../dsl/ir/schema';
import type { ArtifactRecord, MetadataStore } from './MetadataStore';

export function uid(): string {
  return randomUUID().replace(/-/g, '').slice(0, 12);
}

export function artifactInput(id: string): Omit<ArtifactRecord, 'createdAt'> {
  return {
    id,
    type: 'Dataset',
    name: id.split('/').pop() ?? id,
    uri: `file:///artifacts/sha256/${id}`,
    sha256: 'ab'.repeat(32),
    size: 1234,
    properties: { rows: 150, columns: ['a', 'b'], note: null },
  };
}

export function pipelineSpec(name: string): PipelineSpec {
  return {
    apiVersion: 'sluice/v1',
    name,
    inputs: { lr: { kind: 'parameter', type: 'float', default: 0.1 } },
    outputs: { model: { task: 'train', output: 'model' } },
    components: {
      trainer: {
        name: 'trainer',
        version: '1.0.0',
        inputs: { lr: { kind: 'parameter', type: 'float' } },
        outputs: { model: { kind: 'artifact', type: 'Model' } },
        impl: { kind: 'function', digest: 'f'.repeat(64) },
      },
    },
    dag: { tasks: { train: { component: 'trainer', inputs: { lr: { pipelineInput: 'lr' } } } } },
  };
}

/** Runs and executions on the store under test (read when called: the store opens in beforeAll). */
export function runFixtures(store: () => MetadataStore) {
  /** A pipeline with a unique name, a registered version and a run of it. */
  async function newRun(suffix = 'run') {
    const spec = pipelineSpec(`p${uid()}`);
    const version = await store().registerPipelineVersion(spec, `digest-${uid()}`);
    const run = await store().createRun({
      id: `${suffix}-${uid()}`,
      pipelineVersionId: version.id,
      params: { lr: 0.1 },
      trigger: { kind: 'manual' },
      workflowId: `wf-${uid()}`,
    });
    return { spec, version, run };
  }

  async function startTask(runId: string, taskId: string, attempt = 1) {
    return store().startExecution({
      id: `${runId}/${taskId}`,
      runId,
      taskId,
      componentName: taskId,
      componentDigest: `c-${taskId}`,
      attempt,
      params: {},
    });
  }

  return { newRun, startTask };
}
