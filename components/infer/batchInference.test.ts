import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columnIndex, readDataset, writeDataset } from '../dataset';
import { loadIris } from '../data/loadIris';
import { split } from '../data/split';
import { exportOnnx } from '../export/exportOnnx';
import { cudaAvailability } from '../onnxRuntime';
import { cleanupComponentRuns, metricSeries, runComponent } from '../testing/runComponent';
import { trainClassifier } from '../train/trainClassifier';
import { trainRegressor } from '../train/trainRegressor';
import { batchInference } from './batchInference';

afterAll(cleanupComponentRuns);

describe('batch-inference', () => {
  let dir: string;
  let train: string;
  let test: string;
  let classifierOnnx: string;
  beforeAll(async () => {
    const iris = await runComponent(loadIris, {});
    dir = iris.dir;
    const s = await runComponent(split, { dataset: iris.outputs.dataset });
    train = s.outputs.train.path;
    test = s.outputs.test.path;
    const model = await runComponent(trainClassifier, { train });
    classifierOnnx = (await runComponent(exportOnnx, { model: model.outputs.model, data: train })).outputs.onnx.path;
  });

  it('appends the predicted species and class probabilities to every row, batch by batch, and records the provider', async () => {
    const run = await runComponent(batchInference, { model: classifierOnnx, data: test, batchSize: 7 }); // 30 rows: 4 full batches + 2
    const out = await readDataset(run.outputs.predictions.path);
    expect(out.columns.map((c) => c.name)).toEqual([
      'sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species',
      'predicted_species', 'probability_setosa', 'probability_versicolor', 'probability_virginica',
    ]);
    expect(out.target).toBe('species');
    expect(out.rows).toHaveLength(30);
    expect(run.heartbeats).toHaveLength(5);
    const actual = columnIndex(out, 'species', 'out');
    const predicted = columnIndex(out, 'predicted_species', 'out');
    const accuracy = out.rows.filter((r) => r[actual] === r[predicted]).length / out.rows.length;
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    for (const r of out.rows) {
      const p = r.slice(6) as number[];
      expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 5);
      // The label is the most probable class.
      expect(r[predicted]).toBe(['setosa', 'versicolor', 'virginica'][p.indexOf(Math.max(...p))]);
    }

    // No GPU lent (a CPU worker): the CPU, whatever this machine has.
    expect(run.result).toMatchObject({ rows: 30, provider: 'cpu' });
    expect(run.result.rowsPerSecond).toBeGreaterThan(0);
    expect(metricSeries(run, 'rows_per_second')).toEqual([run.result.rowsPerSecond]);
    expect(run.outputs.predictions.properties).toMatchObject({
      rows: 30,
      task: 'classification',
      provider: 'cpu',
      cudaDeviceId: null,
      gpu: null,
      batchSize: 7,
      predictionColumns: ['predicted_species', 'probability_setosa', 'probability_versicolor', 'probability_virginica'],
    });
    expect(run.outputs.predictions.properties.cpuReason).toMatch(/^the task holds no GPU \(to run on CUDA, give the component resources \{gpu: 1\}/);
  });

  it('predicts a number for a regressor', async () => {
    const reg = await runComponent(trainRegressor, { train, target: 'petal_width', epochs: 40 });
    const onnx = (await runComponent(exportOnnx, { model: reg.outputs.model })).outputs.onnx.path;
    const run = await runComponent(batchInference, { model: onnx, data: test });
    const out = await readDataset(run.outputs.predictions.path);
    const a = columnIndex(out, 'petal_width', 'out');
    const p = columnIndex(out, 'predicted_petal_width', 'out');
    expect(out.columns[p]!.type).toBe('number');
    const mae = out.rows.reduce((s, r) => s + Math.abs((r[a] as number) - (r[p] as number)), 0) / out.rows.length;
    expect(mae).toBeLessThan(0.3);
  });

  it('refuses a model file that is not ONNX, naming the file and the problem', async () => {
    const json = join(dir, 'model.onnx');
    await writeFile(json, '{"format": "sluice.tfjs-classifier"}');
    await expect(runComponent(batchInference, { model: json, data: test })).rejects.toThrow(`${json} is not an ONNX model: `);
    const empty = join(dir, 'empty.onnx');
    await writeFile(empty, '');
    await expect(runComponent(batchInference, { model: empty, data: test })).rejects.toThrow(`${empty} is not an ONNX model: the file is empty`);
    await expect(runComponent(batchInference, { model: train, data: test })).rejects.toThrow(`${train} is not an ONNX model: `);
  });

  it('refuses a dataset without the model input columns, listing them', async () => {
    const ds = await readDataset(test);
    const lacking = join(dir, 'no-petals.json');
    await writeDataset(lacking, { columns: ds.columns.slice(0, 2), rows: ds.rows.map((r) => r.slice(0, 2)) });
    await expect(runComponent(batchInference, { model: classifierOnnx, data: lacking })).rejects.toThrow(
      `batch-inference: dataset ${lacking} lacks the model's input columns "petal_length", "petal_width" (model inputs: sepal_length, sepal_width, petal_length, petal_width; dataset columns: sepal_length, sepal_width)`,
    );
  });

  it('refuses bad parameters and CUDA where there is none', async () => {
    await expect(runComponent(batchInference, { model: classifierOnnx, data: test, batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
    // @ts-expect-error tsc refuses this value now; the test is about the run-time check (values from IR, CLI, editor)
    await expect(runComponent(batchInference, { model: classifierOnnx, data: test, executionProvider: 'tpu' })).rejects.toThrow(/executionProvider must be one of auto, cpu, cuda/);
    await expect(runComponent(batchInference, { model: classifierOnnx, data: test, executionProvider: 'cuda' })).rejects.toThrow(
      /^executionProvider cuda needs a GPU task: give the component resources \{gpu: 1\}/,
    );
  });

  it('uses the GPU the task holds: CUDA on its ordinal where CUDA works, else the CPU with the reason recorded', async () => {
    const device = { kind: 'gpu', index: 0, ordinal: 0, name: 'test GPU' } as const;
    const cuda = cudaAvailability();
    const run = await runComponent(batchInference, { model: classifierOnnx, data: test }, { device });
    const gpu = { index: 0, ordinal: 0, name: 'test GPU' };
    if (cuda.available) {
      expect(run.outputs.predictions.properties).toMatchObject({ provider: 'cuda', cudaDeviceId: 0, gpu, cpuReason: null });
    } else {
      expect(run.outputs.predictions.properties).toMatchObject({ provider: 'cpu', cudaDeviceId: null, gpu, cpuReason: `the task holds GPU 0 (test GPU) but ${cuda.reason}` });
      await expect(runComponent(batchInference, { model: classifierOnnx, data: test, executionProvider: 'cuda' }, { device })).rejects.toThrow(
        `executionProvider cuda: the task holds GPU 0 (test GPU) but ${cuda.reason}`,
      );
    }
    const cpu = await runComponent(batchInference, { model: classifierOnnx, data: test, executionProvider: 'cpu' }, { device });
    expect(cpu.outputs.predictions.properties).toMatchObject({ provider: 'cpu', cpuReason: 'the CPU provider was asked for' });
  });
});
