/** Experiments: named groups of runs (for the HTTP API). */

export interface ExperimentRecord {
  id: string;
  name: string;
  description: string | null;
  createdAt: Date;
  /** Runs in the experiment. */
  runCount: number;
  /** When it was archived (left out of listings, closed to new runs); null while active. */
  archivedAt: Date | null;
}

export interface ExperimentStore {
  /** Throws MetadataStoreError('conflict') when the name is taken. */
  createExperiment(e: { id: string; name: string; description?: string | null }): Promise<ExperimentRecord>;
  /** By id or by name. */
  getExperiment(idOrName: string): Promise<ExperimentRecord | undefined>;
  /** By name; archived ones only when asked. */
  listExperiments(options?: { includeArchived?: boolean }): Promise<ExperimentRecord[]>;
  /**
   * Renames and/or archives (`archived: true`) or restores (`false`) an experiment; undefined when
   * there is none. MetadataStoreError('conflict') when the new name is taken.
   */
  updateExperiment(id: string, patch: { name?: string; description?: string | null; archived?: boolean }): Promise<ExperimentRecord | undefined>;
  /**
   * Puts runs in the experiment, in one transaction. A run belongs to at most one experiment: a run
   * in another one moves. Idempotent. MetadataStoreError('not_found') for an unknown experiment or
   * run (nothing moves), 'conflict' for an archived experiment.
   */
  addRunsToExperiment(experimentId: string, runIds: string[]): Promise<void>;
  /** False when the run was not in the experiment. */
  removeRunFromExperiment(experimentId: string, runId: string): Promise<boolean>;
}
