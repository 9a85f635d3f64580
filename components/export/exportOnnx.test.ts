import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClassifierModel } from '../classifierModel';
import { numberMatrix, readDataset } from '../dataset';
import { loadIris } from '../data/loadIris';
import { split } from '../data/split';
import { cleanupComponentRuns, runComponent } from '../testing/runComponent';
import { standardize } from '../transform/standardize';
import { trainClassifier } from '../train/trainClassifier';
import { trainLogisticRegression } from '../train/trainLogisticRegression';
import { trainRegressor } from '../train/trainRegressor';
import { exportOnnx } from './exportOnnx';

afterAll(cleanupComponentRuns);

const opsOf = async (path: string): Promise<string[]> =>
  (onnxProto.onnx.ModelProto.decode(await readFile(path)).graph?.node ?? []).map((n) => n.opType ?? '');

describe('export-onnx', () => {
  let train: string;
  let test: string;
  let dense: string;
  beforeAll(async () => {
    const iris = await runComponent(loadIris, {});
    const s = await runComponent(split, { dataset: iris.outputs.dataset });
    train = s.outputs.train.path;
    test = s.outputs.test.path;
    dense = (await runComponent(trainClassifier, { train, epochs: 30, hiddenLayers: [12, 6] })).outputs.model.path;
  });

  it('exports a dense classifier whose ONNX Runtime probabilities and labels match TF.js on the training rows', async () => {
    const run = await runComponent(exportOnnx, { model: dense, data: train });
    expect(run.result.verifiedRows).toBe(120);
    expect(run.result.maxAbsDiff).toBeLessThan(1e-4);
    expect(await opsOf(run.outputs.onnx.path)).toEqual(['Sub', 'Div', 'MatMul', 'Add', 'Relu', 'MatMul', 'Add', 'Relu', 'MatMul', 'Add', 'Softmax', 'ArgMax']);
    expect(run.outputs.onnx.properties).toMatchObject({
      format: 'onnx',
      opset: 13,
      task: 'classification',
      inputs: [{ name: 'features', type: 'float32', shape: ['batch', 4] }],
      outputs: [
        { name: 'probabilities', type: 'float32', shape: ['batch', 3] },
        { name: 'label', type: 'int64', shape: ['batch'] },
      ],
      classes: ['setosa', 'versicolor', 'virginica'],
      features: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
      verification: { rows: 120, from: 'data', labelsAgree: 120 },
    });

    // Independently: the file runs in ONNX Runtime on held-out raw rows; probabilities sum to 1.
    const session = await ort.InferenceSession.create(await readFile(run.outputs.onnx.path));
    const x = numberMatrix(await readDataset(test), ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], test);
    const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(x.flat()), [x.length, 4]) });
    const probs = out.probabilities!.data as Float32Array;
    for (let i = 0; i < x.length; i++) expect(probs[i * 3]! + probs[i * 3 + 1]! + probs[i * 3 + 2]!).toBeCloseTo(1, 5);
    expect(out.label!.dims).toEqual([30]);
    await session.release();
  });

  it('folds the standardize transform of the training data into the graph: the ONNX model classifies a raw setosa row as setosa', async () => {
    // As the iris example trains: on standardized rows. Without the transform, the exported model
    // expects standardized input and a raw setosa row reads as another class.
    const scaled = await runComponent(standardize, { train, test });
    const model = (await runComponent(trainClassifier, { train: scaled.outputs.trainScaled.path, epochs: 60, seed: 42 })).outputs.model.path;
    const run = await runComponent(exportOnnx, { model, data: scaled.outputs.trainScaled.path, transform: scaled.outputs.transform.path });
    expect(run.result.maxAbsDiff).toBeLessThan(1e-4);
    expect(run.outputs.onnx.properties).toMatchObject({ foldedTransform: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'], inputScale: 'raw', verification: { labelsAgree: 120 } });
    const session = await ort.InferenceSession.create(await readFile(run.outputs.onnx.path));
    const raw = [
      [5.1, 3.5, 1.4, 0.2], // setosa
      [7.0, 3.2, 4.7, 1.4], // versicolor
      [6.3, 3.3, 6.0, 2.5], // virginica
    ];
    const out = await session.run({ features: new ort.Tensor('float32', Float32Array.from(raw.flat()), [3, 4]) });
    expect([...(out.label!.data as BigInt64Array)].map(Number)).toEqual([0, 1, 2]);
    expect((out.probabilities!.data as Float32Array)[0]).toBeGreaterThan(0.9);
    await session.release();
  });

  it('exports a logistic regression (no hidden layer), verified on synthetic rows when no data is given', async () => {
    const lr = await runComponent(trainLogisticRegression, { train, epochs: 10 });
    const run = await runComponent(exportOnnx, { model: lr.outputs.model, opset: 17 });
    expect(run.result.verifiedRows).toBe(256);
    expect(run.result.maxAbsDiff).toBeLessThan(1e-4);
    expect(await opsOf(run.outputs.onnx.path)).toEqual(['Sub', 'Div', 'MatMul', 'Add', 'Softmax', 'ArgMax']);
    expect(run.outputs.onnx.properties).toMatchObject({ opset: 17, modelType: 'logistic-regression', verification: { from: 'synthetic' } });
  });

  it('exports a regressor with the target scaling in the graph', async () => {
    const reg = await runComponent(trainRegressor, { train, target: 'petal_width', epochs: 10 });
    const run = await runComponent(exportOnnx, { model: reg.outputs.model, data: test });
    expect(run.result.maxAbsDiff).toBeLessThan(1e-4);
    expect((await opsOf(run.outputs.onnx.path)).slice(-2)).toEqual(['Mul', 'Add']);
    expect(run.outputs.onnx.properties).toMatchObject({ task: 'regression', target: 'petal_width', outputs: [{ name: 'value', shape: ['batch', 1] }] });
  });

  it('fails the task when ONNX Runtime and TF.js disagree beyond the tolerance', async () => {
    await expect(runComponent(exportOnnx, { model: dense, data: train, tolerance: 1e-12 })).rejects.toThrow(
      /export-onnx: the ONNX export of .* disagrees with TensorFlow\.js on data rows: max difference .* > tolerance 1e-12/,
    );
  });

  it('refuses layers it cannot translate and files that are not models, naming the file', async () => {
    const file = await readClassifierModel(dense);
    const topology = JSON.parse(JSON.stringify(file.tfjs.modelTopology).replace('"activation":"relu"', '"activation":"elu"')) as typeof file.tfjs.modelTopology;
    const elu = join(train, '..', 'elu-model.json');
    await writeFile(elu, JSON.stringify({ ...file, tfjs: { ...file.tfjs, modelTopology: topology } }));
    await expect(runComponent(exportOnnx, { model: elu })).rejects.toThrow(`model ${elu}: layer "hidden_1": activation elu is not supported`);
    await expect(runComponent(exportOnnx, { model: train })).rejects.toThrow(/format undefined is not a TensorFlow.js model/);
  });
});
