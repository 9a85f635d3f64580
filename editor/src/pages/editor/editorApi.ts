/**
 * The HTTP calls the editor makes, typed after engine/server (pipelines.ts, components.ts, runs.ts).
 * Versions are numbered 1, 2, … oldest first in routes (#/pipelines/iris/versions/3); the API
 * knows them by id, listed newest first.
 */
import { componentSpecSchema, formatIssue, validatePipeline, type ComponentSpec, type PipelineSpec, type PortSpec } from 'sluice/dsl';
import { api } from '../../api/client';

export interface PipelineRecord {
  id: string;
  name: string;
  createdAt: string;
}
export interface VersionSummary {
  id: string;
  pipelineId: string;
  pipelineName: string;
  digest: string;
  createdAt: string;
}
export interface PipelineListItem extends PipelineRecord {
  versionCount: number;
  latestVersion: VersionSummary | null;
}
export interface CatalogComponent {
  name: string;
  version: string;
  description: string | null;
  category: string;
  kind: 'function' | 'command' | 'approval' | 'pipeline';
  digest: string;
  inputs: Record<string, PortSpec>;
  outputs: Record<string, PortSpec>;
  spec: ComponentSpec;
}

export const listPipelines = async (): Promise<PipelineListItem[]> => (await api.get<{ pipelines: PipelineListItem[] }>('/api/pipelines')).pipelines;

export const getPipeline = (name: string): Promise<{ pipeline: PipelineRecord; versions: VersionSummary[] }> =>
  api.get(`/api/pipelines/${encodeURIComponent(name)}`);

/** Route number of a version (1 = oldest) from the newest-first list. */
export function versionNumber(versions: VersionSummary[], id: string): number | undefined {
  const i = versions.findIndex((v) => v.id === id);
  return i < 0 ? undefined : versions.length - i;
}

export interface LoadedVersion {
  spec: PipelineSpec;
  version: VersionSummary;
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
  const { version } = await api.get<{ version: VersionSummary & { spec: PipelineSpec } }>(
    `/api/pipelines/${encodeURIComponent(name)}/versions/${encodeURIComponent(summary.id)}`,
  );
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

export async function saveVersion(spec: PipelineSpec): Promise<{ version: VersionSummary; created: boolean; number: number }> {
  const r = await api.post<{ pipeline: PipelineRecord; version: VersionSummary; created: boolean }>('/api/pipelines', { spec });
  const { versions } = await getPipeline(r.pipeline.name);
  return { version: r.version, created: r.created, number: versionNumber(versions, r.version.id) ?? versions.length };
}

/** The catalog; each component spec is checked with the IR schema before it can enter a pipeline. */
export async function listComponents(): Promise<CatalogComponent[]> {
  const { components } = await api.get<{ components: CatalogComponent[] }>('/api/components');
  return components.map((c) => {
    const parsed = componentSpecSchema.safeParse(c.spec);
    if (!parsed.success) throw new Error(`the catalog's component "${c.name}" has an invalid spec: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return { ...c, spec: parsed.data };
  });
}

export const startRun = async (pipelineVersionId: string, params: Record<string, unknown>): Promise<string> =>
  (await api.post<{ run: { id: string } }>('/api/runs', { pipelineVersionId, params })).run.id;
