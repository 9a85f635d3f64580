/**
 * Type-level tests for control flow: checked by `tsc --noEmit` in `npm test`; each
 * `@ts-expect-error` fails the build if the line below it ever starts compiling.
 */
import { approval, collect, component, eq, gt, lt, oneOf, pipeline, t } from 'sluice/dsl';

const train = component({
  name: 'train',
  inputs: { lr: t.float(), units: t.int({ default: 8 }) },
  outputs: { model: t.Model(), accuracy: t.float(), name: t.string() },
  run: () => ({ accuracy: 1, name: 'm' }),
});
const pick = component({
  name: 'pick',
  inputs: { models: t.list(t.Model()), scores: t.list(t.float()) },
  outputs: { best: t.Model() },
  run: (inputs, ctx) => {
    const paths: string[] = inputs.models.map((m) => m.path);
    void [paths, ctx.outputs.best.path];
  },
});
const deploy = component({ name: 'deploy', inputs: { model: t.Model(), note: t.string({ optional: true }) }, outputs: { url: t.string() }, run: () => ({ url: 'x' }) });
const notify = component({ name: 'notify', inputs: { status: t.string(), error: t.string({ optional: true }) }, run: () => undefined });

pipeline({ name: 'typed-flow', inputs: { lrs: t.list(t.float()), mode: t.string(), limit: t.int() } }, (p) => {
  const sweep = p.forEach(p.inputs.lrs, (lr) => {
    const m = p.task(train, { lr });
    // @ts-expect-error a float item does not fit an int input
    p.task(train, { lr, units: lr });
    return { model: m.outputs.model, accuracy: m.outputs.accuracy };
  });
  const best = p.task(pick, { models: collect(sweep.outputs.model), scores: collect(sweep.outputs.accuracy) });
  // @ts-expect-error a loop output has one value per item: it must go through collect()
  p.task(deploy, { model: sweep.outputs.model });
  // @ts-expect-error a collected list of models does not fit a single Model input
  p.task(deploy, { model: collect(sweep.outputs.model) });
  // @ts-expect-error collected floats are list<float>, not a list of models
  p.task(pick, { models: collect(sweep.outputs.accuracy), scores: collect(sweep.outputs.accuracy) });

  const trained = p.task(train, { lr: 0.1 }, { id: 'single' });
  // @ts-expect-error comparing a float output with a string
  p.when(gt(trained.outputs.accuracy, 'high'), () => undefined);
  // @ts-expect-error strings and numbers are not equal-comparable
  p.when(eq(p.inputs.mode, 3), () => undefined);
  // @ts-expect-error artifacts cannot be compared
  p.when(eq(trained.outputs.model, 1), () => undefined);
  const [a, b] = p
    .when(lt(p.inputs.limit, 10), () => p.task(deploy, { model: best.outputs.best }, { id: 'small' }))
    .else(() => p.task(deploy, { model: trained.outputs.model }, { id: 'large' })).branches;
  p.task(deploy, { model: best.outputs.best, note: oneOf(a.outputs.url, b.outputs.url) }, { id: 'merged' });
  // @ts-expect-error oneOf of a string and a Model does not fit a string input
  p.task(deploy, { model: best.outputs.best, note: oneOf(a.outputs.url, trained.outputs.model) }, { id: 'bad-merge' });

  const gate = p.task(approval, { message: 'ship?' });
  // @ts-expect-error approval outputs a bool `approved`, not a Model
  p.task(deploy, { model: gate.outputs.approved });
  p.onExit(notify, { status: p.run.status, error: p.run.error });
  return { best: best.outputs.best };
});

const sub = pipeline({ name: 'sub', inputs: { lr: t.float() } }, (p) => ({ model: p.task(train, { lr: p.inputs.lr }).outputs.model }));
pipeline({ name: 'outer' }, (p) => {
  const s = p.task(sub, { lr: 0.1 });
  p.task(deploy, { model: s.outputs.model });
  // @ts-expect-error a nested pipeline's inputs are typed like a component's
  p.task(sub, { lr: 'fast' });
  // @ts-expect-error a nested pipeline's outputs keep their types
  p.task(train, { lr: s.outputs.model });
});
