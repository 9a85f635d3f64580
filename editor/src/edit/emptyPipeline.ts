import { API_VERSION, type PipelineSpec } from 'sluice/ir';

/** A new pipeline with nothing in it (what #/new opens). */
export function emptyPipeline(name = 'untitled'): PipelineSpec {
  return { apiVersion: API_VERSION, name, inputs: {}, outputs: {}, components: {}, dag: { tasks: {} } };
}
