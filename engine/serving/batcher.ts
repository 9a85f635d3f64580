/**
 * Server-side dynamic batching for one model version (and one shape of its non-batch dimensions):
 * requests queue up to `maxQueueDelayMs` or until `maxBatchSize` rows wait, then run as one
 * session.run with their inputs concatenated along the first dimension, and each request gets its
 * own rows of every output back. At most `maxConcurrentBatches` runs are in flight per batcher;
 * while they are busy, arrivals gather into the next batch (so batches grow with the load by
 * themselves). A request larger than `maxBatchSize` runs alone.
 */
import { concatRows, type DecodedTensor } from './tensors';

export interface BatchingOptions {
  /** Rows per session.run at most (a larger single request still runs, alone). */
  maxBatchSize: number;
  /** How long the first queued request waits for others; 0: only those that arrive in the same turn of the event loop. */
  maxQueueDelayMs: number;
  /** session.run calls in flight at once per model version. */
  maxConcurrentBatches: number;
}

/** One output tensor of a run (or of one request's rows of it). */
export interface OutputTensor {
  type: string;
  shape: number[];
  data: ArrayLike<unknown> & { subarray?: (begin: number, end: number) => ArrayLike<unknown> };
}
export type Outputs = Record<string, OutputTensor>;

/** Runs a batch: inputs in the model's order, all with `rows` rows. */
export type RunBatch = (inputs: DecodedTensor[], rows: number) => Promise<Outputs>;

interface Job {
  inputs: DecodedTensor[];
  rows: number;
  enqueuedAt: number;
  resolve: (o: Outputs) => void;
  reject: (e: unknown) => void;
}

/** A request's rows [start, start + rows) of a batch's outputs; outputs without a batch dimension are shared. */
function sliceRows(outputs: Outputs, total: number, start: number, rows: number): Outputs {
  if (start === 0 && rows === total) return outputs;
  const out: Outputs = {};
  for (const [name, t] of Object.entries(outputs)) {
    if (t.shape[0] !== total || total === 0) {
      out[name] = t;
      continue;
    }
    const width = t.data.length / total;
    const from = start * width;
    const to = (start + rows) * width;
    const data = t.data.subarray ? t.data.subarray(from, to) : Array.prototype.slice.call(t.data, from, to);
    out[name] = { type: t.type, shape: [rows, ...t.shape.slice(1)], data };
  }
  return out;
}

export class Batcher {
  private queue: Job[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(
    private readonly run: RunBatch,
    private readonly options: BatchingOptions,
    /** Told each batch's rows and requests (metrics). */
    private readonly onBatch: (rows: number, requests: number) => void = () => undefined,
  ) {}

  submit(inputs: DecodedTensor[], rows: number): Promise<Outputs> {
    return new Promise<Outputs>((resolve, reject) => {
      this.queue.push({ inputs, rows, enqueuedAt: performance.now(), resolve, reject });
      this.queuedRows += rows;
      if (this.queuedRows >= this.options.maxBatchSize) this.flush();
      else this.arm();
    });
  }

  /** Requests waiting (not yet in a run). */
  get waiting(): number {
    return this.queue.length;
  }

  private arm(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    const waited = performance.now() - this.queue[0]!.enqueuedAt;
    const left = this.options.maxQueueDelayMs - waited;
    this.timer = left <= 0 ? setImmediate(() => this.fire()) : setTimeout(() => this.fire(), left);
  }

  private fire(): void {
    this.timer = undefined;
    this.flush();
  }

  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    // A run in flight hands over to the next batch when it completes.
    if (this.inFlight >= this.options.maxConcurrentBatches || this.queue.length === 0) return;
    const jobs: Job[] = [this.queue.shift()!];
    let rows = jobs[0]!.rows;
    while (this.queue.length > 0 && rows + this.queue[0]!.rows <= this.options.maxBatchSize) {
      const next = this.queue.shift()!;
      jobs.push(next);
      rows += next.rows;
    }
    this.queuedRows -= rows;
    this.inFlight++;
    this.onBatch(rows, jobs.length);
    const inputs = jobs[0]!.inputs.map((_, i) => concatRows(jobs.map((j) => j.inputs[i]!)));
    this.run(inputs, rows)
      .then(
        (outputs) => {
          let start = 0;
          for (const j of jobs) {
            j.resolve(sliceRows(outputs, rows, start, j.rows));
            start += j.rows;
          }
        },
        (err: unknown) => {
          for (const j of jobs) j.reject(err);
        },
      )
      .finally(() => {
        this.inFlight--;
        if (this.queue.length === 0) return;
        const due = this.queuedRows >= this.options.maxBatchSize || performance.now() - this.queue[0]!.enqueuedAt >= this.options.maxQueueDelayMs;
        if (due) this.flush();
        else this.arm();
      });
  }
}
