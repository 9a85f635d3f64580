/** Rebuilds the result of an execution already recorded as done: its parameter outputs and output artifacts. */
import type { MetadataStore } from '../stores/metadata/index';
import type { ExecuteTaskResult, PortValue } from '../temporal/workflows/types';

export async function recordedResult(metadata: MetadataStore, executionId: string): Promise<ExecuteTaskResult | undefined> {
  const e = await metadata.getExecution(executionId);
  if (!e || (e.status !== 'succeeded' && e.status !== 'cached')) return undefined;
  const outputs: Record<string, PortValue> = {};
  for (const [k, v] of Object.entries(e.outputParams ?? {})) outputs[k] = { kind: 'parameter', value: v };
  for (const ev of await metadata.listEvents({ executionId })) {
    // A cached execution's artifacts are linked as 'reused': they are its outputs all the same.
    if (ev.kind !== 'output' && ev.kind !== 'reused') continue;
    const a = await metadata.getArtifact(ev.artifactId);
    if (a) outputs[ev.port] = { kind: 'artifact', artifactId: a.id, type: a.type, uri: a.uri, sha256: a.sha256 };
  }
  return { executionId, outputs, ...(e.cachedFrom ? { cachedFrom: e.cachedFrom } : {}) };
}
