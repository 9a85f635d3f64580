/** Executions: one row per task path of a run, its attempts, status, parameters and cache key. */
import type { ArtifactRecord } from '../artifacts/ArtifactRecordStore';
import type { Json } from '../Json';

/** 'waiting': an approval gate waiting for its decision. */
export type ExecutionStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'cached' | 'skipped';

export interface ExecutionRecord {
  /** Deterministic: the same task of the same run always has the same id. */
  id: string;
  runId: string;
  taskId: string;
  componentName: string;
  componentDigest: string;
  status: ExecutionStatus;
  /** Number of the attempt that last wrote this row (1-based). */
  attempt: number;
  /** Parameter input values. */
  params: Record<string, Json>;
  /** Parameter output values. */
  outputParams: Record<string, Json> | null;
  error: string | null;
  cacheKey: string | null;
  cachedFrom: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * What names an execution: the same in every write of its row, whichever attempt writes it
 * (executeTask builds it once for a step's start and finish).
 */
export type ExecutionIdentity = Pick<ExecutionRecord, 'id' | 'runId' | 'taskId' | 'componentName' | 'componentDigest'>;

/** A reusable earlier result: a succeeded execution and its output artifacts. */
export interface CachedExecution {
  execution: ExecutionRecord;
  /** Output artifacts by port. */
  outputs: Record<string, ArtifactRecord>;
}

/**
 * A step recorded whole once it ran: the row in its final state with every event, output artifact
 * and metric, in one write (recordFinishedExecutions). executeTask writes its running row first
 * (beginExecution) and finishes it with this (see docs/ARCHITECTURE.md, "Execution modes").
 */
export interface FinishedExecution extends ExecutionIdentity {
  status: 'succeeded' | 'failed' | 'cancelled' | 'cached';
  attempt: number;
  params: Record<string, Json>;
  outputParams?: Record<string, Json> | null;
  error?: string | null;
  cacheKey?: string | null;
  /** The execution whose outputs were reused (status 'cached'). */
  cachedFrom?: string | null;
  startedAt: Date;
  finishedAt: Date;
  /** Artifacts it read, by port ('input' events). */
  inputs?: readonly { port: string; artifactId: string }[];
  /** Artifacts it wrote, by port ('output' events; a stored artifact with the same id is kept). */
  outputs?: Readonly<Record<string, Omit<ArtifactRecord, 'createdAt'>>>;
  /** Artifacts of the reused execution it hands on, by port ('reused' events, status 'cached'). */
  reused?: readonly { port: string; artifactId: string }[];
  /** Metrics it reported (a later point at the same key and step replaces an earlier one). */
  metrics?: readonly { key: string; value: number; step: number; stepLabel?: string }[];
}

/** What recordFinishedExecutions did with one FinishedExecution. */
export interface RecordedFinish {
  /**
   * False when the stored row was kept: it had already succeeded or was cached (a re-recorded
   * step after a crash-replay), or a newer attempt owns it. Nothing of this record was written then.
   */
  written: boolean;
  /** The stored output artifacts by port (empty when not written). */
  outputs: Record<string, ArtifactRecord>;
}

/** What beginExecution wrote and read in its one statement. */
export interface BegunExecution {
  /** The stored row: the one this call wrote, or the one a guard kept (finished, or a newer attempt). */
  execution: ExecutionRecord;
  /** Whether this call wrote the row (false: the guard kept the stored one, unchanged). */
  started: boolean;
  /**
   * With `cache`: the cache candidate as findCachedExecution finds it, as it was before this
   * statement (so never this attempt's own row; it may be an earlier finished run of this id).
   */
  cached: CachedExecution | undefined;
  /** With `after`: what recording it did. */
  finished?: RecordedFinish;
}

/** An execution as startExecution/beginExecution start it. */
export interface StartExecution extends ExecutionIdentity {
  attempt: number;
  params: Record<string, Json>;
  cacheKey?: string | null;
  startedAt?: Date;
  /**
   * The artifacts this attempt reads, by port: their 'input' events are written in the same
   * statement as the row (re-delivered events change nothing).
   */
  inputs?: readonly { port: string; artifactId: string }[];
  /**
   * A local step (execution: 'local'): Temporal restarts its attempt count when a workflow task
   * is lost, so the stored row counts instead. A stored row that did not succeed (running when
   * its worker died, or failed) is taken over as attempt max(`attempt`, stored + 1); a succeeded
   * or cached one is returned unchanged (the caller answers from it). Saves reading the row first.
   */
  countAttemptsFromRow?: boolean;
}

export interface ExecutionStore {
  /**
   * Inserts the execution, or on a retry updates attempt/status/startedAt of the same row (and
   * clears the previous attempt's result). An older attempt than the stored one, or the same attempt
   * of an execution that already finished, changes nothing. Returns the stored row.
   */
  startExecution(e: StartExecution): Promise<ExecutionRecord>;
  /**
   * startExecution and, with `cache`, the cache candidate for its key (as findCachedExecution),
   * with its output artifacts, in ONE statement: a step's first round trip (its running row is
   * written before its code starts, so an attempt killed with its worker is still counted).
   * Refuses (not_found) a missing run or input artifact, writing nothing.
   */
  beginExecution(
    e: StartExecution & {
      cache?: { cacheKey: string; maxAgeMs?: number; now?: Date };
      /**
       * Another execution's finish (as recordFinishedExecution, `finished` in the answer), written
       * in the same statement, all or nothing: a fused chain's previous step, so that a step costs
       * one round trip. Refused (invalid) for the same id.
       */
      after?: FinishedExecution;
    },
  ): Promise<BegunExecution>;
  /**
   * Finishes a succeeded attempt with what it produced, in one transaction: its output artifacts
   * (a stored row with the same id is kept, as recordArtifact does), their 'output' events, and
   * the row (status 'succeeded', `outputParams`, `finishedAt`, default now) if `attempt` still owns
   * it (as finishExecution). All or nothing: a crash never leaves an output artifact without its
   * event, or a finished row without its outputs. Returns the stored artifact records by port.
   * Refuses (not_found) an unknown execution, writing nothing.
   */
  completeExecution(
    id: string,
    result: {
      attempt: number;
      outputParams: Record<string, Json>;
      finishedAt?: Date;
      outputs?: Readonly<Record<string, Omit<ArtifactRecord, 'createdAt'>>>;
    },
  ): Promise<Record<string, ArtifactRecord>>;
  /**
   * Records how the execution ended. Fields left out keep their value (`error` is cleared,
   * `finishedAt` defaults to now). With `attempt`, only the row written by that attempt is
   * finished: a late finish from a superseded attempt is ignored instead of clobbering its retry.
   */
  finishExecution(
    id: string,
    result: {
      status: ExecutionStatus;
      error?: string | null;
      outputParams?: Record<string, Json> | null;
      finishedAt?: Date;
      /** Execution whose outputs were reused (status 'cached'). */
      cachedFrom?: string | null;
      cacheKey?: string | null;
      attempt?: number;
    },
  ): Promise<void>;
  /**
   * Records an execution that ran no component in this attempt (skipped, reused, an approval gate
   * waiting or decided) in one write: inserts the row, or updates it while its stored status is
   * 'running' or 'waiting'. A finished row is left alone, so a re-delivered or late call changes
   * nothing. `startedAt` keeps its stored value on update; `finishedAt` defaults to now for final
   * statuses and stays null for 'waiting'. Returns the stored row.
   */
  recordExecution(e: ExecutionIdentity & {
    status: Exclude<ExecutionStatus, 'running'>;
    params: Record<string, Json>;
    outputParams?: Record<string, Json> | null;
    error?: string | null;
    cacheKey?: string | null;
    cachedFrom?: string | null;
    startedAt?: Date;
    finishedAt?: Date;
  }): Promise<ExecutionRecord>;
  /**
   * Records finished light steps in ONE statement (so one round trip, and all or nothing): each
   * row inserted in its final state, or updated while its stored status is not 'succeeded'/'cached'
   * and its stored attempt is not newer; its events, output artifacts and metrics are written only
   * with its row. Re-recording the same execution (a crash-replayed local activity) is idempotent:
   * a finished row is kept and nothing is duplicated. Results are in the order given. Refuses
   * (not_found) a missing run, input artifact or reused execution, writing nothing; refuses
   * (invalid) the same id twice in one call.
   */
  recordFinishedExecutions(list: readonly FinishedExecution[]): Promise<RecordedFinish[]>;
  /** recordFinishedExecutions of one execution. */
  recordFinishedExecution(e: FinishedExecution): Promise<RecordedFinish>;
  getExecution(id: string): Promise<ExecutionRecord | undefined>;
  /** In start order. */
  listExecutions(runId: string): Promise<ExecutionRecord[]>;
  /** Executions of each run counted by status, in one query (runs lists' status summaries). */
  countExecutionsByStatus(runIds: readonly string[]): Promise<Map<string, Partial<Record<ExecutionStatus, number>>>>;
  /**
   * The newest succeeded execution with this cache key (finished within `maxAgeMs` of `now`, when
   * given) and its output artifacts. Only originals count: 'cached' rows point at one, which is found
   * itself.
   */
  findCachedExecution(cacheKey: string, options?: { maxAgeMs?: number; now?: Date }): Promise<CachedExecution | undefined>;
}
