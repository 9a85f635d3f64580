/**
 * `train-classifier`: a dense neural network (hidden ReLU layers, softmax output) trained with Adam
 * on a Dataset's number columns to predict its target column. Records `loss` and `accuracy` per
 * epoch as metric series (step = epoch). Everything random is seeded (weight initialisers, the
 * per-epoch batch order), so the same inputs give the same model file on the same backend.
 */
import { component, t } from 'sluice/dsl';
import { trainDenseClassifier } from './trainDenseClassifier';
import { fitInputs, HIDDEN_ACTIVATIONS, hiddenActivation, hiddenLayerSizes, requireFitParams } from './trainingParams';

const NAME = 'train-classifier';

export const trainClassifier = component({
  name: NAME,
  description: "Trains a dense neural-network classifier (TensorFlow.js) on a Dataset's number columns to predict its target.",
  category: 'train',
  module: 'sluice/components',
  export: 'trainClassifier',
  inputs: {
    train: t.Dataset({ description: 'training rows; needs a target column, every other column a number' }),
    hiddenUnits: t.int({ default: 16, description: 'units of the one hidden layer (when hiddenLayers is unset)' }),
    hiddenLayers: t.list(t.int(), { optional: true, description: 'units per hidden layer, e.g. [32, 16]; overrides hiddenUnits' }),
    // typeOnly: tsc checks the value; the IR (and so every pipeline digest) keeps a plain string port.
    activation: t.enum(HIDDEN_ACTIVATIONS, { default: 'relu', description: 'hidden-layer activation: relu, tanh or sigmoid', typeOnly: true }),
    ...fitInputs(0.05),
  },
  outputs: {
    model: t.Model({ description: 'one JSON file (sluice.tfjs-classifier): topology, weights, features, standardisation, classes' }),
    finalLoss: t.float(),
    finalAccuracy: t.float({ description: 'training accuracy of the last epoch' }),
  },
  run: async (inputs, ctx) => {
    const hiddenLayers = hiddenLayerSizes(NAME, inputs.hiddenUnits, inputs.hiddenLayers);
    const activation = hiddenActivation(NAME, inputs.activation);
    const { epochs, learningRate, batchSize, seed } = requireFitParams(NAME, inputs);
    return trainDenseClassifier(
      { component: NAME, modelType: 'dense-classifier', trainPath: inputs.train.path, hiddenLayers, activation, epochs, learningRate, batchSize, seed },
      ctx.outputs.model,
      ctx,
    );
  },
});
