/** `evaluate-classifier`: scores a `train-classifier` model on a test Dataset. */
import { writeFile } from 'node:fs/promises';
import type { Tensor } from '@tensorflow/tfjs';
import { component, NonRetryableError, t } from 'sluice/dsl';
import { loadClassifierModel, standardize } from '../classifierModel';
import { columnIndex, numberMatrix, readDataset } from '../dataset';
import { loadTf } from '../tfjsBackend';
import { classificationMetrics } from './classificationMetrics';

export const evaluateClassifier = component({
  name: 'evaluate-classifier',
  description: 'Evaluates a classifier on a test Dataset: accuracy, per-class precision/recall/F1, confusion matrix.',
  category: 'evaluate',
  module: 'sluice/components',
  export: 'evaluateClassifier',
  inputs: {
    model: t.Model({ description: 'a train-classifier model file' }),
    test: t.Dataset({ description: "rows with the model's feature columns and its target column" }),
  },
  outputs: { metrics: t.ClassificationMetrics(), accuracy: t.float() },
  run: async (inputs, ctx) => {
    const source = inputs.test.path;
    const ds = await readDataset(source);
    if (ds.rows.length === 0) throw new NonRetryableError(`evaluate-classifier: test dataset ${source} has no rows`);

    const { tf, backend } = await loadTf();
    const { file, model } = await loadClassifierModel(inputs.model.path, tf);
    let predicted: string[];
    try {
      const x = standardize(numberMatrix(ds, file.features, source), file.normalization);
      const indices = tf.tidy(() => (model.predict(tf.tensor2d(x, [x.length, file.features.length])) as Tensor).argMax(-1));
      predicted = Array.from(await indices.data(), (i) => file.classes[i] ?? String(i));
      indices.dispose();
    } finally {
      model.dispose();
    }
    const ti = columnIndex(ds, file.target, source);
    const actual = ds.rows.map((r) => String(r[ti]));

    const metrics = classificationMetrics(actual, predicted, file.classes);
    await writeFile(ctx.outputs.metrics.path, `${JSON.stringify(metrics, null, 2)}\n`);
    ctx.outputs.metrics.properties = {
      accuracy: metrics.accuracy,
      macroF1: metrics.macro.f1,
      n: metrics.n,
      labels: metrics.confusionMatrix.labels,
      backend,
    };
    ctx.metric('accuracy', metrics.accuracy);
    ctx.metric('macro_f1', metrics.macro.f1);
    ctx.log(`accuracy ${metrics.accuracy.toFixed(4)} on ${metrics.n} rows`);
    return { accuracy: metrics.accuracy };
  },
});
