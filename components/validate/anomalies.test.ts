import { describe, expect, it } from 'vitest';
import { irisDataset } from '../data/loadIris';
import type { Dataset } from '../dataset';
import { anomalyReport, findAnomalies } from './anomalies';
import { schemaFromStatistics, type Schema } from './schema';
import { datasetStatistics } from './statistics';

const schema: Schema = {
  format: 'sluice.schema',
  formatVersion: 1,
  columns: [
    { name: 'length', type: 'float', required: true, min: 1, max: 7 },
    { name: 'count', type: 'int', required: false },
    { name: 'species', type: 'string', required: true, categories: ['setosa', 'versicolor'] },
    { name: 'width', type: 'float', required: true },
  ],
};

describe('findAnomalies', () => {
  it('finds nothing in the data the schema was inferred from', () => {
    const iris = irisDataset();
    expect(findAnomalies(iris, schemaFromStatistics(datasetStatistics(iris), { rangeSlack: 0 }))).toEqual([]);
  });

  it('reports each kind of anomaly with a message naming the column and the numbers', () => {
    const ds: Dataset = {
      columns: [
        { name: 'length', type: 'number', nullable: true },
        { name: 'count', type: 'number' },
        { name: 'species', type: 'string' },
        { name: 'colour', type: 'string' },
      ],
      rows: [
        [0.5, 1, 'setosa', 'red'],
        [null, 2.5, 'Setosa', 'red'],
        [9, 3, 'unknown', 'blue'],
        [3, 4, 'Setosa', 'blue'],
      ],
    };
    expect(findAnomalies(ds, schema)).toEqual([
      { kind: 'missing-values', column: 'length', rows: 1, message: 'column "length" has 1 missing value (rows 1); the schema requires a value in every row' },
      { kind: 'out-of-range', column: 'length', rows: 2, message: 'column "length" has 2 values outside [1, 7] (lowest 0.5, highest 9)' },
      { kind: 'wrong-type', column: 'count', message: 'column "count" holds float values; the schema expects int' },
      {
        kind: 'unknown-category',
        column: 'species',
        rows: 3,
        message: 'column "species" has 3 values the schema does not list: "Setosa" ×2, "unknown" ×1 (allowed: setosa, versicolor)',
      },
      { kind: 'missing-column', column: 'width', message: 'dataset is missing column "width" that the schema requires' },
      { kind: 'unexpected-column', column: 'colour', message: 'column "colour" is not in the schema (drop it, or infer the schema again from data that has it)' },
    ]);
    expect(findAnomalies(ds, schema, { allowExtraColumns: true }).map((a) => a.kind)).not.toContain('unexpected-column');
  });

  it('reports a string column where the schema expects numbers as a wrong type only', () => {
    const ds: Dataset = { columns: [{ name: 'length', type: 'string' }], rows: [['long']] };
    const only: Schema = { ...schema, columns: [schema.columns[0]!] };
    expect(findAnomalies(ds, only)).toEqual([{ kind: 'wrong-type', column: 'length', message: 'column "length" holds string values; the schema expects float' }]);
  });
});

describe('anomalyReport', () => {
  it('is a Markdown verdict and table, with pipes in values escaped', () => {
    const report = anomalyReport([{ kind: 'wrong-type', column: 'a|b', message: 'column "a|b" holds string values; the schema expects int' }], {
      dataset: 'data.csv',
      schema: 'schema.json',
      rows: 3,
    });
    expect(report).toContain('- dataset: `data.csv` (3 rows)');
    expect(report).toContain('**1 anomaly**');
    expect(report).toContain('| wrong-type | `a\\|b` |  | column "a\\|b" holds string values; the schema expects int |');
    expect(anomalyReport([], { dataset: 'd', schema: 's', rows: 0 })).toContain('**Valid**: no anomalies.');
  });
});
