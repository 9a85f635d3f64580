/** Studies of an ended run, read from the recorded trials alone (no Temporal): their best trial follows each study's goal. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, component, pipeline, t, tune } from '../../dsl/index';
import { openMetadataStore, IN_MEMORY_DATA_DIR, type MetadataStore } from '../stores/metadata/index';
import { studyWorkflowId } from '../temporal/workflows/types';
import { readStudies } from './studies';
import type { Client } from '@temporalio/client';

const score = component({ name: 'score', inputs: { x: t.float() }, outputs: { acc: t.float() }, run: ({ x }) => ({ acc: x }) });
const settings = { space: { x: tune.uniform(0, 1) }, objective: { metric: 'acc', goal: 'maximize' }, maxTrials: 3 } as const;

/** A maximize study at the top, one in a loop and one inside a nested pipeline (itself in a loop). */
const inner = pipeline({ name: 'inner-tuning' }, (p) => {
  const s = p.tune(score, { ...settings, id: 'deep' });
  return { best: s.outputs.acc };
});
const nested = pipeline({ name: 'nested-tuning' }, (p) => {
  p.tune(score, { ...settings, id: 'top' });
  p.forEach([1, 2], () => ({ best: p.tune(score, { ...settings, id: 'looped' }).outputs.bestValue }), { id: 'each' });
  p.forEach([1], () => ({ best: p.task(inner, {}, { id: 'sub' }).outputs.best }), { id: 'outer' });
});

describe('readStudies of an ended run', () => {
  let metadata: MetadataStore;
  beforeAll(async () => {
    metadata = await openMetadataStore({ dataDir: IN_MEMORY_DATA_DIR });
  });
  afterAll(async () => {
    await metadata?.close();
  });

  // Stop-12 review: a maximize study inside a loop or a nested pipeline reported its lowest trial as best.
  it('takes the highest trial as best for maximize studies at any depth (loops, nested pipelines)', async () => {
    const { spec, digest } = compile(nested);
    const version = await metadata.registerPipelineVersion(spec, digest);
    const runId = `run-${Date.now()}`;
    await metadata.createRun({ id: runId, pipelineVersionId: version.id, params: {}, trigger: {}, workflowId: `w-${runId}` });
    const studies = ['top', 'each[0]/looped', 'each[1]/looped', 'outer[0]/sub/deep'];
    for (const study of studies) {
      for (const [number, value] of [0.2, 0.9, 0.5].entries()) {
        await metadata.recordTuneTrial({ runId, study, number, state: 'succeeded', params: { x: value }, value, executionId: `${runId}/${study}[${number}]`, startedAt: new Date(), finishedAt: new Date() });
      }
    }
    await metadata.updateRun(runId, { status: 'succeeded' });
    const run = await metadata.getRun(runId);
    const reports = await readStudies(metadata, undefined, run!);
    expect(Object.fromEntries(reports.map((r) => [r.study, r.best?.value]))).toEqual(Object.fromEntries(studies.map((s) => [s, 0.9])));
  });
});

describe('readStudies of a running run', () => {
  let metadata: MetadataStore;
  beforeAll(async () => {
    metadata = await openMetadataStore({ dataDir: IN_MEMORY_DATA_DIR });
  });
  afterAll(async () => {
    await metadata?.close();
  });

  /**
   * A client whose study queries stay open until all expected ones have arrived (so they only all
   * answer when sent together) and which records what was queried. Instrumented rather than a real
   * server: what is checked is how many queries are in flight at once, which a server does not show.
   */
  const gatheringClient = (expected: number) => {
    const queried: string[] = [];
    let release: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (release = resolve));
    const client = {
      withDeadline: <R>(deadline: number, fn: () => Promise<R>): Promise<R> =>
        Promise.race([fn(), new Promise<R>((_, reject) => setTimeout(() => reject(new Error('deadline')), Math.max(0, deadline - Date.now())))]),
      workflow: {
        getHandle: (workflowId: string) => ({
          query: async () => {
            queried.push(workflowId);
            if (queried.length >= expected) release();
            await all;
            return { study: workflowId, parallelTrials: 2, maxTrials: 3, stopRequested: false, trials: [] };
          },
        }),
      },
    };
    return { client: client as unknown as Client, queried };
  };

  // Stop-12 review: one query after another (5 s deadline each), also for studies that had ended.
  it('queries the running studies together and reads ended ones from the store alone', async () => {
    const { spec, digest } = compile(nested);
    const version = await metadata.registerPipelineVersion(spec, digest);
    const runId = `run-live-${Date.now()}`;
    await metadata.createRun({ id: runId, pipelineVersionId: version.id, params: {}, trigger: {}, workflowId: `w-${runId}` });
    await metadata.updateRun(runId, { status: 'running' });
    const running = ['each[0]/looped', 'each[1]/looped', 'outer[0]/sub/deep'];
    for (const study of [...running, 'top']) {
      for (const [number, value] of [0.2, 0.9, 0.5].entries()) {
        const live = running.includes(study) && number === 2;
        await metadata.recordTuneTrial({ runId, study, number, state: live ? 'running' : 'succeeded', params: { x: value }, value: live ? null : value, executionId: `${runId}/${study}[${number}]`, startedAt: new Date(), finishedAt: live ? null : new Date() });
      }
    }
    const { client, queried } = gatheringClient(running.length);
    const reports = await readStudies(metadata, client, (await metadata.getRun(runId))!);
    expect(queried.sort()).toEqual(running.map((s) => studyWorkflowId(runId, s)).sort());
    const byStudy = Object.fromEntries(reports.map((r) => [r.study, r]));
    for (const s of running) expect(byStudy[s]?.control).toEqual({ parallelTrials: 2, maxTrials: 3, stopRequested: false });
    // Ended: no live settings, its best from the recorded trials and its goal.
    expect(byStudy.top?.control).toBeNull();
    expect(byStudy.top?.best?.value).toBe(0.9);
  });
});
