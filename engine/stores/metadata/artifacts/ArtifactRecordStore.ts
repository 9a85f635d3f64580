/**
 * Artifact records: what a task wrote (type, uri, digest, size, properties). The bytes live in the
 * artifact store (engine/stores/artifacts); how artifacts link to executions is the lineage store's.
 */
import type { Json } from '../Json';

export interface ArtifactRecord {
  /** Deterministic for outputs (derived from execution id + port), so retries upsert. */
  id: string;
  type: string;
  /** Human name, e.g. "<task>.<port>". */
  name: string;
  uri: string;
  sha256: string;
  size: number;
  properties: Record<string, Json>;
  createdAt: Date;
}

export interface ArtifactRecordStore {
  /** Inserts the artifact if its id is new; returns the stored row either way. */
  recordArtifact(a: Omit<ArtifactRecord, 'createdAt'>): Promise<ArtifactRecord>;
  getArtifact(id: string): Promise<ArtifactRecord | undefined>;
  /** Artifacts by type and/or name recorded at or after `createdFrom`, oldest first (trigger sensors). */
  listArtifacts(filter: { type?: string; name?: string; createdFrom?: Date; limit?: number }): Promise<ArtifactRecord[]>;
}
