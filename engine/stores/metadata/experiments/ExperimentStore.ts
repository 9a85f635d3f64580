/** Experiments: named groups of runs (for the HTTP API). */

export interface ExperimentRecord {
  id: string;
  name: string;
  description: string | null;
  createdAt: Date;
  /** Runs in the experiment. */
  runCount: number;
}

export interface ExperimentStore {
  /** Throws MetadataStoreError('conflict') when the name is taken. */
  createExperiment(e: { id: string; name: string; description?: string | null }): Promise<ExperimentRecord>;
  /** By id or by name. */
  getExperiment(idOrName: string): Promise<ExperimentRecord | undefined>;
  /** By name. */
  listExperiments(): Promise<ExperimentRecord[]>;
  /** Idempotent. Throws MetadataStoreError('not_found') for an unknown experiment or run. */
  addRunsToExperiment(experimentId: string, runIds: string[]): Promise<void>;
  /** False when the run was not in the experiment. */
  removeRunFromExperiment(experimentId: string, runId: string): Promise<boolean>;
}
