/**
 * The HTTP calls the editor's pages make, through the typed client of the API contract (sluice/api).
 * Versions are numbered 1, 2, … oldest first in routes (#/pipelines/iris/versions/3); the API knows
 * them by id, listed newest first.
 */
import type { CatalogComponent, Pipeline, PipelineListItem, PipelineVersionSummary } from 'sluice/api';
import { componentSpecSchema, formatIssue, validatePipeline, type ComponentSpec, type PipelineSpec } from 'sluice/ir';
import { api } from '../../api/client';

/** A catalog entry whose spec passed the IR's component schema: what the palette may put into a pipeline. */
export type PaletteComponent = Omit<CatalogComponent, 'spec' | 'inputs' | 'outputs'> & Pick<ComponentSpec, 'inputs' | 'outputs'> & { spec: ComponentSpec };

/** Pipelines by name; archived ones only when asked for. */
export const listPipelines = async (options: { archived?: boolean } = {}): Promise<PipelineListItem[]> =>
  (await api.listPipelines(options.archived ? { query: { archived: 'true' } } : {})).pipelines;

/** Archives (hides from listings, runs kept) or restores a pipeline. */
export const setPipelineArchived = async (name: string, archived: boolean): Promise<Pipeline> => (await api.updatePipeline({ params: { pipeline: name }, body: { archived } })).pipeline;

export const getPipeline = (name: string): Promise<{ pipeline: Pipeline; versions: PipelineVersionSummary[] }> => api.getPipeline({ params: { pipeline: name } });

/** Route number of a version (1 = oldest) from the newest-first list. */
export function versionNumber(versions: PipelineVersionSummary[], id: string): number | undefined {
  const i = versions.findIndex((v) => v.id === id);
  return i < 0 ? undefined : versions.length - i;
}

export interface LoadedVersion {
  spec: PipelineSpec;
  version: PipelineVersionSummary;
  number: number;
  count: number;
}

/** A stored version by route number, or the latest when none is given. */
export async function loadVersion(name: string, number?: number): Promise<LoadedVersion> {
  const { versions } = await getPipeline(name);
  if (versions.length === 0) throw new Error(`pipeline "${name}" has no versions yet; save one from the editor or with \`sluice compile\` + POST /api/pipelines`);
  const n = number ?? versions.length;
  const summary = versions[versions.length - n];
  if (!summary) throw new Error(`pipeline "${name}" has versions 1 to ${versions.length}; there is no version ${n}`);
  const { version } = await api.getPipelineVersion({ params: { pipeline: name, version: summary.id } });
  // The IR crosses a boundary here: check it as every other consumer does before trusting it. A
  // shape that parses opens even if a (newer, stricter) rule fails: the Problems tab lists it.
  const checked = validatePipeline(version.spec);
  const spec = checked.spec;
  if (!spec) {
    const issues = checked.ok ? [] : checked.issues;
    throw new Error(`version ${n} of pipeline "${name}" is not a pipeline IR (${issues.length} problems): ${issues.slice(0, 3).map(formatIssue).join('; ')}`);
  }
  return { spec, version: summary, number: n, count: versions.length };
}

/** Saves the IR as a version; `draft`: even with validation problems (stored as a draft that cannot run). */
export async function saveVersion(spec: PipelineSpec, options: { draft?: boolean } = {}): Promise<{ version: PipelineVersionSummary; created: boolean; number: number }> {
  const r = await api.createPipelineVersion({ body: { spec, ...(options.draft ? { draft: true } : {}) } });
  const { versions } = await getPipeline(r.pipeline.name);
  return { version: r.version, created: r.created, number: versionNumber(versions, r.version.id) ?? versions.length };
}

/** The catalog; each component spec is checked with the IR schema before it can enter a pipeline. */
export async function listComponents(): Promise<PaletteComponent[]> {
  const { components } = await api.listComponents();
  return components.map((c) => {
    const parsed = componentSpecSchema.safeParse(c.spec);
    if (!parsed.success) throw new Error(`the catalog's component "${c.name}" has an invalid spec: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return { ...c, spec: parsed.data, inputs: parsed.data.inputs, outputs: parsed.data.outputs };
  });
}

export const startRun = async (pipelineVersionId: string, params: Record<string, unknown>): Promise<string> =>
  (await api.submitRun({ body: { pipelineVersionId, params } })).run.id;
