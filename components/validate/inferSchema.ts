/** `infer-schema`: a `Schema` artifact (types, required columns, ranges, categories) from good data. */
import { writeFile } from 'node:fs/promises';
import { component, NonRetryableError, t } from 'sluice/dsl';
import { readDataset } from '../dataset';
import { schemaFromStatistics } from './schema';
import { datasetStatistics, readStatistics, type Statistics } from './statistics';

export const inferSchema = component({
  name: 'infer-schema',
  description: 'Infers a Schema from a Dataset taken to be good: column types, required columns, numeric ranges, allowed categories.',
  category: 'validate',
  module: 'sluice/components',
  export: 'inferSchema',
  inputs: {
    dataset: t.Dataset({ description: 'data taken to be good (usually the training set)' }),
    statistics: t.artifact('Statistics')({ optional: true, description: "the dataset's compute-statistics output, to reuse instead of recomputing" }),
    rangeSlack: t.float({ default: 0.1, description: 'widen each numeric range by this fraction of its width on both sides' }),
    maxCategories: t.int({ default: 20, description: 'string columns with at most this many distinct values get an allowed list' }),
  },
  outputs: { schema: t.artifact('Schema')({ description: 'sluice.schema JSON, one entry per column; safe to hand-edit' }) },
  run: async (inputs, ctx) => {
    if (!(inputs.rangeSlack >= 0)) throw new NonRetryableError(`infer-schema: rangeSlack must be 0 or more; got ${inputs.rangeSlack}`);
    if (!Number.isInteger(inputs.maxCategories) || inputs.maxCategories < 0) {
      throw new NonRetryableError(`infer-schema: maxCategories must be a non-negative integer; got ${inputs.maxCategories}`);
    }
    const ds = await readDataset(inputs.dataset.path);
    let stats: Statistics;
    if (inputs.statistics) {
      stats = await readStatistics(inputs.statistics.path);
      // Statistics of other data would give a schema that the dataset itself breaks.
      const names = (cols: ReadonlyArray<{ name: string }>): string => cols.map((c) => c.name).join(', ');
      if (stats.rows !== ds.rows.length || names(stats.columns) !== names(ds.columns)) {
        throw new NonRetryableError(
          `infer-schema: statistics ${inputs.statistics.path} (${stats.rows} rows; ${names(stats.columns)}) do not describe ` +
            `dataset ${inputs.dataset.path} (${ds.rows.length} rows; ${names(ds.columns)}); wire the statistics of this dataset`,
        );
      }
    } else {
      stats = datasetStatistics(ds);
    }
    const schema = schemaFromStatistics(stats, { rangeSlack: inputs.rangeSlack, maxCategories: inputs.maxCategories });
    await writeFile(ctx.outputs.schema.path, `${JSON.stringify(schema, null, 2)}\n`);
    ctx.outputs.schema.properties = {
      columns: schema.columns.map((c) => c.name),
      required: schema.columns.filter((c) => c.required).map((c) => c.name),
      categorical: schema.columns.filter((c) => c.categories).map((c) => c.name),
    };
    ctx.log(`schema for ${schema.columns.length} columns (${schema.columns.filter((c) => c.required).length} required)`);
  },
});
