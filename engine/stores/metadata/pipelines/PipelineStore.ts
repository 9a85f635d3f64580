/** Pipelines (by name) and their versions (an IR, by digest). */
import type { PipelineSpec } from '../../../../dsl/ir/schema';

export interface PipelineRecord {
  id: string;
  name: string;
  createdAt: Date;
  /** When it was archived (left out of listings; versions and runs kept); null when not. */
  archivedAt: Date | null;
}

export interface PipelineVersionRecord {
  id: string;
  pipelineId: string;
  pipelineName: string;
  digest: string;
  spec: PipelineSpec;
  /** The IR has validation problems: kept so the work is not lost, refused for runs, schedules and triggers. */
  draft: boolean;
  createdAt: Date;
}

/** A pipeline version without its IR (listings). */
export type PipelineVersionSummary = Omit<PipelineVersionRecord, 'spec'>;

export interface PipelineStore {
  /** Creates the pipeline (by name) and the version (by digest) if missing, in one transaction; returns both ids. */
  registerPipelineVersion(spec: PipelineSpec, digest: string, options?: { draft?: boolean }): Promise<PipelineVersionRecord>;
  getPipelineVersion(id: string): Promise<PipelineVersionRecord | undefined>;
  /**
   * Replaces a version's stored IR with one of the same digest that differs only in editor-only
   * `ui` fields (positions, collapsed groups): the caller checks the digest. Layout is not
   * identity, so the editor's last saved layout is what the version shows.
   */
  updatePipelineVersionLayout(id: string, spec: PipelineSpec): Promise<PipelineVersionRecord>;
  listPipelines(): Promise<PipelineRecord[]>;
  /** Archives (true) or restores (false) a pipeline; undefined when there is no such pipeline. */
  setPipelineArchived(id: string, archived: boolean): Promise<PipelineRecord | undefined>;
  /** Versions (without IR), newest first; of one pipeline when given. */
  listPipelineVersions(filter?: { pipelineId?: string }): Promise<PipelineVersionSummary[]>;
}
