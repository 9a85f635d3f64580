/**
 * Artifact inputs of a pipeline: the run's parameter value is an artifact id; the submitter turns
 * it into a reference (checking the artifact exists and has the input's type) before the run starts.
 */
import type { PipelineSpec } from '../../dsl/ir/schema';
import type { Json, MetadataStore } from '../stores/metadata/index';
import type { ArtifactRefValue } from '../temporal/workflows/types';
import { RunParamsError } from './runParams';

export async function resolveArtifactInputs(
  metadata: MetadataStore,
  spec: PipelineSpec,
  params: Record<string, Json>,
): Promise<Record<string, ArtifactRefValue>> {
  const out: Record<string, ArtifactRefValue> = {};
  const problems: string[] = [];
  for (const [name, port] of Object.entries(spec.inputs)) {
    if (port.kind !== 'artifact') continue;
    const id = params[name];
    if (typeof id !== 'string') continue;
    const a = await metadata.getArtifact(id);
    if (!a) problems.push(`parameter "${name}": no artifact with id "${id}"`);
    else if (port.type !== 'Artifact' && a.type !== port.type) problems.push(`parameter "${name}" takes a ${port.type}, but artifact "${id}" is a ${a.type}`);
    else out[name] = { kind: 'artifact', artifactId: a.id, type: a.type, uri: a.uri, sha256: a.sha256 };
  }
  if (problems.length) throw new RunParamsError(spec.name, problems);
  return out;
}
