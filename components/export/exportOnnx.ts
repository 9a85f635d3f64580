/**
 * `export-onnx`: converts a TensorFlow.js model of the built-in trainers (dense classifier,
 * logistic regression, dense regressor) into an ONNX model file (graph: `onnxGraph.ts`; the feature
 * standardisation is kept as Sub/Div nodes at the front, so the ONNX model takes raw feature values
 * like the TF.js model file does). A model trained on `standardize`d data gets that `transform` as
 * an input: it is folded into the same Sub/Div nodes, so the ONNX model still takes raw feature
 * values, the ones a client of the model server sends. Before it is handed on, the export is verified: ONNX Runtime
 * (CPU) runs it on the verification rows (`data`, e.g. the training set, else 256 seeded synthetic
 * rows around the training means) and its outputs must match TF.js's within `tolerance`, or the
 * task fails.
 */
import { writeFile } from 'node:fs/promises';
import { component, NonRetryableError, t, type Json } from 'sluice/dsl';
import { numberMatrix, readDataset } from '../dataset';
import { createOrtSession, ORT_VERSION, runOnRows } from '../onnxRuntime';
import { mulberry32 } from '../random';
import { deserializeLayersModel } from '../tfjsLayersJson';
import { readTfjsModelFile } from '../tfjsModelFile';
import { tfjsPredict } from '../tfjsPredict';
import { loadTf } from '../tfjsBackend';
import { readTransform, transformScalings } from '../transform/transform';
import { denseLayers } from './denseLayers';
import { buildOnnxModel, ONNX_IR_VERSION } from './onnxGraph';

const NAME = 'export-onnx';
const SYNTHETIC_ROWS = 256;

export const exportOnnx = component({
  name: NAME,
  description: 'Exports a TensorFlow.js dense model (classifier, logistic or regressor) to ONNX and verifies it with ONNX Runtime against TF.js.',
  category: 'export',
  module: 'sluice/components',
  export: 'exportOnnx',
  inputs: {
    model: t.Model({ description: 'a train-classifier, train-logistic-regression or train-regressor model file' }),
    data: t.Dataset({ optional: true, description: "rows to verify the export on, as the model was trained on them (needs the model's feature columns); default: 256 synthetic rows" }),
    transform: t.artifact('Transform')({
      optional: true,
      description: 'the standardize transform the training data got: folded into the graph, so the ONNX model takes raw (unscaled) feature values',
    }),
    opset: t.int({ default: 13, description: 'ONNX opset of the default domain (13 or later)' }),
    tolerance: t.float({ default: 1e-4, description: 'largest allowed difference between ONNX Runtime and TF.js outputs (relative for values > 1)' }),
  },
  outputs: {
    onnx: t.Model({ description: 'the ONNX model file (input "features" [batch, F]; outputs "probabilities"+"label" or "value")' }),
    maxAbsDiff: t.float({ description: 'largest difference between ONNX Runtime and TF.js outputs on the verification rows' }),
    verifiedRows: t.int(),
  },
  run: async (inputs, ctx) => {
    const { opset, tolerance } = inputs;
    if (!Number.isInteger(opset) || opset < 13 || opset > 21) throw new NonRetryableError(`${NAME}: opset must be an integer from 13 to 21; got ${opset}`);
    if (!(tolerance > 0)) throw new NonRetryableError(`${NAME}: tolerance must be positive; got ${tolerance}`);

    const source = inputs.model.path;
    const tm = await readTfjsModelFile(source);
    const { file } = tm;
    const layers = denseLayers(file.tfjs, source);
    const width = file.features.length;
    if (layers[0]?.inputs !== width) throw new NonRetryableError(`${NAME}: model ${source} has ${width} features but its first layer takes ${layers[0]?.inputs}`);
    // The graph's Sub/Div: the model's own normalisation, after the training data's transform if any:
    // ((x − o) / s − m) / d = (x − (o + m·s)) / (s·d).
    const folded = inputs.transform ? new Map(transformScalings(await readTransform(inputs.transform.path)).map((c) => [c.name, c])) : new Map<string, { offset: number; scale: number }>();
    const scalingOf = (j: number) => folded.get(file.features[j]!);
    const mean = file.normalization.mean.map((m, j) => (scalingOf(j) ? scalingOf(j)!.offset + m * scalingOf(j)!.scale : m));
    const std = file.normalization.std.map((d, j) => (scalingOf(j) ? d * scalingOf(j)!.scale : d));
    const built = buildOnnxModel({
      name: `${file.target}_${tm.kind}`,
      features: file.features,
      mean,
      std,
      layers,
      target: file.target,
      opset,
      producerVersion: '0.1.0',
      task: tm.kind === 'classifier' ? { kind: 'classification', classes: tm.file.classes } : { kind: 'regression', ...tm.file.targetNormalization },
      metadata: { 'sluice.source.format': file.format, 'sluice.source.tfjsVersion': file.tfjsVersion },
    });

    // Verification rows: given data, or seeded synthetic rows within ±2 std of the training means.
    let x: number[][];
    let rowsFrom: string;
    if (inputs.data) {
      x = numberMatrix(await readDataset(inputs.data.path), file.features, inputs.data.path);
      rowsFrom = 'data';
      if (x.length === 0) throw new NonRetryableError(`${NAME}: verification dataset ${inputs.data.path} has no rows`);
    } else {
      const random = mulberry32(20240601);
      x = Array.from({ length: SYNTHETIC_ROWS }, () => file.normalization.mean.map((m, j) => m + (random() * 4 - 2) * file.normalization.std[j]!));
      rowsFrom = 'synthetic';
    }

    const { tf } = await loadTf();
    const tfModel = await deserializeLayersModel(tf, file.tfjs);
    let expected: number[][];
    try {
      expected = await tfjsPredict(tf, tfModel, x, file.normalization);
    } finally {
      tfModel.dispose();
    }
    if (tm.kind === 'regressor') {
      const { mean, std } = tm.file.targetNormalization;
      expected = expected.map((r) => r.map((v) => v * std + mean));
    }

    const { session } = await createOrtSession(built.bytes, { prefer: 'cpu' });
    let maxAbsDiff = 0;
    let worst = 0; // largest difference relative to the allowed one
    let labelsAgree = 0;
    try {
      // ONNX Runtime gets the rows as a client sends them: raw, when a transform was folded in.
      const packed = Float32Array.from(x.flatMap((r) => r.map((v, j) => (scalingOf(j) ? v * scalingOf(j)!.scale + scalingOf(j)!.offset : v))));
      const out = await runOnRows(session, 'features', packed, x.length, width);
      const got = out[tm.kind === 'classifier' ? 'probabilities' : 'value']!.data as Float32Array;
      const perRow = expected[0]?.length ?? 0;
      expected.forEach((row, i) =>
        row.forEach((e, k) => {
          const d = Math.abs(got[i * perRow + k]! - e);
          maxAbsDiff = Math.max(maxAbsDiff, d);
          worst = Math.max(worst, d / (tolerance * Math.max(1, Math.abs(e))));
        }),
      );
      if (tm.kind === 'classifier') {
        const labels = out.label!.data as BigInt64Array;
        expected.forEach((row, i) => {
          if (Number(labels[i]) === row.indexOf(Math.max(...row))) labelsAgree++;
        });
      }
    } finally {
      await session.release();
    }
    if (worst > 1) {
      throw new NonRetryableError(
        `${NAME}: the ONNX export of ${source} disagrees with TensorFlow.js on ${rowsFrom} rows: max difference ${maxAbsDiff.toExponential(3)} > tolerance ${tolerance}; ` +
          'the exporter does not reproduce this network (please report it with the model file)',
      );
    }

    await writeFile(ctx.outputs.onnx.path, built.bytes);
    const ports = (ps: typeof built.inputs): Json => ps.map((p) => ({ name: p.name, type: p.type, shape: p.shape }));
    ctx.outputs.onnx.properties = {
      format: 'onnx',
      opset,
      irVersion: ONNX_IR_VERSION,
      task: tm.kind === 'classifier' ? 'classification' : 'regression',
      inputs: ports(built.inputs),
      outputs: ports(built.outputs),
      features: file.features,
      target: file.target,
      ...(tm.kind === 'classifier' ? { classes: tm.file.classes } : {}),
      standardization: 'in graph: Sub(mean), Div(std) before the first MatMul',
      ...(folded.size ? { foldedTransform: [...folded.keys()], inputScale: 'raw' } : {}),
      sourceFormat: file.format,
      modelType: typeof file.params.modelType === 'string' ? file.params.modelType : null,
      layers: layers.map((l) => ({ units: l.units, activation: l.activation })),
      verification: { rows: x.length, from: rowsFrom, maxAbsDiff, tolerance, onnxruntime: ORT_VERSION, ...(tm.kind === 'classifier' ? { labelsAgree } : {}) },
      bytes: built.bytes.length,
    };
    ctx.metric('onnx_max_abs_diff', maxAbsDiff);
    ctx.log(`exported ${layers.length} dense layers to ONNX (opset ${opset}, ${built.bytes.length} bytes); verified on ${x.length} ${rowsFrom} rows, max |ONNX − TF.js| ${maxAbsDiff.toExponential(2)}`);
    return { maxAbsDiff, verifiedRows: x.length };
  },
});
