/**
 * `train-regressor`: a dense neural network (hidden ReLU layers, one linear output) trained with
 * Adam on mean squared error to predict a number column. Features and target are standardised for
 * training; the per-epoch `loss` (MSE) and `mae` series are reported in the target's own units.
 * Seeded like `train-classifier`.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { component, NonRetryableError, t } from 'sluice/dsl';
import { columnIndex, numberMatrix, readDataset } from '../dataset';
import { saveRegressorModel } from '../regressorModel';
import { fitStandardization, standardize } from '../standardization';
import { loadTf } from '../tfjsBackend';
import { denseNetwork } from './denseNetwork';
import { fitSeeded } from './fitSeeded';
import { fitInputs, HIDDEN_ACTIVATIONS, hiddenActivation, hiddenLayerSizes, requireFitParams } from './trainingParams';

const NAME = 'train-regressor';

export const trainRegressor = component({
  name: NAME,
  description: 'Trains a dense neural-network regressor (TensorFlow.js) to predict a number column from the other number columns.',
  category: 'train',
  module: 'sluice/components',
  export: 'trainRegressor',
  inputs: {
    train: t.Dataset({ description: 'training rows; the target and every feature column must be numbers' }),
    target: t.string({ optional: true, description: "the number column to predict (default: the dataset's target)" }),
    features: t.list(t.string(), {
      optional: true,
      description: "feature columns (default: every column except the target and the dataset's own target label)",
    }),
    hiddenUnits: t.int({ default: 16, description: 'units of the one hidden layer (when hiddenLayers is unset)' }),
    hiddenLayers: t.list(t.int(), { optional: true, description: 'units per hidden layer, e.g. [32, 16]; [] for linear regression' }),
    // typeOnly: tsc checks the value; the IR (and so every pipeline digest) keeps a plain string port.
    activation: t.enum(HIDDEN_ACTIVATIONS, { default: 'relu', description: 'hidden-layer activation: relu, tanh or sigmoid', typeOnly: true }),
    ...fitInputs(0.01),
  },
  outputs: {
    model: t.Model({ description: 'one JSON file (sluice.tfjs-regressor): topology, weights, features, standardisation of features and target' }),
    finalLoss: t.float({ description: 'mean squared error of the last epoch, in squared target units' }),
    finalMae: t.float({ description: 'mean absolute error of the last epoch, in target units' }),
  },
  run: async (inputs, ctx) => {
    const hiddenLayers = hiddenLayerSizes(NAME, inputs.hiddenUnits, inputs.hiddenLayers);
    const activation = hiddenActivation(NAME, inputs.activation);
    const { epochs, learningRate, batchSize, seed } = requireFitParams(NAME, inputs);

    const source = inputs.train.path;
    const ds = await readDataset(source);
    const target = inputs.target ?? ds.target;
    if (target === undefined) {
      throw new NonRetryableError(`${NAME}: no target: set the "target" parameter (dataset ${source} names no target column either)`);
    }
    columnIndex(ds, target, source);
    const features = inputs.features ?? ds.columns.map((c) => c.name).filter((name) => name !== target && name !== ds.target);
    if (features.length === 0) throw new NonRetryableError(`${NAME}: dataset ${source} has no feature columns besides "${target}"`);
    if (features.includes(target)) throw new NonRetryableError(`${NAME}: the target "${target}" is also listed as a feature`);
    const x = numberMatrix(ds, features, source);
    const y = numberMatrix(ds, [target], source).map((r) => r[0]!);
    const normalization = fitStandardization(x);
    const ys = fitStandardization(y.map((v) => [v]));
    const targetNormalization = { mean: ys.mean[0]!, std: ys.std[0]! };
    const n = x.length;

    const { tf, backend, package: tfPackage } = await loadTf();
    ctx.log(`TensorFlow.js ${tf.version_core} on backend ${backend} (${tfPackage}); ${n} rows, ${features.length} features → ${target}`);
    const xAll = tf.tensor2d(standardize(x, normalization), [n, features.length]);
    const yAll = tf.tensor2d(
      y.map((v) => [(v - targetNormalization.mean) / targetNormalization.std]),
      [n, 1],
    );
    let model: LayersModel | undefined;
    const optimizer = tf.train.adam(learningRate);
    try {
      model = denseNetwork(tf, { name: 'regressor', inputs: features.length, hiddenLayers, activation, outputs: 1, outputActivation: 'linear', seed });
      model.compile({ optimizer, loss: 'meanSquaredError', metrics: ['mae'] });
      // The network works on the standardised target; report errors in the target's units.
      const sd = targetNormalization.std;
      const { loss, metric } = await fitSeeded(tf, model, xAll, yAll, {
        component: NAME,
        epochs,
        batchSize,
        learningRate,
        seed,
        signal: ctx.signal,
        onEpoch: (epoch, epochLoss, epochMae) => {
          ctx.metric('loss', epochLoss * sd * sd, { step: epoch, stepLabel: 'epoch' });
          ctx.metric('mae', epochMae * sd, { step: epoch, stepLabel: 'epoch' });
          ctx.heartbeat({ epoch, loss: epochLoss * sd * sd });
        },
      });
      const finalLoss = loss * sd * sd;
      const finalMae = metric * sd;
      ctx.log(`trained ${epochs} epochs: MSE ${finalLoss.toFixed(4)}, MAE ${finalMae.toFixed(4)} (${target} units)`);

      const params = {
        modelType: 'dense-regressor',
        hiddenLayers,
        ...(hiddenLayers.length > 0 ? { activation } : {}),
        epochs,
        learningRate,
        batchSize,
        seed,
      };
      await saveRegressorModel(ctx.outputs.model.path, tf, model, { backend, features, target, normalization, targetNormalization, params });
      ctx.outputs.model.properties = {
        format: 'sluice.tfjs-regressor',
        framework: 'tensorflow.js',
        tfjsVersion: tf.version_core,
        backend,
        package: tfPackage,
        modelType: 'dense-regressor',
        features,
        target,
        params,
        epochs,
        trainRows: n,
        finalLoss,
        finalMae,
      };
      return { finalLoss, finalMae };
    } finally {
      model?.dispose();
      optimizer.dispose();
      tf.dispose([xAll, yAll]);
    }
  },
});
