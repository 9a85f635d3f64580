/**
 * `train-classifier`: a dense neural network (one hidden ReLU layer, softmax output) trained with
 * Adam on a Dataset's number columns to predict its target column. Everything random is seeded
 * (weight initialisers, the per-epoch batch order), so the same inputs give the same model on the
 * same backend.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { component, NonRetryableError, t } from 'sluice/dsl';
import { fitStandardization, saveClassifierModel, standardize } from '../classifierModel';
import { columnIndex, numberMatrix, readDataset } from '../dataset';
import { mulberry32, permutation } from '../random';
import { loadTf } from '../tfjsBackend';

function requirePositive(name: string, value: number, integer: boolean): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new NonRetryableError(`train-classifier: ${name} must be a positive ${integer ? 'integer' : 'number'}; got ${value}`);
  }
}

export const trainClassifier = component({
  name: 'train-classifier',
  description: "Trains a dense neural-network classifier (TensorFlow.js) on a Dataset's number columns to predict its target.",
  category: 'train',
  module: 'sluice/components',
  export: 'trainClassifier',
  inputs: {
    train: t.Dataset({ description: 'training rows; needs a target column, every other column a number' }),
    hiddenUnits: t.int({ default: 16 }),
    epochs: t.int({ default: 100 }),
    learningRate: t.float({ default: 0.05 }),
    batchSize: t.int({ default: 16 }),
    seed: t.int({ default: 42, description: 'seeds weight initialisation and batch order' }),
  },
  outputs: {
    model: t.Model({ description: 'one JSON file: topology, weights, features, standardisation, classes' }),
    finalLoss: t.float(),
  },
  run: async (inputs, ctx) => {
    const { hiddenUnits, epochs, learningRate, batchSize, seed } = inputs;
    requirePositive('hiddenUnits', hiddenUnits, true);
    requirePositive('epochs', epochs, true);
    requirePositive('learningRate', learningRate, false);
    requirePositive('batchSize', batchSize, true);
    if (!Number.isInteger(seed)) throw new NonRetryableError(`train-classifier: seed must be an integer; got ${seed}`);

    const source = inputs.train.path;
    const ds = await readDataset(source);
    const target = ds.target;
    if (target === undefined) {
      throw new NonRetryableError(`train-classifier: dataset ${source} names no "target" column, so there is nothing to predict`);
    }
    const features = ds.columns.filter((c) => c.name !== target).map((c) => c.name);
    if (features.length === 0) throw new NonRetryableError(`train-classifier: dataset ${source} has no feature columns besides "${target}"`);
    const x = numberMatrix(ds, features, source);
    const ti = columnIndex(ds, target, source);
    const labels = ds.rows.map((r) => String(r[ti]));
    // Sorted, so the class order (the output units) does not depend on row order.
    const classes = [...new Set(labels)].sort();
    if (classes.length < 2) {
      throw new NonRetryableError(`train-classifier: dataset ${source} has ${classes.length} class(es) in "${target}"; at least 2 are needed`);
    }
    const classIndex = new Map(classes.map((c, i) => [c, i]));
    const normalization = fitStandardization(x);
    const n = x.length;

    const { tf, backend, package: tfPackage } = await loadTf();
    ctx.log(`TensorFlow.js ${tf.version_core} on backend ${backend} (${tfPackage}); ${n} rows, ${features.length} features, ${classes.length} classes`);

    const xAll = tf.tensor2d(standardize(x, normalization), [n, features.length]);
    const yAll = tf.tidy(() => tf.oneHot(tf.tensor1d(labels.map((l) => classIndex.get(l)!), 'int32'), classes.length));
    let model: LayersModel | undefined;
    // Ours to dispose: a model does not own an optimizer instance passed to compile().
    const optimizer = tf.train.adam(learningRate);
    try {
      // Fixed names: tfjs would number them per process, and the model file (content-addressed)
      // would then differ between two identical trainings.
      model = tf.sequential({
        name: 'classifier',
        layers: [
          tf.layers.dense({
            name: 'hidden',
            inputShape: [features.length],
            units: hiddenUnits,
            activation: 'relu',
            kernelInitializer: tf.initializers.glorotUniform({ seed }),
            biasInitializer: 'zeros',
          }),
          tf.layers.dense({
            name: 'output',
            units: classes.length,
            activation: 'softmax',
            // A different seed per layer: equal seeds would give equal-looking random matrices.
            kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
            biasInitializer: 'zeros',
          }),
        ],
      });
      model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

      // Our own epoch loop rather than fit(): fit's shuffle uses Math.random, which cannot be seeded.
      const random = mulberry32(seed);
      let loss = Number.NaN;
      let accuracy = Number.NaN;
      for (let epoch = 1; epoch <= epochs; epoch++) {
        if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('training cancelled');
        const order = permutation(n, random);
        let lossSum = 0;
        let accSum = 0;
        for (let start = 0; start < n; start += batchSize) {
          const batch = order.slice(start, start + batchSize);
          const [xb, yb] = tf.tidy((): [Tensor, Tensor] => {
            const idx = tf.tensor1d(batch, 'int32');
            return [tf.gather(xAll, idx), tf.gather(yAll, idx)];
          });
          try {
            const [batchLoss = Number.NaN, batchAcc = Number.NaN] = (await model.trainOnBatch(xb, yb)) as number[];
            lossSum += batchLoss * batch.length;
            accSum += batchAcc * batch.length;
          } finally {
            tf.dispose([xb, yb]);
          }
        }
        // Mean over the epoch's batches, weighted by batch size (as Keras reports it).
        loss = lossSum / n;
        accuracy = accSum / n;
        if (!Number.isFinite(loss)) {
          throw new NonRetryableError(`train-classifier: loss became ${loss} at epoch ${epoch}; lower learningRate (now ${learningRate})`);
        }
        ctx.metric('loss', loss, epoch);
        ctx.metric('accuracy', accuracy, epoch);
        ctx.heartbeat({ epoch, loss });
      }
      ctx.log(`trained ${epochs} epochs: loss ${loss.toFixed(4)}, train accuracy ${accuracy.toFixed(4)}`);

      const params = { hiddenUnits, epochs, learningRate, batchSize, seed };
      await saveClassifierModel(ctx.outputs.model.path, tf, model, { backend, features, target, classes, normalization, params });
      ctx.outputs.model.properties = {
        framework: 'tensorflow.js',
        tfjsVersion: tf.version_core,
        backend,
        package: tfPackage,
        classes,
        features,
        target,
        params,
        trainRows: n,
        finalLoss: loss,
        trainAccuracy: accuracy,
      };
      return { finalLoss: loss };
    } finally {
      model?.dispose();
      optimizer.dispose();
      tf.dispose([xAll, yAll]);
    }
  },
});
