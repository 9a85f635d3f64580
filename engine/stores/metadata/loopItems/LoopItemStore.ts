/** Loop items: the outcome of each item of a loop (fan-out) of a run, what `collect()` reads. */
import type { Json } from '../Json';

export type LoopItemStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled';
/** The same shapes as the workflow's ArtifactRefValue / ParameterValue (this layer may not import them). */
export type LoopItemOutputValue =
  | { kind: 'artifact'; artifactId: string; type: string; uri: string; sha256: string }
  | { kind: 'parameter'; value: Json };

export interface LoopItemInput {
  index: number;
  status: LoopItemStatus;
  outputs: Record<string, LoopItemOutputValue>;
  error?: string | null;
}

export interface LoopItemRecord {
  index: number;
  status: LoopItemStatus;
  outputs: Record<string, LoopItemOutputValue>;
  error: string | null;
  updatedAt: Date;
}

export interface LoopItemStore {
  /** Upserts loop items' outcomes by (run, loop path, index), all in one transaction: a re-recorded item replaces its row. */
  recordLoopItems(runId: string, loop: string, items: LoopItemInput[]): Promise<void>;
  /** By index. */
  listLoopItems(runId: string, loop: string, options?: { status?: LoopItemStatus }): Promise<LoopItemRecord[]>;
}
