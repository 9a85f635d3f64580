/**
 * The metadata store: what ran, with what, producing what (modelled on ML Metadata). One interface
 * per concern (pipelines, runs, executions, …, each in its folder with its drizzle implementation
 * and its contract suite), composed here into the one MetadataStore the engine uses. Two backends
 * (PGlite embedded, PostgreSQL over `pg`), one contract test suite.
 *
 * Every write that an activity makes is idempotent: a retried or re-delivered attempt calls the
 * same method with the same ids and never duplicates a row.
 */
import type { ApiTokenStore } from './apiTokens/ApiTokenStore';
import type { ArtifactRecordStore } from './artifacts/ArtifactRecordStore';
import type { ExecutionStore } from './executions/ExecutionStore';
import type { ExperimentStore } from './experiments/ExperimentStore';
import type { LineageStore } from './lineage/LineageStore';
import type { LoopItemStore } from './loopItems/LoopItemStore';
import type { MetricStore } from './metrics/MetricStore';
import type { PipelineStore } from './pipelines/PipelineStore';
import type { RegistryStore } from './registry/RegistryStore';
import type { RolloutStore } from './rollouts/RolloutStore';
import type { RunStore } from './runs/RunStore';
import type { TaskLogStore } from './taskLogs/TaskLogStore';
import type { TrackingStore } from './tracking/TrackingStore';
import type { TuneTrialStore } from './tuneTrials/TuneTrialStore';

export type * from './apiTokens/ApiTokenStore';
export type * from './artifacts/ArtifactRecordStore';
export type * from './executions/ExecutionStore';
export type * from './experiments/ExperimentStore';
export type * from './Json';
export type * from './lineage/LineageStore';
export type * from './loopItems/LoopItemStore';
export type * from './metrics/MetricStore';
export type * from './pipelines/PipelineStore';
export type * from './registry/RegistryStore';
export type * from './rollouts/RolloutStore';
export type * from './runs/RunStore';
export type * from './taskLogs/TaskLogStore';
export type * from './tuneTrials/TuneTrialStore';

/**
 * The concerns the store is made of, by name. Adding one: its interface and drizzle implementation
 * in a folder of their own, one line here and one in DrizzleMetadataStore's `concernsOn`.
 */
export interface MetadataConcerns {
  pipelines: PipelineStore;
  runs: RunStore;
  executions: ExecutionStore;
  artifacts: ArtifactRecordStore;
  lineage: LineageStore;
  metrics: MetricStore;
  taskLogs: TaskLogStore;
  loopItems: LoopItemStore;
  experiments: ExperimentStore;
  apiTokens: ApiTokenStore;
  /** Runs logged through the MLflow tracking API (engine/server/mlflow): tags, logged values, search. */
  tracking: TrackingStore;
  /** The model registry: registered models, versions (Model artifacts), aliases and their history. */
  registry: RegistryStore;
  /** Rollouts of registered models (traffic split, state, decision log). */
  rollouts: RolloutStore;
  /** Trials of tuning studies (`p.tune`). */
  tuneTrials: TuneTrialStore;
}

/** `A | B | C` → `A & B & C`. */
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every method of every concern, side by side (their names are distinct). */
export type AllMetadataConcerns = UnionToIntersection<MetadataConcerns[keyof MetadataConcerns]>;

export interface MetadataStore extends AllMetadataConcerns {
  /** Applies the checked-in drizzle-kit migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
