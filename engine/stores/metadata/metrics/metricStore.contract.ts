/**
 * The MetricStore contract: metrics by key and step.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runFixtures } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describeMetricStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('metrics', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });
    const { newRun, startTask } = runFixtures(() => store);

    it('records metrics idempotently: a retried write replaces the value', async () => {
      const { run } = await newRun();
      const e = await startTask(run.id, 'train');
      await store.recordMetric({ runId: run.id, executionId: e.id, key: 'loss', value: 0.9, step: 0 });
      await store.recordMetric({ runId: run.id, executionId: e.id, key: 'loss', value: 0.5, step: 0 });
      await store.recordMetric({ runId: run.id, executionId: e.id, key: 'loss', value: 0.4, step: 1 });
      await store.recordMetric({ runId: run.id, executionId: e.id, key: 'acc', value: 0.75, step: 0 });
      const other = await newRun();
      const otherExecution = await startTask(other.run.id, 'train');
      await store.recordMetric({ runId: other.run.id, executionId: otherExecution.id, key: 'loss', value: 9, step: 0 });

      const expected = [
        { runId: run.id, executionId: e.id, key: 'acc', value: 0.75, step: 0 },
        { runId: run.id, executionId: e.id, key: 'loss', value: 0.5, step: 0 },
        { runId: run.id, executionId: e.id, key: 'loss', value: 0.4, step: 1 },
      ];
      expect(await store.listMetrics({ runId: run.id })).toEqual(expected);
      expect(await store.listMetrics({ executionId: e.id })).toEqual(expected);
    });

    it('keeps what a series step counts (stepLabel) with each point, and none where none was given', async () => {
      const { run } = await newRun();
      const e = await startTask(run.id, 'train');
      await store.recordMetric({ runId: run.id, executionId: e.id, key: 'loss', value: 0.9, step: 1, stepLabel: 'epoch' });
      await store.recordMetric({ runId: run.id, executionId: e.id, key: 'acc', value: 0.7, step: 0 });
      expect(await store.listMetrics({ runId: run.id })).toStrictEqual([
        { runId: run.id, executionId: e.id, key: 'acc', value: 0.7, step: 0 },
        { runId: run.id, executionId: e.id, key: 'loss', value: 0.9, step: 1, stepLabel: 'epoch' },
      ]);
    });

    it('reads the points of several runs at once, each with its task id, by run then execution, key and step', async () => {
      const a = await newRun();
      const load = await startTask(a.run.id, 'load');
      const train = await startTask(a.run.id, 'train');
      await store.recordMetric({ runId: a.run.id, executionId: train.id, key: 'loss', value: 0.5, step: 2, stepLabel: 'epoch' });
      await store.recordMetric({ runId: a.run.id, executionId: train.id, key: 'loss', value: 0.9, step: 1, stepLabel: 'epoch' });
      await store.recordMetric({ runId: a.run.id, executionId: load.id, key: 'rows', value: 150, step: 0 });
      const b = await newRun();
      const bTrain = await startTask(b.run.id, 'train');
      await store.recordMetric({ runId: b.run.id, executionId: bTrain.id, key: 'loss', value: 0.7, step: 0 });
      const other = await newRun();
      await store.recordMetric({ runId: other.run.id, executionId: (await startTask(other.run.id, 'train')).id, key: 'loss', value: 1, step: 0 });

      const points = await store.listRunsMetrics([b.run.id, a.run.id]);
      const sortedRuns = [a.run.id, b.run.id].sort();
      expect(points.map((p) => p.runId)).toEqual(sortedRuns.flatMap((id) => (id === a.run.id ? [id, id, id] : [id])));
      expect(points.filter((p) => p.runId === a.run.id)).toStrictEqual([
        { runId: a.run.id, executionId: load.id, taskId: 'load', key: 'rows', value: 150, step: 0 },
        { runId: a.run.id, executionId: train.id, taskId: 'train', key: 'loss', value: 0.9, step: 1, stepLabel: 'epoch' },
        { runId: a.run.id, executionId: train.id, taskId: 'train', key: 'loss', value: 0.5, step: 2, stepLabel: 'epoch' },
      ]);
      expect(await store.listRunsMetrics([])).toEqual([]);
    });

    it("keeps each run's latest value per key for filters, orders and columns: the highest step, the last write at a tie, across its executions", async () => {
      // Keys unique to this test: the store is shared with other tests' runs.
      const key = `score${Date.now()}`;
      const a = await newRun();
      const train = await startTask(a.run.id, 'train');
      const evaluate = await startTask(a.run.id, 'evaluate');
      // Written out of step order: step 5 stays the latest though step 2 came after it.
      await store.recordMetric({ runId: a.run.id, executionId: train.id, key, value: 0.2, step: 5 });
      await store.recordMetric({ runId: a.run.id, executionId: train.id, key, value: 0.99, step: 2 });
      // Another execution of the run at a higher step takes over.
      await store.recordMetric({ runId: a.run.id, executionId: evaluate.id, key, value: 0.7, step: 9 });
      const b = await newRun();
      const bTrain = await startTask(b.run.id, 'train');
      await store.recordMetric({ runId: b.run.id, executionId: bTrain.id, key, value: 0.3, step: 1 });
      // A rewrite of the latest step replaces the value.
      await store.recordMetric({ runId: b.run.id, executionId: bTrain.id, key, value: 0.9, step: 1 });
      await store.logToExecution({ runId: b.run.id, executionId: bTrain.id, tracked: false }, { metrics: [{ key: `${key}x`, value: 1, step: 0 }] });

      const latest = await store.latestMetrics([a.run.id, b.run.id], [key]);
      expect(latest.get(a.run.id)).toEqual([{ key, value: 0.7, step: 9 }]);
      expect(latest.get(b.run.id)).toEqual([{ key, value: 0.9, step: 1 }]);
      expect((await store.latestMetrics([b.run.id])).get(b.run.id)?.map((m) => m.key)).toEqual([key, `${key}x`]);

      const search = { order: [], limit: 10 } as const;
      const ids = async (s: Parameters<MetadataStore['searchRuns']>[0]): Promise<string[]> => (await store.searchRuns(s)).map((r) => r.id);
      expect(await ids({ ...search, filter: [{ entity: 'metric', key, op: '>', value: 0.8 }] })).toEqual([b.run.id]);
      expect(await ids({ ...search, filter: [{ entity: 'metric', key, op: '<', value: 0.8 }] })).toEqual([a.run.id]);
      const both = [{ entity: 'metric', key, op: '>', value: 0 }] as const;
      expect(await ids({ ...search, filter: [...both], order: [{ by: { entity: 'metric', key }, descending: true }] })).toEqual([b.run.id, a.run.id]);
      expect(await ids({ ...search, filter: [...both], order: [{ by: { entity: 'metric', key }, descending: false }] })).toEqual([a.run.id, b.run.id]);
    });
  });
}
