/**
 * Sampled request/prediction logging: a share of answered inference requests (`sampleRate`) is
 * kept, with its inputs, outputs, model, version and time, and written to the artifact store as a
 * Dataset (the components' `{columns, rows}` format), one per flush window per model version,
 * recorded in the metadata store as a `Dataset` artifact named `<model>.requests` with properties
 * `{source: "model-server", model, version, rows, requests, from, to, sampleRate}`: an artifact
 * trigger on that name (`sluice triggers create artifact … --type Dataset --name iris.requests`)
 * starts a pipeline, e.g. a drift check, on every window written.
 *
 * Off the request path: `offer` only keeps references to the request's tensors; rows are built
 * and written when a window flushes (it reaches `maxRows`, every `flushMs`, and on close), one
 * flush at a time. Memory is bounded: rows buffered or being written count against
 * `maxBufferedRows`, and a sampled request that would exceed it is dropped and counted
 * (`sluice_serving_request_log_dropped_total`), as are the rows of a write that failed; a slow or
 * broken store never slows or fails an inference request.
 *
 * Columns: `time` (ISO), `model`, `version`, `request_id` (nullable), then each input's row
 * elements (named after the model's `sluice.features` metadata for an export-onnx model's single
 * input, else `<input>` or `<input>_<j>`), then the outputs: `label` as `predicted_<target>` with
 * the class name when the model carries `sluice.classes`, `probabilities_<class>`, else
 * `<output>_<j>`. Requests whose tensors do not share a batch dimension log one row each.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { Counter, type Registry } from 'prom-client';
import { writeDataset, type Dataset, type DatasetCell, type DatasetColumn } from '../../components/dataset';
import type { Logger } from '../logging';
import type { ArtifactStore } from '../stores/artifacts/index';
import type { MetadataStore } from '../stores/metadata/index';
import type { Outputs } from './batcher';
import type { DecodedTensor } from './tensors';

export interface RequestLogOptions {
  /** Share of answered requests logged, 0 (off) to 1. */
  sampleRate: number;
  /** A window is written once it holds this many rows. */
  maxRows: number;
  /** Windows are written at least this often. */
  flushMs: number;
  /** Rows buffered or being written at most; beyond, sampled requests are dropped and counted. */
  maxBufferedRows: number;
}

export const DEFAULT_REQUEST_LOG: RequestLogOptions = { sampleRate: 0.1, maxRows: 1000, flushMs: 60_000, maxBufferedRows: 20_000 };

/** What the request log writes to: the artifact store and the metadata store's artifact records. */
export interface RequestLogSink {
  artifacts: ArtifactStore;
  records: Pick<MetadataStore, 'recordArtifact' | 'getModelVersion' | 'getArtifact'>;
}

export interface LoggedRequest {
  model: string;
  version: number;
  id?: string | undefined;
  inputs: DecodedTensor[];
  outputs: Outputs;
}

interface Entry extends LoggedRequest {
  time: Date;
  rows: number;
}

interface Window {
  entries: Entry[];
  rows: number;
}

/** Names from the model's `sluice.*` metadata (export-onnx models), when present. */
interface ModelNames {
  features?: string[];
  classes?: string[];
  target?: string;
}

const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function stringList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) && parsed.every((s) => typeof s === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Rows of a request: the shared first dimension when every tensor has it, else one. */
function rowsOf(inputs: readonly DecodedTensor[], outputs: Outputs): number {
  const first = inputs[0]?.shape[0];
  if (first === undefined || first < 1) return 1;
  const all = [...inputs.map((t) => t.shape), ...Object.values(outputs).map((o) => o.shape)];
  return all.every((s) => s.length > 0 && s[0] === first) ? first : 1;
}

/** A tensor element as a Dataset cell (int64 as a number; NaN and infinities as missing). */
function cell(v: unknown): DatasetCell {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  return null;
}

/**
 * A float32 element as the shortest decimal that is the same float32: what a client wrote (0.2, not
 * 0.20000000298…), so logged inputs compare equal to the float64 training data they came from (a
 * drift test on tied values, such as iris's petal widths, would see every value shifted).
 */
function shortestFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let p = 1; p < 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return d;
  }
  return v;
}

export class RequestLog {
  private readonly windows = new Map<string, Window>();
  private readonly names = new Map<string, Promise<ModelNames>>();
  /** Rows buffered plus rows being written. */
  private held = 0;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly dropped: Counter<'model' | 'version' | 'reason'>;
  private readonly logged: Counter<'model' | 'version'>;
  /** Totals since start (tests and logs). */
  readonly stats = { sampled: 0, dropped: 0, written: 0, datasets: 0 };

  constructor(
    private readonly options: RequestLogOptions,
    private readonly sink: RequestLogSink,
    private readonly logger: Logger,
    registry: Registry,
    private readonly random: () => number = Math.random,
  ) {
    if (!(options.sampleRate >= 0 && options.sampleRate <= 1)) throw new RangeError(`the request log's sample rate must be from 0 to 1; got ${options.sampleRate}`);
    for (const k of ['maxRows', 'flushMs', 'maxBufferedRows'] as const) {
      if (!Number.isInteger(options[k]) || options[k] < 1) throw new RangeError(`the request log's ${k} must be an integer ≥ 1; got ${options[k]}`);
    }
    this.dropped = new Counter({
      name: 'sluice_serving_request_log_dropped_total',
      help: 'Sampled request rows not logged: the buffer was full (a slow store) or their write failed',
      labelNames: ['model', 'version', 'reason'],
      registers: [registry],
    });
    this.logged = new Counter({
      name: 'sluice_serving_request_log_rows_total',
      help: 'Request rows written to the artifact store as Datasets by the request log',
      labelNames: ['model', 'version'],
      registers: [registry],
    });
    if (options.sampleRate > 0) {
      this.timer = setInterval(() => void this.flush(), options.flushMs);
      this.timer.unref();
    }
  }

  get enabled(): boolean {
    return this.options.sampleRate > 0 && !this.closed;
  }

  /** Called with every answered request; keeps a sample of them. Never throws, never waits. */
  offer(request: LoggedRequest): void {
    if (!this.enabled || this.random() >= this.options.sampleRate) return;
    const rows = rowsOf(request.inputs, request.outputs);
    this.stats.sampled += 1;
    if (this.held + rows > this.options.maxBufferedRows) {
      this.stats.dropped += rows;
      this.dropped.inc({ model: request.model, version: String(request.version), reason: 'buffer_full' }, rows);
      return;
    }
    this.held += rows;
    const key = `${request.model}/${request.version}`;
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = { entries: [], rows: 0 }));
    w.entries.push({ ...request, time: new Date(), rows });
    w.rows += rows;
    if (w.rows >= this.options.maxRows) void this.flush(key);
  }

  /** Writes the buffered windows (or one); resolves once they are written (or their failure logged). */
  flush(only?: string): Promise<void> {
    const taken: Array<[string, Window]> = [];
    for (const [key, w] of this.windows) {
      if (only !== undefined && key !== only) continue;
      taken.push([key, w]);
      this.windows.delete(key);
    }
    // One write at a time, in order: a slow store holds rows (bounded above), not requests.
    this.writing = this.writing.then(async () => {
      for (const [, w] of taken) await this.write(w);
    });
    return this.writing;
  }

  /** Stops sampling and writes what is buffered. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    this.closed = true;
  }

  private async write(w: Window): Promise<void> {
    const first = w.entries[0]!;
    const labels = { model: first.model, version: String(first.version) };
    let dir: string | undefined;
    try {
      const ds = this.dataset(w.entries, await this.namesOf(first.model, first.version));
      dir = await mkdtemp(path.join(tmpdir(), 'sluice-request-log-'));
      const file = path.join(dir, 'requests.json');
      await writeDataset(file, ds);
      const stored = await this.sink.artifacts.put(file);
      const from = w.entries[0]!.time.toISOString();
      const to = w.entries[w.entries.length - 1]!.time.toISOString();
      await this.sink.records.recordArtifact({
        id: `requests-${randomUUID()}`,
        type: 'Dataset',
        name: `${first.model}.requests`,
        uri: stored.uri,
        sha256: stored.sha256,
        size: stored.size,
        properties: { source: 'model-server', model: first.model, version: first.version, rows: ds.rows.length, requests: w.entries.length, from, to, sampleRate: this.options.sampleRate },
      });
      this.stats.written += w.rows;
      this.stats.datasets += 1;
      this.logged.inc(labels, w.rows);
    } catch (err) {
      this.stats.dropped += w.rows;
      this.dropped.inc({ ...labels, reason: 'write_failed' }, w.rows);
      this.logger.warn({ err, ...labels, rows: w.rows }, 'could not write sampled requests to the artifact store; they are dropped');
    } finally {
      this.held -= w.rows;
      if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Column names from the version's ONNX metadata; none when it has none or cannot be read. */
  private namesOf(model: string, version: number): Promise<ModelNames> {
    const key = `${model}/${version}`;
    let p = this.names.get(key);
    if (!p) {
      p = (async (): Promise<ModelNames> => {
        try {
          const v = await this.sink.records.getModelVersion(model, version);
          const a = v ? await this.sink.records.getArtifact(v.artifactId) : undefined;
          if (!a) return {};
          const proto = onnxProto.onnx.ModelProto.decode(new Uint8Array(await readFile(await this.sink.artifacts.materialize(a.uri))));
          const meta = new Map(proto.metadataProps.map((m) => [m.key ?? '', m.value ?? '']));
          const names: ModelNames = {};
          const features = stringList(meta.get('sluice.features'));
          const classes = stringList(meta.get('sluice.classes'));
          if (features) names.features = features;
          if (classes) names.classes = classes;
          if (meta.get('sluice.target')) names.target = meta.get('sluice.target')!;
          return names;
        } catch {
          return {};
        }
      })();
      this.names.set(key, p);
    }
    return p;
  }

  /** The window's rows as a Dataset; columns from the first request (later ones of other shapes get nulls). */
  private dataset(entries: readonly Entry[], names: ModelNames): Dataset {
    const first = entries[0]!;
    const columns: DatasetColumn[] = [
      { name: 'time', type: 'string' },
      { name: 'model', type: 'string' },
      { name: 'version', type: 'number' },
      { name: 'request_id', type: 'string', nullable: true },
    ];
    type Getter = (e: Entry, row: number) => DatasetCell;
    const getters: Getter[] = [(e) => e.time.toISOString(), (e) => e.model, (e) => e.version, (e) => e.id ?? null];
    const used = new Set(columns.map((c) => c.name));
    const add = (name: string, type: DatasetColumn['type'], get: Getter) => {
      let unique = name;
      for (let n = 2; used.has(unique); n++) unique = `${name}_${n}`;
      used.add(unique);
      columns.push({ name: unique, type, nullable: true });
      getters.push(get);
    };
    const perRow = (shape: readonly number[], rows: number) => (rows > 1 || shape[0] === 1 ? elementCount(shape.slice(1)) : elementCount(shape));
    const tensorColumns = (name: string, type: string, shape: readonly number[], labels: string[] | undefined, pick: (e: Entry) => { data: ArrayLike<unknown> | unknown[]; shape: readonly number[] } | undefined, asClass?: string[]) => {
      const k = perRow(shape, first.rows);
      const colType: DatasetColumn['type'] = asClass ? 'string' : type === 'bool' ? 'boolean' : type === 'string' ? 'string' : 'number';
      for (let j = 0; j < k; j++) {
        const colName = labels && labels.length === k ? labels[j]! : k === 1 ? name : `${name}_${j}`;
        add(colName, colType, (e, row) => {
          const t = pick(e);
          if (!t) return null;
          const width = e.rows > 1 || t.shape[0] === 1 ? elementCount(t.shape.slice(1)) : elementCount(t.shape);
          if (width !== k) return null;
          const element = (t.data as ArrayLike<unknown>)[row * k + j];
          const v = cell(type === 'float32' && typeof element === 'number' ? shortestFloat32(element) : element);
          if (asClass) return typeof v === 'number' ? (asClass[v] ?? String(v)) : v;
          return colType === 'boolean' && typeof v === 'number' ? v !== 0 : v;
        });
      }
    };
    for (const input of first.inputs) {
      const labels = first.inputs.length === 1 ? names.features : undefined;
      tensorColumns(input.name, input.type, input.shape, labels, (e) => e.inputs.find((t) => t.name === input.name));
    }
    for (const [name, out] of Object.entries(first.outputs)) {
      const isLabel = name === 'label' && names.classes !== undefined;
      const outName = isLabel ? `predicted_${names.target || 'label'}` : name;
      const labels = name === 'probabilities' && names.classes ? names.classes.map((c) => `probabilities_${c}`) : undefined;
      tensorColumns(outName, out.type, out.shape, labels, (e) => e.outputs[name], isLabel ? names.classes : undefined);
    }
    const rows: DatasetCell[][] = [];
    for (const e of entries) for (let r = 0; r < e.rows; r++) rows.push(getters.map((g) => g(e, r)));
    return { columns, rows };
  }
}
