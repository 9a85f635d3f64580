/** Components the corpus cases wire together (a small, realistic training library). */
import { component, t } from 'sluice/dsl';

export const load = component({
  name: 'load',
  inputs: { path: t.string({ default: 'data.csv' }) },
  outputs: { data: t.Dataset(), rows: t.int(), schema: t.json() },
  run: () => ({ rows: 3, schema: {} }),
});
export const split = component({
  name: 'split',
  inputs: { data: t.Dataset(), testFraction: t.float({ default: 0.2 }), seed: t.int({ default: 1 }) },
  outputs: { train: t.Dataset(), test: t.Dataset() },
  run: () => undefined,
});
export const train = component({
  name: 'train',
  inputs: {
    data: t.Dataset(),
    lr: t.float(),
    epochs: t.int({ default: 10 }),
    hidden: t.list(t.int(), { default: [16] }),
    activation: t.enum(['relu', 'tanh', 'sigmoid'], { default: 'relu' }),
    config: t.json({ optional: true }),
    shard: t.int({ optional: true }),
  },
  outputs: { model: t.Model(), loss: t.float(), warning: t.string({ optional: true }) },
  run: () => ({ loss: 0.1 }),
});
export const evaluate = component({
  name: 'evaluate',
  inputs: { model: t.Model(), test: t.Dataset(), metric: t.enum(['accuracy', 'f1-macro'], { default: 'accuracy' }) },
  outputs: { metrics: t.Metrics(), score: t.float(), passed: t.bool() },
  run: () => ({ score: 0.9, passed: true }),
});
export const deploy = component({
  name: 'deploy',
  inputs: { model: t.Model(), note: t.string({ optional: true }) },
  outputs: { url: t.string() },
  run: () => ({ url: 'http://x' }),
});
export const notify = component({
  name: 'notify',
  inputs: { message: t.string() },
  run: () => undefined,
});
export const pick = component({
  name: 'pick',
  inputs: { models: t.list(t.Model()), scores: t.list(t.float()) },
  outputs: { best: t.Model() },
  run: () => undefined,
});
