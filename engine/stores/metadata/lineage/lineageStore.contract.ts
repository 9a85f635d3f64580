/**
 * The LineageStore contract: events and the lineage graph they make, reuse folded in.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactInput, runFixtures, uid } from '../fixtures.contract';
import type { LineageGraph, MetadataStore } from '../MetadataStore';

export function describeLineageStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('lineage', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });
    const { newRun, startTask } = runFixtures(() => store);

    /**
     * load → dataset → split → (train, test); train → fit → model; (model, test) → evaluate → metrics.
     * Artifact ids are `${run}/artifact`, execution ids `${run}/task:x`.
     */
    async function chain() {
      const { run } = await newRun('lineage');
      const a = (name: string) => `${run.id}/${name}`;
      const x = (task: string) => `${run.id}/task:${task}`;
      const steps: { task: string; inputs: string[]; outputs: string[] }[] = [
        { task: 'load', inputs: [], outputs: ['dataset'] },
        { task: 'split', inputs: ['dataset'], outputs: ['train', 'test'] },
        { task: 'fit', inputs: ['train'], outputs: ['model'] },
        { task: 'evaluate', inputs: ['model', 'test'], outputs: ['metrics'] },
      ];
      for (const step of steps) {
        await store.startExecution({
          id: x(step.task),
          runId: run.id,
          taskId: step.task,
          componentName: step.task,
          componentDigest: 'd',
          attempt: 1,
          params: {},
        });
        for (const input of step.inputs) {
          await store.recordEvent({ executionId: x(step.task), artifactId: a(input), kind: 'input', port: input });
        }
        for (const output of step.outputs) {
          await store.recordArtifact(artifactInput(a(output)));
          await store.recordEvent({ executionId: x(step.task), artifactId: a(output), kind: 'output', port: output });
        }
        await store.finishExecution(x(step.task), { status: 'succeeded' });
      }
      /** The graph as "id@depth" nodes and "from>to" edges, with the run prefix cut off. */
      const view = (g: LineageGraph) => ({
        nodes: g.nodes.map((n) => `${n.id.slice(run.id.length + 1)}@${n.depth}`).sort(),
        edges: g.edges.map((e) => `${e.from.slice(run.id.length + 1)}>${e.to.slice(run.id.length + 1)}`).sort(),
        truncated: g.truncated,
      });
      return { run, a, x, view, steps };
    }

    /**
     * A later run that reused every step of `chain()`'s run from the cache, as executeTask records
     * it: cached executions given the same inputs, handing out the original outputs ('reused').
     */
    async function reuseRun(c: Awaited<ReturnType<typeof chain>>) {
      const { run } = await newRun('reuse');
      for (const step of c.steps) {
        const id = `${run.id}/task:${step.task}`;
        await store.startExecution({ id, runId: run.id, taskId: step.task, componentName: step.task, componentDigest: 'd', attempt: 1, params: {} });
        for (const input of step.inputs) await store.recordEvent({ executionId: id, artifactId: c.a(input), kind: 'input', port: input });
        for (const output of step.outputs) await store.recordEvent({ executionId: id, artifactId: c.a(output), kind: 'reused', port: output });
        await store.finishExecution(id, { status: 'cached', cachedFrom: c.x(step.task) });
      }
      return run;
    }

    it('walks upstream to the source', async () => {
      const { a, view } = await chain();
      const g = await store.lineage(a('metrics'), { direction: 'upstream', depth: 10 });
      expect(g.root).toBe(a('metrics'));
      expect(view(g)).toEqual({
        nodes: [
          'dataset@2',
          'metrics@0',
          'model@1',
          'task:evaluate@1',
          'task:fit@2',
          'task:load@3',
          'task:split@2',
          'test@1',
          'train@2',
        ],
        edges: [
          'dataset>task:split',
          'model>task:evaluate',
          'task:evaluate>metrics',
          'task:fit>model',
          'task:load>dataset',
          'task:split>test',
          'task:split>train',
          'test>task:evaluate',
          'train>task:fit',
        ],
        truncated: false,
      });
      // An unbounded request is clamped, not endless.
      expect(view(await store.lineage(a('metrics'), { direction: 'upstream', depth: Infinity }))).toEqual(view(g));
    });

    it('stops upstream at the depth bound and says so', async () => {
      const { a, view } = await chain();
      expect(view(await store.lineage(a('metrics'), { direction: 'upstream', depth: 1 }))).toEqual({
        nodes: ['metrics@0', 'model@1', 'task:evaluate@1', 'test@1'],
        edges: ['model>task:evaluate', 'task:evaluate>metrics', 'test>task:evaluate'],
        truncated: true,
      });
      expect(view(await store.lineage(a('metrics'), { direction: 'upstream', depth: 0 }))).toEqual({
        nodes: ['metrics@0'],
        edges: [],
        truncated: true,
      });
      // Exactly deep enough: nothing was cut.
      expect((await store.lineage(a('metrics'), { direction: 'upstream', depth: 3 })).truncated).toBe(false);
      expect((await store.lineage(a('metrics'), { direction: 'upstream', depth: 2 })).truncated).toBe(true);
      expect(view(await store.lineage(a('dataset'), { direction: 'upstream', depth: 1 }))).toEqual({
        nodes: ['dataset@0', 'task:load@1'],
        edges: ['task:load>dataset'],
        truncated: false,
      });
    });

    it('walks downstream to the sinks', async () => {
      const { a, view } = await chain();
      const expected = {
        nodes: [
          'dataset@0',
          'metrics@2',
          'model@2',
          'task:evaluate@2',
          'task:fit@2',
          'task:split@1',
          'test@1',
          'train@1',
        ],
        edges: [
          'dataset>task:split',
          'model>task:evaluate',
          'task:evaluate>metrics',
          'task:fit>model',
          'task:split>test',
          'task:split>train',
          'test>task:evaluate',
          'train>task:fit',
        ],
        truncated: false,
      };
      expect(view(await store.lineage(a('dataset'), { direction: 'downstream', depth: 10 }))).toEqual(expected);
      // evaluate is reached at depth 2 through test, so its other input (model) cuts nothing.
      expect(view(await store.lineage(a('dataset'), { direction: 'downstream', depth: 2 }))).toEqual(expected);
      expect(view(await store.lineage(a('dataset'), { direction: 'downstream', depth: 1 }))).toEqual({
        nodes: ['dataset@0', 'task:split@1', 'test@1', 'train@1'],
        edges: ['dataset>task:split', 'task:split>test', 'task:split>train'],
        truncated: true,
      });
      expect(view(await store.lineage(a('metrics'), { direction: 'downstream', depth: 5 }))).toEqual({
        nodes: ['metrics@0'],
        edges: [],
        truncated: false,
      });
    });

    it('walks both ways from the middle, with the records attached', async () => {
      const { a, x, view } = await chain();
      const g = await store.lineage(a('model'), { direction: 'both', depth: 1 });
      expect(view(g)).toEqual({
        nodes: ['metrics@1', 'model@0', 'task:evaluate@1', 'task:fit@1', 'train@1'],
        edges: ['model>task:evaluate', 'task:evaluate>metrics', 'task:fit>model', 'train>task:fit'],
        truncated: true,
      });
      const fit = g.nodes.find((n) => n.id === x('fit'));
      expect(fit).toMatchObject({ kind: 'execution', execution: { taskId: 'fit', status: 'succeeded' } });
      const model = g.nodes.find((n) => n.id === a('model'));
      expect(model).toMatchObject({ kind: 'artifact', artifact: { id: a('model'), type: 'Dataset' } });
      const edge = g.edges.find((e) => e.from === a('model'));
      expect(edge).toEqual({ from: a('model'), to: x('evaluate'), kind: 'input', port: 'model' });

      const whole = view(await store.lineage(a('model'), { direction: 'both', depth: 10 }));
      expect(whole.truncated).toBe(false);
      // 'test' is an input of a downstream step, not on a path through the model: left out.
      expect(whole.nodes).toEqual([
        'dataset@2',
        'metrics@1',
        'model@0',
        'task:evaluate@1',
        'task:fit@1',
        'task:load@3',
        'task:split@2',
        'train@1',
      ]);
    });

    it('folds cached executions into what they reused: one producer per artifact, a graph that does not grow', async () => {
      const c = await chain();
      const { a, x, view } = c;
      const before = view(await store.lineage(a('model'), { direction: 'both', depth: 10 }));
      const second = await reuseRun(c);
      const third = await reuseRun(c);
      const g = await store.lineage(a('model'), { direction: 'both', depth: 10 });
      expect(view(g)).toEqual(before);
      expect(g.edges.every((e) => e.kind === 'input' || e.kind === 'output')).toBe(true);
      for (const n of g.nodes.filter((n) => n.kind === 'artifact')) {
        expect(g.edges.filter((e) => e.to === n.id && e.kind === 'output').map((e) => e.from)).toHaveLength(1);
      }
      // …and says how often each node was reused.
      const reusedBy = (id: string) => g.nodes.find((n) => n.id === id)?.reusedBy;
      expect(reusedBy(x('fit'))).toEqual({ executions: 2, runs: 2 });
      expect(reusedBy(a('model'))).toEqual({ executions: 4, runs: 2 }); // fit handed it out, evaluate was given it
      expect(reusedBy(a('train'))).toEqual({ executions: 4, runs: 2 });

      // Neighbour counts as the walk sees them; a cached execution's own are its events.
      const counts = await store.countLineageNeighbours({
        artifactIds: [a('model'), `missing-${uid()}`],
        executionIds: [x('fit'), `${second.id}/task:fit`],
      });
      expect(counts).toEqual([
        { id: a('model'), upstream: 1, downstream: 1, reusedBy: { executions: 4, runs: 2 } },
        { id: expect.stringMatching(/^missing-/) as string, upstream: 0, downstream: 0, reusedBy: { executions: 0, runs: 0 } },
        { id: x('fit'), upstream: 1, downstream: 1, reusedBy: { executions: 2, runs: 2 } },
        { id: `${second.id}/task:fit`, upstream: 1, downstream: 1, reusedBy: { executions: 0, runs: 0 } },
      ]);

      // The reuses, listed on demand (the folded nodes expanded).
      expect((await store.listReusingExecutions({ executionId: x('fit') })).map((e) => e.id)).toEqual([`${second.id}/task:fit`, `${third.id}/task:fit`]);
      expect((await store.listReusingExecutions({ executionId: x('fit') }, { limit: 1 })).map((e) => e.id)).toEqual([`${second.id}/task:fit`]);
      expect((await store.listReusingExecutions({ artifactId: a('model') })).map((e) => e.id).sort()).toEqual(
        [second.id, third.id].flatMap((r) => [`${r}/task:evaluate`, `${r}/task:fit`]).sort(),
      );
      expect(await store.listReusingExecutions({ executionId: `missing-${uid()}` })).toEqual([]);
    });

    it('does not walk through a cached execution given other (equal) inputs, but counts it on them', async () => {
      const c = await chain();
      // A fresh load (caching off) wrote the same bytes again; fit was then reused from the cache.
      const { run } = await newRun('fresh');
      const dataset = `${run.id}/train`;
      await store.recordArtifact(artifactInput(dataset));
      const fit = `${run.id}/task:fit`;
      await store.startExecution({ id: fit, runId: run.id, taskId: 'fit', componentName: 'fit', componentDigest: 'd', attempt: 1, params: {} });
      await store.recordEvent({ executionId: fit, artifactId: dataset, kind: 'input', port: 'train' });
      await store.recordEvent({ executionId: fit, artifactId: c.a('model'), kind: 'reused', port: 'model' });
      await store.finishExecution(fit, { status: 'cached', cachedFrom: c.x('fit') });

      const down = await store.lineage(dataset, { direction: 'downstream', depth: 5 });
      expect(down.nodes.map((n) => [n.id, n.reusedBy])).toEqual([[dataset, { executions: 1, runs: 1 }]]);
      expect(down.truncated).toBe(false);
      expect((await store.listReusingExecutions({ artifactId: dataset })).map((e) => e.id)).toEqual([fit]);
      const up = await store.lineage(c.a('model'), { direction: 'upstream', depth: 1 });
      expect(up.edges.filter((e) => e.to === c.a('model')).map((e) => e.from)).toEqual([c.x('fit')]);
    });

    it('gives an empty graph for an unknown artifact', async () => {
      const id = `missing-${uid()}`;
      expect(await store.lineage(id, { direction: 'both', depth: 3 })).toEqual({
        root: id,
        nodes: [],
        edges: [],
        truncated: false,
      });
    });

    it('records events idempotently and lists them by execution, artifact and run', async () => {
      const { run } = await newRun();
      const producer = await startTask(run.id, 'produce');
      const consumer = await startTask(run.id, 'consume');
      const a = await store.recordArtifact(artifactInput(`${producer.id}/out`));
      const out = { executionId: producer.id, artifactId: a.id, kind: 'output' as const, port: 'out' };
      const input = { executionId: consumer.id, artifactId: a.id, kind: 'input' as const, port: 'data' };
      await store.recordEvent(out);
      await store.recordEvent(out);
      await store.recordEvent(input);
      await store.recordEvent(input);

      expect(await store.listEvents({ executionId: producer.id })).toEqual([out]);
      expect(await store.listEvents({ artifactId: a.id })).toEqual([out, input]);
      expect(await store.listEvents({ runId: run.id })).toEqual([out, input]);
      expect(await store.listEvents({ runId: run.id, executionId: consumer.id })).toEqual([input]);

      // In one query: the events between some artifacts and some executions.
      expect(await store.listEventsBetween({ artifactIds: [a.id], executionIds: [producer.id, consumer.id] })).toEqual([out, input]);
      expect(await store.listEventsBetween({ artifactIds: [a.id, `missing-${uid()}`], executionIds: [consumer.id] })).toEqual([input]);
      expect(await store.listEventsBetween({ artifactIds: [`missing-${uid()}`], executionIds: [producer.id] })).toEqual([]);
      expect(await store.listEventsBetween({ artifactIds: [a.id], executionIds: [] })).toEqual([]);
    });

    it('lists the artifacts a run produced, with task and port', async () => {
      const { run } = await newRun();
      const other = await newRun();
      const foreign = await store.recordArtifact(artifactInput(`foreign-${uid()}`));
      const producerElsewhere = await startTask(other.run.id, 'load');
      await store.recordEvent({ executionId: producerElsewhere.id, artifactId: foreign.id, kind: 'output', port: 'out' });

      const train = await startTask(run.id, 'train');
      const model = await store.recordArtifact(artifactInput(`${train.id}/model`));
      const report = await store.recordArtifact(artifactInput(`${train.id}/report`));
      await store.recordEvent({ executionId: train.id, artifactId: foreign.id, kind: 'input', port: 'data' });
      await store.recordEvent({ executionId: train.id, artifactId: model.id, kind: 'output', port: 'model' });
      await store.recordEvent({ executionId: train.id, artifactId: report.id, kind: 'output', port: 'report' });

      expect(await store.listRunArtifacts(run.id)).toEqual([
        { ...model, taskId: 'train', port: 'model', reused: false },
        { ...report, taskId: 'train', port: 'report', reused: false },
      ]);

      // A run that reused the model lists it too, as reused.
      const later = await newRun();
      const cached = await store.recordExecution({ id: `${later.run.id}/train`, runId: later.run.id, taskId: 'train', componentName: 'train', componentDigest: 'c', params: {}, status: 'cached', cachedFrom: train.id });
      await store.recordEvent({ executionId: cached.id, artifactId: model.id, kind: 'reused', port: 'model' });
      expect(await store.listRunArtifacts(later.run.id)).toEqual([{ ...model, taskId: 'train', port: 'model', reused: true }]);
    });
  });
}
