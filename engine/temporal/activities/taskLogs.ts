/**
 * Buffers a task attempt's log lines and writes them to the metadata store in batches: every
 * ~200 ms, at 100 lines, and on close. Logging never fails the task: a failed write is reported
 * through pino and the batch is tried again with the next flush (the store drops lines it already
 * has, by their line numbers), up to a bound after which the oldest lines are dropped.
 */
import type { Logger } from '../../logging';
import type { Json, MetadataStore, TaskLogInput, TaskLogLevel, TaskLogStream } from '../../stores/metadata/index';

export interface TaskLogWriterOptions {
  metadata: Pick<MetadataStore, 'appendTaskLogs'>;
  runId: string;
  executionId: string;
  attempt: number;
  logger: Logger;
  flushIntervalMs?: number;
  maxBatch?: number;
  /** Lines kept while the store is unreachable; beyond this the oldest are dropped. */
  maxPending?: number;
}

/** Longer messages are cut: a log line is not the place for a data dump. */
export const MAX_LOG_MESSAGE_CHARS = 16 * 1024;

export class TaskLogWriter {
  private readonly o: Required<Omit<TaskLogWriterOptions, 'metadata' | 'logger'>> & Pick<TaskLogWriterOptions, 'metadata' | 'logger'>;
  private pending: TaskLogInput[] = [];
  private nextLine = 1;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private dropped = 0;
  private failing = false;
  /** A write is under way; its loop also takes the lines that arrive meanwhile. */
  private writing = false;

  constructor(options: TaskLogWriterOptions) {
    this.o = { flushIntervalMs: 200, maxBatch: 100, maxPending: 10_000, ...options };
  }

  /** Queues a line; never throws. Lines written after close() are ignored. */
  write(stream: TaskLogStream, message: string, options: { level?: TaskLogLevel; fields?: Record<string, Json> } = {}): void {
    if (this.closed) return;
    const text = message.length > MAX_LOG_MESSAGE_CHARS ? `${message.slice(0, MAX_LOG_MESSAGE_CHARS)}… (${message.length - MAX_LOG_MESSAGE_CHARS} more characters cut)` : message;
    this.pending.push({
      ts: new Date(),
      stream,
      message: text,
      line: this.nextLine++,
      ...(options.level ? { level: options.level } : {}),
      ...(options.fields && Object.keys(options.fields).length > 0 ? { fields: toJsonObject(options.fields) } : {}),
    });
    if (this.pending.length > this.o.maxPending) {
      const excess = this.pending.length - this.o.maxPending;
      this.pending.splice(0, excess);
      this.dropped += excess;
    }
    if (this.pending.length >= this.o.maxBatch && !this.writing && !this.failing) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.o.flushIntervalMs).unref();
  }

  /** Writes what is buffered; resolves when written or given up on (never rejects). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.chain = this.chain.then(() => this.writeBuffered());
    return this.chain;
  }

  /** Flushes and stops accepting lines. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.pending.length > 0) {
      this.o.logger.warn(
        { runId: this.o.runId, executionId: this.o.executionId, attempt: this.o.attempt, lost: this.pending.length },
        'task log lines could not be stored',
      );
      this.pending = [];
    }
  }

  private async writeBuffered(): Promise<void> {
    this.writing = true;
    try {
      await this.writeLoop();
    } finally {
      this.writing = false;
    }
  }

  private async writeLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, this.o.maxBatch);
      try {
        await this.o.metadata.appendTaskLogs(
          { runId: this.o.runId, executionId: this.o.executionId, attempt: this.o.attempt },
          batch,
        );
      } catch (err) {
        if (!this.failing) {
          this.o.logger.warn({ err, runId: this.o.runId, executionId: this.o.executionId }, 'could not store task log lines; will retry');
        }
        this.failing = true;
        // Kept for the next flush; only close() gives up on them.
        if (!this.closed) this.timer ??= setTimeout(() => void this.flush(), this.o.flushIntervalMs * 5).unref();
        return;
      }
      this.failing = false;
      this.pending.splice(0, batch.length);
      if (this.dropped > 0) {
        this.o.logger.warn({ runId: this.o.runId, executionId: this.o.executionId, dropped: this.dropped }, 'task log lines dropped');
        this.dropped = 0;
      }
    }
  }
}

/** Component fields may hold anything; the store takes JSON (a round trip drops what JSON cannot hold). */
function toJsonObject(fields: Record<string, unknown>): Record<string, Json> {
  try {
    const json: unknown = JSON.parse(JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, Json>) : {};
  } catch {
    return { unserialisable: true };
  }
}
