/**
 * Iris, end to end: load the iris data → stratified, seeded train/test split → train a small
 * dense classifier with TensorFlow.js → evaluate it (accuracy, confusion matrix).
 *
 *   npx sluice run examples/iris.ts --param epochs=150
 */
import { evaluateClassifier, loadIris, split, trainClassifier } from 'sluice/components';
import { pipeline, t } from 'sluice/dsl';

export default pipeline(
  {
    name: 'iris',
    description: 'Train and evaluate a dense classifier on the iris flowers.',
    inputs: {
      testFraction: t.float({ default: 0.2, description: 'share of rows held out for testing' }),
      seed: t.int({ default: 42, description: 'seeds the split and the training' }),
      hiddenUnits: t.int({ default: 16 }),
      epochs: t.int({ default: 100 }),
      learningRate: t.float({ default: 0.05 }),
    },
  },
  (p) => {
    const data = p.task(loadIris, {});
    const parts = p.task(split, {
      dataset: data.outputs.dataset,
      testFraction: p.inputs.testFraction,
      seed: p.inputs.seed,
    });
    const trained = p.task(trainClassifier, {
      train: parts.outputs.train,
      hiddenUnits: p.inputs.hiddenUnits,
      epochs: p.inputs.epochs,
      learningRate: p.inputs.learningRate,
      seed: p.inputs.seed,
    });
    const evaluated = p.task(evaluateClassifier, { model: trained.outputs.model, test: parts.outputs.test });
    return { model: trained.outputs.model, metrics: evaluated.outputs.metrics };
  },
);
