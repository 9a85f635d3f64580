/**
 * executeLightItems through Temporal's real activity context harness (MockActivityEnvironment, a
 * regular activity), against PGlite. A group whose worker died half-way is retried by Temporal as a
 * whole (attempt 2): the items it finished answer from their rows without running, the step it
 * was running runs again as attempt 2, and the items it never reached run once as attempt 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentSpec } from '../../../dsl/ir/schema';
import type { AnyComponent } from '../../../dsl/index';
import { LocalArtifactStore } from '../../stores/artifacts/LocalArtifactStore';
import type { DrizzleMetadataStore } from '../../stores/metadata/DrizzleMetadataStore';
import { openMetadataStore } from '../../stores/metadata/openMetadataStore';
import type { LightChainStep, LightItemsInput, LightItemsResult } from '../workflows/types';
import { createExecuteTask } from './executeTask';
import { createExecuteLightItems } from './lightItems';

let dir: string;
let metadata: DrizzleMetadataStore;
let executeLightItems: ReturnType<typeof createExecuteLightItems>;
/** Calls of each component by its input, e.g. "f 3", "g 30". */
const calls = new Map<string, number>();
const component = (name: string, from: string, to: string): ComponentSpec => ({
  name,
  version: '1',
  inputs: { [from]: { kind: 'parameter', type: 'int' } },
  outputs: { [to]: { kind: 'parameter', type: 'int' } },
  impl: { kind: 'function', digest: name.repeat(64) },
  execution: 'local',
});
const f = component('f', 'x', 'y');
const g = component('g', 'y', 'z');
const run = (name: string) => (inputs: Record<string, unknown>): Promise<Record<string, number>> => {
  const v = Object.values(inputs)[0] as number;
  calls.set(`${name} ${v}`, (calls.get(`${name} ${v}`) ?? 0) + 1);
  if (v < 0) return Promise.reject(Object.assign(new Error(`must not be negative, got ${v}`), { retryable: false }));
  const out: Record<string, number> = name === 'f' ? { y: v * 10 } : { z: v + 1 };
  return Promise.resolve(out);
};

const silent: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const attempt = (n: number) => new MockActivityEnvironment({ attempt: n, isLocal: false, heartbeatTimeoutMs: 15_000 }, { logger: silent });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sluice-lightitems-'));
  metadata = await openMetadataStore({ dataDir: 'memory://' });
  const executeTask = createExecuteTask({
    metadata,
    artifacts: new LocalArtifactStore({ root: path.join(dir, 'artifacts') }),
    registry: { resolve: (s) => Promise.resolve({ spec: s, run: run(s.name) } as unknown as AnyComponent) },
    workRoot: path.join(dir, 'work'),
    logger: pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() })),
  });
  // As the worker wires it (activities/index.ts): each lane writes through a WriteBehind of its own.
  executeLightItems = createExecuteLightItems(executeTask, metadata);
});
afterAll(async () => {
  await metadata?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newRun(name: string): Promise<string> {
  const version = await metadata.registerPipelineVersion({ apiVersion: 'sluice/v1', name, inputs: {}, outputs: {}, components: {}, dag: { tasks: {} } }, `d-${name}`);
  const id = `run-${name}`;
  await metadata.createRun({ id, pipelineVersionId: version.id, params: {}, trigger: {}, workflowId: `wf-${id}` });
  return id;
}

/** The loop body: f reads the item, g reads f. */
const steps: LightChainStep[] = [
  { id: 'f', task: { component: 'f', inputs: { x: { loopItem: 'each' } } }, component: f, cache: { enabled: false } },
  { id: 'g', task: { component: 'g', inputs: { y: { task: 'f', output: 'y' } } }, component: g, cache: { enabled: false } },
];
const group = (runId: string, xs: number[]): LightItemsInput => ({
  runId,
  steps,
  env: { inputs: {}, items: {}, outer: {} },
  loopId: 'each',
  loopPath: 'each',
  items: xs.map((x) => ({ index: x, value: x })),
});

describe('executeLightItems', () => {
  it('retried as a whole after its worker died: finished items do not run again, the step it was running is attempt 2, the rest attempt 1', async () => {
    const runId = await newRun('regroup');
    const xs = Array.from({ length: 10 }, (_, i) => i);
    // The group's first attempt finished items 0-4 and item 5's f, and had just started item 5's g
    // (its row running at attempt 1) when its worker was killed.
    await attempt(1).run(executeLightItems, group(runId, xs.slice(0, 5)));
    await attempt(1).run(executeLightItems, { ...group(runId, [5]), steps: steps.slice(0, 1) });
    await metadata.startExecution({ id: `${runId}.each[5]/g`, runId, taskId: 'each[5]/g', componentName: 'g', componentDigest: 'g', attempt: 1, params: { y: 50 } });

    // Temporal runs the group again, as attempt 2, on another worker.
    const result: LightItemsResult = await attempt(2).run(executeLightItems, group(runId, xs));

    expect(result.items.map((r) => (r.stop ? r.stop : r.done.map((d) => d.outputs)))).toEqual(
      xs.map((x) => [{ y: { kind: 'parameter', value: x * 10 } }, { z: { kind: 'parameter', value: x * 10 + 1 } }]),
    );
    // Every step of every item ran its component exactly once over both attempts of the group.
    for (const x of xs) {
      expect(calls.get(`f ${x}`), `f of item ${x}`).toBe(1);
      expect(calls.get(`g ${x * 10}`), `g of item ${x}`).toBe(1);
    }
    // Lineage: one row per step, each finished with its outputs; only the step the dead worker was running is attempt 2.
    const rows = await metadata.listExecutions(runId);
    expect(rows.map((r) => [r.taskId, r.status, r.attempt]).sort()).toEqual(
      xs.flatMap((x) => [[`each[${x}]/f`, 'succeeded', 1], [`each[${x}]/g`, 'succeeded', x === 5 ? 2 : 1]]).sort(),
    );
    for (const r of rows) expect(r.outputParams, r.taskId).toEqual(r.taskId.endsWith('/f') ? { y: Number(/\[(\d+)\]/.exec(r.taskId)?.[1]) * 10 } : { z: Number(/\[(\d+)\]/.exec(r.taskId)?.[1]) * 10 + 1 });
  });

  it("an item's failed step is that item's outcome: the group's other items run and are recorded", async () => {
    const runId = await newRun('failing');
    const result: LightItemsResult = await attempt(1).run(executeLightItems, group(runId, [101, -1, 102]));
    expect(result.items[0]?.done).toHaveLength(2);
    expect(result.items[1]).toEqual({ done: [], stop: { reason: 'failed', error: 'must not be negative, got -1', nonRetryable: true } });
    expect(result.items[2]?.done).toHaveLength(2);
    const rows = await metadata.listExecutions(runId);
    expect(rows.map((r) => [r.taskId, r.status]).sort()).toEqual([
      ['each[-1]/f', 'failed'],
      ['each[101]/f', 'succeeded'],
      ['each[101]/g', 'succeeded'],
      ['each[102]/f', 'succeeded'],
      ['each[102]/g', 'succeeded'],
    ]);
  });

  it('an item whose first step is to be skipped stops before running anything', async () => {
    const runId = await newRun('skipping');
    const when = { op: 'gt' as const, left: { loopItem: 'each' }, right: { const: 0 } };
    const result: LightItemsResult = await attempt(1).run(executeLightItems, {
      ...group(runId, [0, 1]),
      steps: [{ ...(steps[0] as LightChainStep), task: { ...(steps[0] as LightChainStep).task, when } }, steps[1] as LightChainStep],
    });
    expect(result.items[0]).toEqual({ done: [], stop: { reason: 'skip' } });
    expect(result.items[1]?.done).toHaveLength(2);
  });
});
