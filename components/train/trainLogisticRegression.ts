/**
 * `train-logistic-regression`: multinomial logistic (softmax) regression — the dense classifier
 * with no hidden layer — as a quick, hard-to-overfit baseline to bless a bigger model against.
 * Same model file format as `train-classifier` (so `evaluate-classifier`, `export-onnx` and
 * `batch-inference` take it), same per-epoch `loss`/`accuracy` series, same seeding.
 */
import { component, t } from 'sluice/dsl';
import { trainDenseClassifier } from './trainDenseClassifier';
import { fitInputs, requireFitParams } from './trainingParams';

const NAME = 'train-logistic-regression';

export const trainLogisticRegression = component({
  name: NAME,
  description: 'Trains a softmax (multinomial logistic) regression with TensorFlow.js: a quick baseline classifier.',
  category: 'train',
  module: 'sluice/components',
  export: 'trainLogisticRegression',
  inputs: {
    train: t.Dataset({ description: 'training rows; needs a target column, every other column a number' }),
    ...fitInputs(0.1),
  },
  outputs: {
    model: t.Model({ description: 'one JSON file (sluice.tfjs-classifier) with a single softmax layer' }),
    finalLoss: t.float(),
    finalAccuracy: t.float({ description: 'training accuracy of the last epoch' }),
  },
  run: async (inputs, ctx) => {
    const { epochs, learningRate, batchSize, seed } = requireFitParams(NAME, inputs);
    return trainDenseClassifier(
      { component: NAME, modelType: 'logistic-regression', trainPath: inputs.train.path, hiddenLayers: [], activation: 'relu', epochs, learningRate, batchSize, seed },
      ctx.outputs.model,
      ctx,
    );
  },
});
