/**
 * `select-best`: the fan-in end of a sweep. Given the models of a loop and their scores (both
 * collected from the loop, so in the same item order), passes on the best model and says which.
 */
import { copyFile } from 'node:fs/promises';
import { component, NonRetryableError, t } from 'sluice/dsl';

export const selectBest = component({
  name: 'select-best',
  description: 'Picks the model with the highest (or lowest) score from a sweep.',
  category: 'evaluate',
  module: 'sluice/components',
  export: 'selectBest',
  inputs: {
    models: t.list(t.Model(), { description: 'collect() of the loop\'s model output' }),
    scores: t.list(t.float(), { description: 'collect() of the loop\'s score output, same order' }),
    higherIsBetter: t.bool({ default: true }),
  },
  outputs: { best: t.Model(), bestScore: t.float(), bestIndex: t.int() },
  run: async ({ models, scores, higherIsBetter }, ctx) => {
    if (models.length === 0) throw new NonRetryableError('select-best: no models to choose from (did every loop item fail?)');
    if (models.length !== scores.length) {
      throw new NonRetryableError(`select-best: ${models.length} models but ${scores.length} scores; collect both from the same loop`);
    }
    let best = 0;
    for (let i = 1; i < scores.length; i++) {
      const s = scores[i] as number;
      const b = scores[best] as number;
      if (higherIsBetter ? s > b : s < b) best = i;
    }
    const chosen = models[best];
    if (!chosen) throw new NonRetryableError('select-best: internal error');
    await copyFile(chosen.path, ctx.outputs.best.path);
    ctx.outputs.best.properties = { ...chosen.properties, selectedFrom: chosen.id, score: scores[best] ?? null };
    ctx.log(`selected model ${best + 1} of ${models.length}`, { score: scores[best] ?? null, artifact: chosen.id });
    return { bestScore: scores[best] as number, bestIndex: best };
  },
});
