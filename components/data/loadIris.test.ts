import { afterAll, describe, expect, it } from 'vitest';
import { readDataset } from '../dataset';
import { cleanupComponentRuns, runComponent } from '../testing/runComponent';
import { loadIris } from './loadIris';

afterAll(cleanupComponentRuns);

describe('load-iris', () => {
  it('writes the 150 iris rows with named columns and species as the target', async () => {
    const run = await runComponent(loadIris, {});
    const ds = await readDataset(run.outputs.dataset.path);
    expect(ds.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'sepal_length:number',
      'sepal_width:number',
      'petal_length:number',
      'petal_width:number',
      'species:string',
    ]);
    expect(ds.target).toBe('species');
    expect(ds.rows).toHaveLength(150);
    expect(ds.rows[0]).toEqual([5.1, 3.5, 1.4, 0.2, 'setosa']);
    const counts = new Map<string, number>();
    for (const r of ds.rows) counts.set(String(r[4]), (counts.get(String(r[4])) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ setosa: 50, versicolor: 50, virginica: 50 });
    expect(run.outputs.dataset.properties).toMatchObject({ rows: 150, columns: ds.columns.map((c) => c.name), target: 'species' });
  });

  it('declares where workers import it from', () => {
    expect(loadIris.spec).toMatchObject({ name: 'load-iris', category: 'data', impl: { module: 'sluice/components', export: 'loadIris' } });
  });
});
