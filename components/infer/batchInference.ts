/**
 * `batch-inference`: runs an ONNX model from `export-onnx` over a Dataset in batches with ONNX
 * Runtime and writes the Dataset back with predictions appended: for a classifier
 * `predicted_<target>` (the class label) and `probability_<class>` per class; for a regressor
 * `predicted_<target>` (the value). Probabilities and values are rounded to 7 significant digits
 * (float32 precision). Runs on the CPU by default: the component asks for no GPU, so it goes to CPU
 * workers. A task given `resources: { gpu: 1 }` runs on a GPU worker and, with executionProvider
 * "auto" or "cuda", on the CUDA provider of the GPU it holds (`ctx.device`; see `onnxRuntime.ts`).
 * The output records which provider ran, on which device, why not CUDA, and the rows/second of the
 * inference loop (tensor creation + run + reading outputs, not file I/O).
 */
import { component, NonRetryableError, t } from 'sluice/dsl';
import { datasetProperties, numberMatrix, readDataset, writeDataset, type Dataset, type DatasetCell, type DatasetColumn } from '../dataset';
import { readOnnxModel } from '../onnxModelFile';
import { createOrtSession, ORT_VERSION, OrtTensor, runOnRows, type ProviderPreference } from '../onnxRuntime';

const NAME = 'batch-inference';
const PREFERENCES: readonly ProviderPreference[] = ['auto', 'cpu', 'cuda'];

/** `base`, or `base_2`, `base_3`, … whichever is not taken yet. */
function freshName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

const round7 = (v: number): number => Number(v.toPrecision(7));

export const batchInference = component({
  name: NAME,
  description: 'Predicts with an ONNX model (from export-onnx) over a Dataset in batches with ONNX Runtime: on the CPU, or on CUDA when the task is given a GPU (resources {gpu: 1}).',
  category: 'infer',
  module: 'sluice/components',
  export: 'batchInference',
  inputs: {
    model: t.Model({ description: 'an ONNX model file written by export-onnx' }),
    data: t.Dataset({ description: "rows with the model's feature columns (other columns are passed through)" }),
    batchSize: t.int({ default: 4096, description: 'rows per ONNX Runtime call' }),
    executionProvider: t.enum(['auto', 'cpu', 'cuda'], {
      typeOnly: true,
      default: 'auto',
      description: 'auto (CUDA when the task holds a GPU — resources {gpu: 1} — and CUDA works, else CPU), cpu, or cuda (needs a GPU task)',
    }),
    threads: t.int({ default: 0, description: "ONNX Runtime intra-op threads; 0: ONNX Runtime's default" }),
  },
  outputs: {
    predictions: t.Dataset({ description: 'the input rows with prediction columns appended' }),
    rows: t.int(),
    rowsPerSecond: t.float({ description: 'inference throughput (tensor creation + run + outputs)' }),
    provider: t.string({ description: 'the execution provider that ran: cuda or cpu' }),
  },
  run: async (inputs, ctx) => {
    const { batchSize, threads } = inputs;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new NonRetryableError(`${NAME}: batchSize must be a positive integer; got ${batchSize}`);
    if (!Number.isInteger(threads) || threads < 0) throw new NonRetryableError(`${NAME}: threads must be 0 or a positive integer; got ${threads}`);
    const prefer = PREFERENCES.find((p) => p === inputs.executionProvider);
    if (!prefer) throw new NonRetryableError(`${NAME}: executionProvider must be one of ${PREFERENCES.join(', ')}; got "${inputs.executionProvider}"`);

    const model = await readOnnxModel(inputs.model.path);
    const source = inputs.data.path;
    const ds = await readDataset(source);
    const names = new Set(ds.columns.map((c) => c.name));
    const missing = model.features.filter((f) => !names.has(f));
    if (missing.length > 0) {
      throw new NonRetryableError(
        `${NAME}: dataset ${source} lacks the model's input column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} ` +
          `(model inputs: ${model.features.join(', ')}; dataset columns: ${ds.columns.map((c) => c.name).join(', ')})`,
      );
    }
    // numberMatrix refuses string columns and missing values, naming the column and row.
    const x = numberMatrix(ds, model.features, source);
    // Pack the feature columns row-major once; each batch is a view (no copy) into this buffer.
    const width = model.features.length;
    const n = ds.rows.length;
    const packed = new Float32Array(n * width);
    x.forEach((row, r) => packed.set(row, r * width));

    const { session, provider, deviceId, cpuReason } = await createOrtSession(model.bytes, { prefer, device: ctx.device, intraOpNumThreads: threads });
    const on = provider === 'cuda' && ctx.device ? `cuda device ${deviceId} (GPU ${ctx.device.index}, ${ctx.device.name})` : provider;
    ctx.log(`ONNX Runtime ${ORT_VERSION} on ${on}${cpuReason ? ` (${cpuReason})` : ''}; ${n} rows in batches of ${batchSize}`);
    const classes = model.classes;
    const outWidth = model.task === 'classification' ? classes.length : 1;
    // ONNX Runtime writes each batch's outputs straight into views of these (no per-batch copy).
    const scores = new Float32Array(n * outWidth);
    const labels = new BigInt64Array(model.task === 'classification' ? n : 0);
    let seconds = 0;
    try {
      for (let start = 0; start < n; start += batchSize) {
        if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('inference cancelled');
        const rows = Math.min(batchSize, n - start);
        const t0 = performance.now();
        const outputs: Record<string, OrtTensor> =
          model.task === 'classification'
            ? {
                probabilities: new OrtTensor('float32', scores.subarray(start * outWidth, (start + rows) * outWidth), [rows, outWidth]),
                label: new OrtTensor('int64', labels.subarray(start, start + rows), [rows]),
              }
            : { value: new OrtTensor('float32', scores.subarray(start, start + rows), [rows, 1]) };
        await runOnRows(session, model.inputName, packed.subarray(start * width, (start + rows) * width), rows, width, outputs);
        seconds += (performance.now() - t0) / 1000;
        ctx.heartbeat({ rows: start + rows, of: n });
      }
    } finally {
      await session.release();
    }
    const rowsPerSecond = seconds > 0 ? n / seconds : 0;

    const taken = new Set(ds.columns.map((c) => c.name));
    const target = model.target || 'target';
    const added: DatasetColumn[] =
      model.task === 'classification'
        ? [{ name: freshName(`predicted_${target}`, taken), type: 'string' }, ...classes.map((c): DatasetColumn => ({ name: freshName(`probability_${c}`, taken), type: 'number' }))]
        : [{ name: freshName(`predicted_${target}`, taken), type: 'number' }];
    const out: Dataset = {
      ...ds,
      columns: [...ds.columns, ...added],
      rows: ds.rows.map((row, r): DatasetCell[] => {
        const s = Array.from(scores.subarray(r * outWidth, (r + 1) * outWidth), round7);
        return model.task === 'classification' ? [...row, classes[Number(labels[r])] ?? String(labels[r]), ...s] : [...row, ...s];
      }),
    };
    await writeDataset(ctx.outputs.predictions.path, out);
    ctx.outputs.predictions.properties = {
      ...datasetProperties(out),
      predictionColumns: added.map((c) => c.name),
      task: model.task,
      provider,
      cudaDeviceId: deviceId,
      gpu: ctx.device ? { index: ctx.device.index, ordinal: ctx.device.ordinal, name: ctx.device.name } : null,
      cpuReason,
      onnxruntime: ORT_VERSION,
      batchSize,
      rowsPerSecond,
      inferenceSeconds: seconds,
    };
    ctx.metric('rows_per_second', rowsPerSecond);
    ctx.log(`predicted ${n} rows on ${provider}: ${Math.round(rowsPerSecond)} rows/s`);
    return { rows: n, rowsPerSecond, provider };
  },
});
