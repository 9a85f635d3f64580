/** Task logs: the lines an execution's attempts wrote, numbered per execution. */
import type { Json } from '../Json';

export type TaskLogStream = 'log' | 'stdout' | 'stderr' | 'system';
export type TaskLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A task log line as its writer sends it. */
export interface TaskLogInput {
  ts: Date;
  stream: TaskLogStream;
  level?: TaskLogLevel;
  message: string;
  fields?: Record<string, Json>;
  /**
   * Position of the line within its attempt (1-based), chosen by the writer: a batch sent twice
   * (a retried write whose first try did commit) is stored once. Absent: numbered after the
   * attempt's last stored line.
   */
  line?: number;
}

export interface TaskLogRecord {
  runId: string;
  executionId: string;
  taskId: string;
  attempt: number;
  /** Position among all lines of the execution (all attempts), from 1; the cursor of `afterSeq`. */
  seq: number;
  ts: Date;
  stream: TaskLogStream;
  level: TaskLogLevel | null;
  message: string;
  fields: Record<string, Json> | null;
}

export interface TaskLogFilter {
  runId: string;
  taskId?: string;
  executionId?: string;
  attempt?: number;
  /** Only lines with a larger seq. Seqs count per execution: use with `taskId` or `executionId`. */
  afterSeq?: number;
  limit?: number;
}

export interface TaskLogStore {
  /**
   * Appends lines to an execution's log (attempt `attempt`). Lines keep their order; seqs continue
   * the execution's last one. Lines whose (attempt, line) is already stored are dropped, so a batch
   * sent again is stored once. Throws MetadataStoreError('not_found') for an unknown execution.
   */
  appendTaskLogs(target: { runId: string; executionId: string; attempt: number }, lines: TaskLogInput[]): Promise<void>;
  /**
   * Log lines of a run, oldest first: by seq for one execution; by time, then execution and seq,
   * across a run. Unknown run or task: an empty list.
   */
  listTaskLogs(filter: TaskLogFilter): Promise<TaskLogRecord[]>;
}
