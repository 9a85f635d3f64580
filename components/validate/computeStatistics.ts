/**
 * `compute-statistics`: per-column statistics of a Dataset (type, missing values, numeric range,
 * mean and spread, category counts) as a `Statistics` artifact. It is a type of its own, not
 * `Metrics`, so that only statistics can be wired into `infer-schema`; the artifact viewer
 * previews it as JSON like any other.
 */
import { writeFile } from 'node:fs/promises';
import { component, NonRetryableError, t } from 'sluice/dsl';
import { readDataset } from '../dataset';
import { datasetStatistics } from './statistics';

export const computeStatistics = component({
  name: 'compute-statistics',
  description: 'Summarises every column of a Dataset: type, count, missing values, min/max/mean/std, category counts.',
  category: 'validate',
  module: 'sluice/components',
  export: 'computeStatistics',
  inputs: {
    dataset: t.Dataset(),
    maxCategories: t.int({ default: 50, description: 'most categories listed per string column (distinct values are all counted)' }),
  },
  outputs: {
    statistics: t.artifact('Statistics')({ description: 'sluice.statistics JSON: one summary per column' }),
    rows: t.int(),
    missingCells: t.int(),
  },
  run: async (inputs, ctx) => {
    if (!Number.isInteger(inputs.maxCategories) || inputs.maxCategories < 1) {
      throw new NonRetryableError(`compute-statistics: maxCategories must be a positive integer; got ${inputs.maxCategories}`);
    }
    const ds = await readDataset(inputs.dataset.path);
    const stats = datasetStatistics(ds, { maxCategories: inputs.maxCategories });
    await writeFile(ctx.outputs.statistics.path, `${JSON.stringify(stats, null, 2)}\n`);

    const missingCells = stats.columns.reduce((sum, c) => sum + c.missing, 0);
    const cells = stats.rows * stats.columns.length;
    ctx.outputs.statistics.properties = {
      rows: stats.rows,
      columns: stats.columns.map((c) => c.name),
      missingCells,
      columnsWithMissing: stats.columns.filter((c) => c.missing > 0).map((c) => c.name),
    };
    ctx.metric('rows', stats.rows);
    ctx.metric('columns', stats.columns.length);
    ctx.metric('missing_cells', missingCells);
    ctx.metric('missing_fraction', cells === 0 ? 0 : missingCells / cells);
    ctx.log(`${stats.rows} rows, ${stats.columns.length} columns, ${missingCells} missing values`);
    return { rows: stats.rows, missingCells };
  },
});
