/**
 * The TaskLogStore contract: task log lines, numbered per execution.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runFixtures, uid } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describeTaskLogStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('task logs', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });
    const { newRun, startTask } = runFixtures(() => store);

    const ts = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));

    it('appends lines, numbering them per execution across attempts', async () => {
      const { run } = await newRun();
      const train = await startTask(run.id, 'train');
      const target = { runId: run.id, executionId: train.id, attempt: 1 };
      await store.appendTaskLogs(target, [
        { ts: ts(1), stream: 'log', level: 'info', message: 'epoch 1', fields: { loss: 0.5, tags: ['a'] } },
        { ts: ts(2), stream: 'stdout', message: 'hello' },
      ]);
      await store.appendTaskLogs(target, [{ ts: ts(3), stream: 'stderr', message: 'warn' }]);
      await store.appendTaskLogs({ ...target, attempt: 2 }, [{ ts: ts(4), stream: 'system', level: 'error', message: 'boom' }]);

      const lines = await store.listTaskLogs({ runId: run.id });
      expect(lines).toEqual([
        { runId: run.id, executionId: train.id, taskId: 'train', attempt: 1, seq: 1, ts: ts(1), stream: 'log', level: 'info', message: 'epoch 1', fields: { loss: 0.5, tags: ['a'] } },
        { runId: run.id, executionId: train.id, taskId: 'train', attempt: 1, seq: 2, ts: ts(2), stream: 'stdout', level: null, message: 'hello', fields: null },
        { runId: run.id, executionId: train.id, taskId: 'train', attempt: 1, seq: 3, ts: ts(3), stream: 'stderr', level: null, message: 'warn', fields: null },
        { runId: run.id, executionId: train.id, taskId: 'train', attempt: 2, seq: 4, ts: ts(4), stream: 'system', level: 'error', message: 'boom', fields: null },
      ]);
      expect((await store.listTaskLogs({ runId: run.id, attempt: 2 })).map((l) => l.seq)).toEqual([4]);
      expect((await store.listTaskLogs({ runId: run.id, executionId: train.id, afterSeq: 2 })).map((l) => l.seq)).toEqual([3, 4]);
      expect((await store.listTaskLogs({ runId: run.id, taskId: 'train', afterSeq: 1, limit: 2 })).map((l) => l.seq)).toEqual([2, 3]);
      expect(await store.listTaskLogs({ runId: run.id, taskId: 'nope' })).toEqual([]);
      expect(await store.listTaskLogs({ runId: `missing-${uid()}` })).toEqual([]);
    });

    it('lists a run’s lines by time across its tasks, leaving out other runs', async () => {
      const { run } = await newRun();
      const other = await newRun();
      const a = await startTask(run.id, 'a');
      const b = await startTask(run.id, 'b');
      const x = await startTask(other.run.id, 'x');
      await store.appendTaskLogs({ runId: run.id, executionId: a.id, attempt: 1 }, [
        { ts: ts(1), stream: 'log', message: 'a1' },
        { ts: ts(3), stream: 'log', message: 'a3' },
      ]);
      await store.appendTaskLogs({ runId: run.id, executionId: b.id, attempt: 1 }, [{ ts: ts(2), stream: 'log', message: 'b2' }]);
      await store.appendTaskLogs({ runId: other.run.id, executionId: x.id, attempt: 1 }, [{ ts: ts(2), stream: 'log', message: 'x' }]);
      expect((await store.listTaskLogs({ runId: run.id })).map((l) => `${l.taskId}:${l.message}:${l.seq}`)).toEqual([
        'a:a1:1',
        'b:b2:1',
        'a:a3:2',
      ]);
      expect((await store.listTaskLogs({ runId: run.id, taskId: 'b' })).map((l) => l.message)).toEqual(['b2']);
    });

    it('stores a batch sent twice once, by the writer’s line numbers', async () => {
      const { run } = await newRun();
      const e = await startTask(run.id, 'train');
      const target = { runId: run.id, executionId: e.id, attempt: 1 };
      const batch = [
        { ts: ts(1), stream: 'log' as const, message: 'one', line: 1 },
        { ts: ts(2), stream: 'log' as const, message: 'two', line: 2 },
      ];
      await store.appendTaskLogs(target, batch);
      await store.appendTaskLogs(target, batch);
      await store.appendTaskLogs(target, [{ ts: ts(3), stream: 'log', message: 'three', line: 3 }]);
      // Lines without numbers continue after the attempt's last one.
      await store.appendTaskLogs(target, [{ ts: ts(4), stream: 'log', message: 'four' }]);
      const lines = await store.listTaskLogs({ runId: run.id });
      expect(lines.map((l) => l.message)).toEqual(['one', 'two', 'three', 'four']);
      const seqs = lines.map((l) => l.seq);
      expect([...seqs].sort((p, q) => p - q)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(4);
    });

    it('keeps every line of concurrent appends to one execution', async () => {
      const { run } = await newRun();
      const e = await startTask(run.id, 'train');
      await Promise.all(
        [1, 2, 3, 4, 5, 6].map((attempt) =>
          store.appendTaskLogs({ runId: run.id, executionId: e.id, attempt }, [
            { ts: ts(attempt), stream: 'log', message: `from ${attempt} a` },
            { ts: ts(attempt), stream: 'log', message: `from ${attempt} b` },
          ]),
        ),
      );
      const lines = await store.listTaskLogs({ runId: run.id, executionId: e.id });
      expect(lines).toHaveLength(12);
      expect(new Set(lines.map((l) => l.seq)).size).toBe(12);
      for (const attempt of [1, 2, 3, 4, 5, 6]) {
        const own = lines.filter((l) => l.attempt === attempt);
        expect(own.map((l) => l.message)).toEqual([`from ${attempt} a`, `from ${attempt} b`]);
      }
    });

    it('keeps odd text: quotes, unicode, newlines; drops NUL', async () => {
      const { run } = await newRun();
      const e = await startTask(run.id, 'train');
      await store.appendTaskLogs({ runId: run.id, executionId: e.id, attempt: 1 }, [
        { ts: ts(1), stream: 'stdout', message: 'ünï "q" \\ 🚀\nnext\u0000end', fields: { k: 'v\u0000w' } },
        { ts: ts(2), stream: 'stdout', message: '' },
      ]);
      const lines = await store.listTaskLogs({ runId: run.id });
      expect(lines.map((l) => l.message)).toEqual(['ünï "q" \\ 🚀\nnextend', '']);
      expect(lines[0]?.fields).toEqual({ k: 'vw' });
    });

    it('refuses lines of an unknown execution', async () => {
      const { run } = await newRun();
      await expect(
        store.appendTaskLogs({ runId: run.id, executionId: `missing-${uid()}`, attempt: 1 }, [
          { ts: ts(1), stream: 'log', message: 'x' },
        ]),
      ).rejects.toMatchObject({ code: 'not_found' });
      // Nothing to write is not an error.
      await store.appendTaskLogs({ runId: run.id, executionId: `missing-${uid()}`, attempt: 1 }, []);
    });
  });
}
