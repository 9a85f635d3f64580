/** `apply-transform`: applies a fitted `Transform` (from `standardize`) to new data, e.g. at inference time. */
import { component, t } from 'sluice/dsl';
import { datasetProperties, readDataset, writeDataset } from '../dataset';
import { applyTransformTo, readTransform } from './transform';

export const applyTransform = component({
  name: 'apply-transform',
  description: 'Applies a fitted Transform to a Dataset: the same scaling the training data got.',
  category: 'transform',
  module: 'sluice/components',
  export: 'applyTransform',
  inputs: {
    transform: t.artifact('Transform')({ description: 'a standardize output' }),
    dataset: t.Dataset({ description: 'must have every column the transform was fitted on' }),
  },
  outputs: { scaled: t.Dataset() },
  run: async (inputs, ctx) => {
    const transform = await readTransform(inputs.transform.path);
    const ds = await readDataset(inputs.dataset.path);
    const scaled = applyTransformTo(ds, transform, inputs.dataset.path);
    await writeDataset(ctx.outputs.scaled.path, scaled);
    const columns = transform.columns.map((c) => c.name);
    ctx.outputs.scaled.properties = { ...datasetProperties(scaled), scaling: transform.method, scaledColumns: columns };
    ctx.log(`${transform.method} applied to ${columns.length} columns of ${ds.rows.length} rows`);
  },
});
