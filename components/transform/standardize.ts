/**
 * `standardize`: scales number feature columns (z-score or min-max), fitted on the training set
 * only, so no statistic of the test set leaks into training. Outputs both sets scaled and the
 * fitted `Transform`, which `apply-transform` applies to new data at inference time.
 */
import { writeFile } from 'node:fs/promises';
import { component, NonRetryableError, t } from 'sluice/dsl';
import { datasetProperties, readDataset, writeDataset } from '../dataset';
import { applyTransformTo, featureColumns, fitTransform, SCALING_METHODS, type ScalingMethod } from './transform';

function isScalingMethod(value: string): value is ScalingMethod {
  return (SCALING_METHODS as readonly string[]).includes(value);
}

export const standardize = component({
  name: 'standardize',
  description: 'Scales number feature columns (z-score or min-max) fitted on the training set, and applies the same scaling to the test set.',
  category: 'transform',
  module: 'sluice/components',
  export: 'standardize',
  inputs: {
    train: t.Dataset({ description: 'the rows the scaling is fitted on' }),
    test: t.Dataset({ description: 'scaled with the parameters fitted on train' }),
    method: t.string({ default: 'zscore', description: 'zscore: (x − mean) / std; minmax: (x − min) / (max − min)' }),
    columns: t.list(t.string(), { optional: true, description: "columns to scale (default: every number column but the target and 'exclude')" }),
    exclude: t.list(t.string(), { default: [], description: 'number columns to leave as they are (the target is always left)' }),
  },
  outputs: {
    trainScaled: t.Dataset(),
    testScaled: t.Dataset(),
    transform: t.artifact('Transform')({ description: 'sluice.transform JSON: the method and per-column parameters' }),
  },
  run: async (inputs, ctx) => {
    const method = inputs.method;
    if (!isScalingMethod(method)) {
      throw new NonRetryableError(`standardize: method must be one of ${SCALING_METHODS.join(', ')}; got ${JSON.stringify(method)}`);
    }
    const train = await readDataset(inputs.train.path);
    const test = await readDataset(inputs.test.path);
    const columns = featureColumns(train, inputs.train.path, inputs.columns, inputs.exclude);
    if (columns.length === 0) {
      throw new NonRetryableError(`standardize: dataset ${inputs.train.path} has no number columns to scale besides the target and those excluded`);
    }
    const transform = fitTransform(train, columns, method, inputs.train.path);
    const scaled = { trainScaled: applyTransformTo(train, transform, inputs.train.path), testScaled: applyTransformTo(test, transform, inputs.test.path) };

    for (const port of ['trainScaled', 'testScaled'] as const) {
      await writeDataset(ctx.outputs[port].path, scaled[port]);
      ctx.outputs[port].properties = { ...datasetProperties(scaled[port]), scaling: method, scaledColumns: columns };
    }
    await writeFile(ctx.outputs.transform.path, `${JSON.stringify(transform, null, 2)}\n`);
    ctx.outputs.transform.properties = { method, columns, fittedRows: transform.fittedRows };
    ctx.log(`${method} on ${columns.length} columns, fitted on ${train.rows.length} rows: ${columns.join(', ')}`);
  },
});
