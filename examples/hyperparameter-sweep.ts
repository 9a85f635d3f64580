/**
 * A hyperparameter sweep on iris: one split, then a loop over a grid of learning rates and hidden
 * layer sizes (two at a time), each item training and evaluating a model; the accuracies and models
 * are collected back and the best model is selected. Items whose training fails do not sink the
 * sweep as long as three quarters succeed.
 *
 *   npx sluice run examples/hyperparameter-sweep.ts
 *   npx sluice run examples/hyperparameter-sweep.ts --param 'grid=[{"learningRate":0.1,"hiddenUnits":4}]'
 */
import { evaluateClassifier, loadIris, selectBest, split, trainClassifier } from 'sluice/components';
import { collect, pipeline, t } from 'sluice/dsl';

export default pipeline(
  {
    name: 'hyperparameter-sweep',
    description: 'Grid search over learning rate and hidden units; keeps the most accurate model.',
    inputs: {
      grid: t.list(t.json(), {
        default: [
          { learningRate: 0.01, hiddenUnits: 8 },
          { learningRate: 0.05, hiddenUnits: 8 },
          { learningRate: 0.05, hiddenUnits: 16 },
          { learningRate: 0.2, hiddenUnits: 16 },
        ],
        description: 'one object per trial: { learningRate, hiddenUnits }',
      }),
      epochs: t.int({ default: 60 }),
      seed: t.int({ default: 7 }),
    },
  },
  (p) => {
    const data = p.task(loadIris, {});
    const parts = p.task(split, { dataset: data.outputs.dataset, seed: p.inputs.seed });
    const sweep = p.forEach(
      p.inputs.grid,
      (trial) => {
        const trained = p.task(trainClassifier, {
          train: parts.outputs.train,
          learningRate: trial.field('learningRate', 'float'),
          hiddenUnits: trial.field('hiddenUnits', 'int'),
          epochs: p.inputs.epochs,
          seed: p.inputs.seed,
        });
        const evaluated = p.task(evaluateClassifier, { model: trained.outputs.model, test: parts.outputs.test });
        return { model: trained.outputs.model, accuracy: evaluated.outputs.accuracy };
      },
      { id: 'trials', parallelism: 2, minSuccessRatio: 0.75 },
    );
    const best = p.task(selectBest, { models: collect(sweep.outputs.model), scores: collect(sweep.outputs.accuracy) });
    return { model: best.outputs.best, accuracy: best.outputs.bestScore, trial: best.outputs.bestIndex };
  },
);
