/**
 * The metadata store over drizzle-orm: one drizzle implementation per concern (each in its folder,
 * written against the pg-core base type so the same code runs on PGlite and on PostgreSQL),
 * composed into the one MetadataStore. The backend-specific parts (opening, migrating, closing)
 * come in through the options; see openMetadataStore.ts.
 *
 * Every write is idempotent (ON CONFLICT), because activities retry and may be delivered twice,
 * and a write of several rows is one transaction, so a refused row leaves none of the others.
 */
import path from 'node:path';
import { projectRoot } from '../../paths';
import { DrizzleApiTokenStore } from './apiTokens/DrizzleApiTokenStore';
import { DrizzleArtifactRecordStore } from './artifacts/DrizzleArtifactRecordStore';
import type { MetadataDatabase, RunRows } from './database';
import { DrizzleExecutionStore } from './executions/DrizzleExecutionStore';
import { DrizzleExperimentStore } from './experiments/DrizzleExperimentStore';
import { DrizzleLineageStore } from './lineage/DrizzleLineageStore';
import { DrizzleLoopItemStore } from './loopItems/DrizzleLoopItemStore';
import { DrizzleTuneTrialStore } from './tuneTrials/DrizzleTuneTrialStore';
import type { AllMetadataConcerns, MetadataConcerns, MetadataStore } from './MetadataStore';
import { DrizzleMetricStore } from './metrics/DrizzleMetricStore';
import { DrizzlePipelineStore } from './pipelines/DrizzlePipelineStore';
import { DrizzleRegistryStore } from './registry/DrizzleRegistryStore';
import { DrizzleRolloutStore } from './rollouts/DrizzleRolloutStore';
import { DrizzleRunStore } from './runs/DrizzleRunStore';
import { DrizzleTaskLogStore } from './taskLogs/DrizzleTaskLogStore';
import { DrizzleTrackingStore } from './tracking/DrizzleTrackingStore';

export type { MetadataDatabase } from './database';

/**
 * The checked-in drizzle-kit migrations, found from the Sluice root (a checkout or the installed
 * package, which ships them at the same path) so that the store works whatever the current
 * directory of the process is.
 */
export const METADATA_MIGRATIONS_FOLDER = path.join(projectRoot, 'engine', 'stores', 'metadata', 'migrations');
/** Own bookkeeping table, so Sluice can share a database with other drizzle applications. */
export const METADATA_MIGRATIONS_TABLE = 'sluice_metadata_migrations';

export interface DrizzleMetadataStoreOptions {
  db: MetadataDatabase;
  /** Applies METADATA_MIGRATIONS_FOLDER with the backend's drizzle migrator. */
  migrate: () => Promise<void>;
  /** Releases the client or pool. */
  close: () => Promise<void>;
  /** For logs, e.g. "PGlite at /x/.sluice/db" or "PostgreSQL at db:5432/sluice". */
  description: string;
  /** Runs the per-step statements of fixed text (PGlite: named prepared statements); default as any raw statement. */
  hotRows?: RunRows;
}

/** The metadata store on a drizzle database, and where that database is. */
export interface DrizzleMetadataStore extends MetadataStore {
  readonly description: string;
}

/**
 * Each concern's implementation on one database. Each gets the database, not the others: a write
 * that spans concerns (recordSubmittedRun) is one transaction inside the concern that owns it, which
 * calls the other concerns' `…In(tx, …)` functions on that transaction.
 */
function concernsOn(db: MetadataDatabase, hotRows?: RunRows): MetadataConcerns {
  return {
    pipelines: new DrizzlePipelineStore(db),
    runs: new DrizzleRunStore(db),
    executions: new DrizzleExecutionStore(db, hotRows),
    artifacts: new DrizzleArtifactRecordStore(db),
    lineage: new DrizzleLineageStore(db),
    metrics: new DrizzleMetricStore(db),
    taskLogs: new DrizzleTaskLogStore(db),
    loopItems: new DrizzleLoopItemStore(db),
    experiments: new DrizzleExperimentStore(db),
    apiTokens: new DrizzleApiTokenStore(db),
    tracking: new DrizzleTrackingStore(db),
    registry: new DrizzleRegistryStore(db),
    rollouts: new DrizzleRolloutStore(db),
    tuneTrials: new DrizzleTuneTrialStore(db),
  };
}

export function createDrizzleMetadataStore(options: DrizzleMetadataStoreOptions): DrizzleMetadataStore {
  let closed: Promise<void> | undefined;
  return {
    ...flatten(concernsOn(options.db, options.hotRows)),
    description: options.description,
    migrate: () => options.migrate(),
    /** Idempotent: a second call waits for the first instead of ending the pool twice. */
    close: () => (closed ??= options.close()),
  };
}

/**
 * The concerns' methods side by side on one object, each bound to its concern, so that callers see
 * one store (`metadata.getRun`, `metadata.lineage`) and a new concern needs no delegating code.
 */
function flatten(concerns: MetadataConcerns): AllMetadataConcerns {
  // Filled in below: every interface method is a public method of its concern's class.
  const flat = {} as AllMetadataConcerns;
  bindConcernMethods(Object.entries(concerns) as [string, object][], flat);
  return flat;
}

/**
 * Puts each concern's methods (those of its class, and own function properties) onto `onto`,
 * bound to the concern. A method name two concerns share is a mistake this refuses at once (the
 * first test to open a store), rather than letting one silently shadow the other.
 */
export function bindConcernMethods(concerns: readonly [name: string, concern: object][], onto: object): void {
  const owner = new Map<string, string>();
  for (const [name, concern] of concerns) {
    const prototype = Object.getPrototypeOf(concern) as object;
    for (const method of new Set([...Object.getOwnPropertyNames(prototype), ...Object.keys(concern)])) {
      const value: unknown = Reflect.get(concern, method);
      if (method === 'constructor' || typeof value !== 'function') continue;
      const taken = owner.get(method);
      if (taken !== undefined) throw new Error(`the metadata store concerns "${taken}" and "${name}" both have a method ${method}: rename one`);
      owner.set(method, name);
      Reflect.set(onto, method, (value as (...args: unknown[]) => unknown).bind(concern));
    }
  }
}
