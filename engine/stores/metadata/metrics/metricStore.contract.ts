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
  });
}
