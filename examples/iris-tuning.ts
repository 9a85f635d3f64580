/**
 * A tuning study on iris: TPE over the dense classifier's learning rate, hidden units and epochs,
 * with the median stopping rule cutting trials whose loss curve trails the others; the best trial's
 * model is then evaluated on held-out test rows.
 *
 *   npx sluice run examples/iris-tuning.ts
 *   npx sluice tune show <run>          # the trials; `sluice tune set <run> --parallel 4` while it runs
 *
 * The objective is honest about what `train-classifier` reports: per epoch it records `loss` and
 * `accuracy` on its own training rows, with no validation split. So the study minimises the final
 * training loss (the median rule reads the same per-epoch `loss`), which rewards fitting the
 * training rows, more epochs and larger learning rates included, not generalising; the held-out
 * test accuracy of the chosen model (`testAccuracy`) is the figure to judge it by.
 *
 * Kept small (12 trials, 3 at a time, at most 30 epochs on 120 rows) so it runs in about a minute.
 */
import { evaluateClassifier, loadIris, split, trainClassifier } from 'sluice/components';
import { pipeline, t, tune } from 'sluice/dsl';

export default pipeline(
  {
    name: 'iris-tuning',
    description: 'TPE study with median-rule pruning over the iris classifier; the best model is evaluated on held-out rows.',
    inputs: {
      seed: t.int({ default: 42, description: 'seeds the split and every trial\'s training' }),
      batchSize: t.int({ default: 16 }),
    },
  },
  (p) => {
    const data = p.task(loadIris, {});
    const parts = p.task(split, { dataset: data.outputs.dataset, seed: p.inputs.seed });
    const study = p.tune(trainClassifier, {
      inputs: { train: parts.outputs.train, seed: p.inputs.seed, batchSize: p.inputs.batchSize },
      space: {
        learningRate: tune.logUniform(1e-3, 0.3),
        hiddenUnits: tune.choice([4, 8, 16, 32]),
        epochs: tune.intRange(5, 30, { step: 5 }),
      },
      // Training loss, the last epoch's value (see above): train-classifier reports no validation metric.
      objective: { metric: 'loss', goal: 'minimize' },
      // TPE takes over after 4 random trials (Optuna's default of 10 would leave it 2 of 12).
      algorithm: { name: 'tpe', startupTrials: 4 },
      maxTrials: 12,
      parallelTrials: 3,
      maxFailedTrials: 2,
      seed: 1,
      earlyStopping: { rule: 'median', startupTrials: 3, warmupSteps: 2 },
    });
    const evaluated = p.task(evaluateClassifier, { model: study.outputs.model, test: parts.outputs.test });
    return {
      model: study.outputs.model,
      bestParams: study.outputs.bestParams,
      bestLoss: study.outputs.bestValue,
      learningRate: study.best.learningRate,
      testAccuracy: evaluated.outputs.accuracy,
      trials: study.outputs.trials,
    };
  },
);
