/**
 * Type-level tests: wrong wiring must not compile. Checked by `tsc --noEmit` in `npm test`;
 * each `@ts-expect-error` fails the build if the line below it ever starts compiling.
 */
import { component, pipeline, t } from 'sluice/dsl';

const load = component({
  name: 'load',
  outputs: { data: t.Dataset(), rows: t.int(), name: t.string() },
  run: () => ({ rows: 3, name: 'x' }),
});
const train = component({
  name: 'train',
  inputs: {
    data: t.Dataset(),
    epochs: t.int(),
    lr: t.float({ default: 0.01 }),
    tags: t.list(t.string(), { optional: true }),
    note: t.string({ optional: true }),
  },
  outputs: { model: t.Model(), accuracy: t.float() },
  run: (inputs, ctx) => {
    const path: string = inputs.data.path;
    const epochs: number = inputs.epochs;
    const lr: number = inputs.lr;
    // @ts-expect-error optional input without a default may be undefined
    const note: string = inputs.note;
    void [path, epochs, lr, note, ctx.outputs.model.path];
    // @ts-expect-error accuracy is a parameter output, not an artifact: it is returned, not written
    void ctx.outputs.accuracy;
    return { accuracy: 0.9 };
  },
});
const evaluate = component({
  name: 'evaluate',
  inputs: { model: t.Model(), data: t.Dataset(), threshold: t.float() },
  outputs: { metrics: t.Metrics() },
  run: () => undefined,
});
const anything = component({
  name: 'anything',
  inputs: { a: t.Artifact(), j: t.json() },
  run: () => undefined,
});

// @ts-expect-error run must return every parameter output (accuracy is missing)
component({ name: 'bad-run', outputs: { accuracy: t.float() }, run: () => ({}) });

export const ok = pipeline({ name: 'ok', inputs: { epochs: t.int({ default: 5 }), label: t.string() } }, (p) => {
  const l = p.task(load, {});
  const tr = p.task(train, { data: l.outputs.data, epochs: p.inputs.epochs });
  // int widens to float, and any parameter or artifact fits json / Artifact inputs
  p.task(evaluate, { model: tr.outputs.model, data: l.outputs.data, threshold: l.outputs.rows });
  p.task(anything, { a: tr.outputs.model, j: p.inputs.label });
  return { model: tr.outputs.model };
});

pipeline({ name: 'wrong-artifact' }, (p) => {
  const l = p.task(load, {});
  const tr = p.task(train, { data: l.outputs.data, epochs: 3 });
  // @ts-expect-error a Dataset output cannot feed a Model input
  p.task(evaluate, { model: l.outputs.data, data: l.outputs.data, threshold: 0.5 });
  // @ts-expect-error a Model output cannot feed a Dataset input
  p.task(evaluate, { model: tr.outputs.model, data: tr.outputs.model, threshold: 0.5 });
});

pipeline({ name: 'wrong-param', inputs: { name: t.string() } }, (p) => {
  const l = p.task(load, {});
  // @ts-expect-error a string literal where an int is declared
  p.task(train, { data: l.outputs.data, epochs: 'ten' });
  // @ts-expect-error a string pipeline input cannot feed an int input
  p.task(train, { data: l.outputs.data, epochs: p.inputs.name });
  // @ts-expect-error a string output cannot feed an int input
  p.task(train, { data: l.outputs.data, epochs: l.outputs.name });
  const tr = p.task(train, { data: l.outputs.data, epochs: 3 });
  // @ts-expect-error a float output cannot feed an int input (no narrowing)
  p.task(train, { data: l.outputs.data, epochs: tr.outputs.accuracy });
  // @ts-expect-error an artifact cannot feed a parameter input
  p.task(train, { data: l.outputs.data, epochs: l.outputs.data });
  // @ts-expect-error a parameter cannot feed an artifact input
  p.task(train, { data: l.outputs.rows, epochs: 1 });
  // @ts-expect-error list<string> input does not take a list of numbers
  p.task(train, { data: l.outputs.data, epochs: 1, tags: [1, 2] });
});

pipeline({ name: 'missing' }, (p) => {
  const l = p.task(load, {});
  // @ts-expect-error required input "epochs" is not set
  p.task(train, { data: l.outputs.data });
  // @ts-expect-error required artifact input "data" is not set
  p.task(train, { epochs: 3 });
  // @ts-expect-error "epochz" is not an input of train
  p.task(train, { data: l.outputs.data, epochs: 3, epochz: 4 });
  // @ts-expect-error "modl" is not an output of train
  void p.task(train, { data: l.outputs.data, epochs: 3 }).outputs.modl;
});

// @ts-expect-error pipeline outputs must be task outputs, not literals
pipeline({ name: 'bad-output' }, () => ({ x: 3 }));
