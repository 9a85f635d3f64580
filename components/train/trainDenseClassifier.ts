/**
 * What `train-classifier` and `train-logistic-regression` share: read the Dataset, standardise the
 * features, fit a seeded dense softmax network, write the classifier model file and its
 * properties. A logistic (softmax) regression is the same network without hidden layers.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { NonRetryableError, type ComponentContext, type Json, type OutputArtifact } from 'sluice/dsl';
import { saveClassifierModel } from '../classifierModel';
import { columnIndex, numberMatrix, readDataset } from '../dataset';
import { fitStandardization, standardize } from '../standardization';
import { loadTf } from '../tfjsBackend';
import { denseNetwork } from './denseNetwork';
import { fitSeeded } from './fitSeeded';
import type { HiddenActivation } from './trainingParams';

export interface DenseClassifierOptions {
  component: string;
  modelType: 'dense-classifier' | 'logistic-regression';
  trainPath: string;
  hiddenLayers: number[];
  activation: HiddenActivation;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
}

export async function trainDenseClassifier(
  o: DenseClassifierOptions,
  out: OutputArtifact,
  ctx: Pick<ComponentContext, 'log' | 'metric' | 'heartbeat' | 'signal'>,
): Promise<{ finalLoss: number; finalAccuracy: number }> {
  const source = o.trainPath;
  const ds = await readDataset(source);
  const target = ds.target;
  if (target === undefined) {
    throw new NonRetryableError(`${o.component}: dataset ${source} names no "target" column, so there is nothing to predict`);
  }
  const features = ds.columns.filter((c) => c.name !== target).map((c) => c.name);
  if (features.length === 0) throw new NonRetryableError(`${o.component}: dataset ${source} has no feature columns besides "${target}"`);
  const x = numberMatrix(ds, features, source);
  const ti = columnIndex(ds, target, source);
  const unlabelled = ds.rows.findIndex((r) => r[ti] === null);
  if (unlabelled >= 0) throw new NonRetryableError(`${o.component}: dataset ${source}, row ${unlabelled}: the target "${target}" is missing; drop unlabelled rows first`);
  const labels = ds.rows.map((r) => String(r[ti]));
  // Sorted, so the class order (the output units) does not depend on row order.
  const classes = [...new Set(labels)].sort();
  if (classes.length < 2) {
    throw new NonRetryableError(`${o.component}: dataset ${source} has ${classes.length} class(es) in "${target}"; at least 2 are needed`);
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
  const optimizer = tf.train.adam(o.learningRate);
  try {
    model = denseNetwork(tf, {
      name: o.modelType === 'logistic-regression' ? 'logistic_regression' : 'classifier',
      inputs: features.length,
      hiddenLayers: o.hiddenLayers,
      activation: o.activation,
      outputs: classes.length,
      outputActivation: 'softmax',
      seed: o.seed,
    });
    model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const { loss, metric: accuracy } = await fitSeeded(tf, model, xAll, yAll, {
      ...o,
      signal: ctx.signal,
      onEpoch: (epoch, epochLoss, epochAccuracy) => {
        ctx.metric('loss', epochLoss, { step: epoch, stepLabel: 'epoch' });
        ctx.metric('accuracy', epochAccuracy, { step: epoch, stepLabel: 'epoch' });
        ctx.heartbeat({ epoch, loss: epochLoss });
      },
    });
    ctx.log(`trained ${o.epochs} epochs: loss ${loss.toFixed(4)}, train accuracy ${accuracy.toFixed(4)}`);

    const params: Record<string, Json> = {
      modelType: o.modelType,
      hiddenLayers: o.hiddenLayers,
      // Without hidden layers there is no activation to speak of.
      ...(o.hiddenLayers.length > 0 ? { activation: o.activation } : {}),
      epochs: o.epochs,
      learningRate: o.learningRate,
      batchSize: o.batchSize,
      seed: o.seed,
    };
    await saveClassifierModel(out.path, tf, model, { backend, features, target, classes, normalization, params });
    out.properties = {
      format: 'sluice.tfjs-classifier',
      framework: 'tensorflow.js',
      tfjsVersion: tf.version_core,
      backend,
      package: tfPackage,
      modelType: o.modelType,
      classes,
      features,
      target,
      params,
      epochs: o.epochs,
      trainRows: n,
      finalLoss: loss,
      trainAccuracy: accuracy,
    };
    return { finalLoss: loss, finalAccuracy: accuracy };
  } finally {
    model?.dispose();
    optimizer.dispose();
    tf.dispose([xAll, yAll]);
  }
}
