/**
 * executeTask through Temporal's real activity context harness (MockActivityEnvironment), against
 * PGlite and a temporary local artifact store: cache hits and misses, fan-in collections, task
 * logs, command components and failures. Workflow-level behaviour is tested with a real server
 * elsewhere.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ComponentSpec, PortSpec } from '../../../dsl/ir/schema';
import type { ComponentContext, InputArtifact, OutputArtifact } from '../../../dsl/runtime';
import { LocalArtifactStore } from '../../stores/artifacts/LocalArtifactStore';
import type { DrizzleMetadataStore } from '../../stores/metadata/DrizzleMetadataStore';
import { createPgliteMetadataStore } from '../../stores/metadata/openMetadataStore';
import type { Logger as EngineLogger } from '../../logging';
import { PGlite } from '@electric-sql/pglite';
import type { AnyComponent } from '../../../dsl/index';
import type { ArtifactRefValue, ExecuteTaskInput, ExecuteTaskResult, Json, LightChainResult, LightItemsResult, PortValue } from '../workflows/types';
import { createExecuteTask } from './executeTask';
import { createExecuteLightChain } from './lightChain';
import { createExecuteLightItems } from './lightItems';

type RunFn = (inputs: Record<string, unknown>, ctx: ComponentContext) => Promise<Record<string, Json> | void>;

let dir: string;
let metadata: DrizzleMetadataStore;
let artifacts: LocalArtifactStore;
const impls = new Map<string, RunFn>();
let executeTask: ReturnType<typeof createExecuteTask>;
let seq = 0;

/** Statements sent to the database so far (every query of the PGlite client, transactions' included). */
let statements = 0;
/** The protocol's Bind message type ('B'). */
const BIND = 0x42;
let quiet: EngineLogger;

/**
 * `target`'s query and exec, counted, and its execProtocol calls that execute a prepared statement
 * (a Bind first: the store's per-step statements on PGlite; their one Parse per text is not counted).
 */
function counted<T extends object>(target: T): T {
  for (const name of ['query', 'exec', 'execProtocol'] as const) {
    const original = (target as Record<string, unknown>)[name] as ((...a: unknown[]) => unknown) | undefined;
    if (!original) continue;
    (target as Record<string, unknown>)[name] = (...a: unknown[]) => {
      if (name !== 'execProtocol' || (a[0] as Uint8Array)[0] === BIND) statements++;
      return original.apply(target, a);
    };
  }
  return target;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sluice-execute-'));
  const client = counted(new PGlite());
  const transaction = client.transaction.bind(client);
  (client as { transaction: unknown }).transaction = (fn: (tx: object) => Promise<unknown>) => transaction((tx) => fn(counted(tx)));
  metadata = createPgliteMetadataStore(client);
  await metadata.migrate();
  artifacts = new LocalArtifactStore({ root: path.join(dir, 'artifacts') });
  quiet = pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }));
  executeTask = createExecuteTask({
    metadata,
    artifacts,
    registry: {
      resolve: (spec) => {
        const run = impls.get(spec.impl.digest);
        if (!run) throw new Error(`no implementation for ${spec.name}`);
        return Promise.resolve({ spec, run } as unknown as AnyComponent);
      },
    },
    workRoot: path.join(dir, 'work'),
    logger: quiet,
  });
});
afterAll(async () => {
  await metadata?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A function component whose implementation counts its calls. */
function fn(name: string, inputs: Record<string, PortSpec>, outputs: Record<string, PortSpec>, run: RunFn) {
  const digest = (++seq).toString(16).padStart(64, '0');
  const spec: ComponentSpec = { name, version: '1', inputs, outputs, impl: { kind: 'function', digest } };
  const calls = { count: 0 };
  impls.set(digest, async (i, c) => {
    calls.count++;
    return run(i, c);
  });
  return { spec, calls };
}

async function newRun(): Promise<string> {
  const name = `p${++seq}`;
  const version = await metadata.registerPipelineVersion(
    { apiVersion: 'sluice/v1', name, inputs: {}, outputs: {}, components: {}, dag: { tasks: {} } },
    `d${seq}`,
  );
  const id = `run-${seq}`;
  await metadata.createRun({ id, pipelineVersionId: version.id, params: {}, trigger: {}, workflowId: `wf-${id}` });
  return id;
}

/** Stores `content` as an artifact with the given id, as if a task had produced it. */
async function artifact(id: string, content: string, type = 'Dataset'): Promise<ArtifactRefValue> {
  const file = path.join(dir, `src-${++seq}`);
  await writeFile(file, content);
  const stored = await artifacts.put(file);
  const record = await metadata.recordArtifact({ id, type, name: id, uri: stored.uri, sha256: stored.sha256, size: stored.size, properties: {} });
  return { kind: 'artifact', artifactId: record.id, type, uri: record.uri, sha256: record.sha256 };
}

const param = (value: Json): PortValue => ({ kind: 'parameter', value });

/** The SDK's own activity logging (failures are expected here) stays out of the test output. */
const silent: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function execute(input: ExecuteTaskInput, attempt = 1): Promise<ExecuteTaskResult> {
  return new MockActivityEnvironment({ attempt }, { logger: silent }).run(executeTask, input);
}

describe('executeTask', () => {
  const count = fn(
    'count-lines',
    { data: { kind: 'artifact', type: 'Dataset' }, min: { kind: 'parameter', type: 'int' } },
    { report: { kind: 'artifact', type: 'Markdown' }, lines: { kind: 'parameter', type: 'int' } },
    async (inputs, ctx) => {
      const text = await readFile((inputs.data as InputArtifact).path, 'utf8');
      const lines = text.split('\n').filter((l) => l !== '').length;
      ctx.log('counted', { lines, min: inputs.min as number });
      await writeFile((ctx.outputs as Record<string, OutputArtifact>).report!.path, `# ${lines} lines\n`);
      return { lines: Math.max(lines, inputs.min as number) };
    },
  );

  it('runs a function component, logging to the task log and storing the cache key', async () => {
    const runId = await newRun();
    const data = await artifact(`${runId}.load.data`, 'a\nb\nc\n');
    const result = await execute({ runId, taskId: 'count', component: count.spec, inputs: { data, min: param(0) } });

    expect(result.cachedFrom).toBeUndefined();
    expect(result.outputs.lines).toEqual({ kind: 'parameter', value: 3 });
    const execution = await metadata.getExecution(result.executionId);
    expect(execution).toMatchObject({ status: 'succeeded', params: { min: 0 }, outputParams: { lines: 3 } });
    expect(execution?.cacheKey).toMatch(/^[0-9a-f]{64}$/);
    const logs = await metadata.listTaskLogs({ runId, taskId: 'count' });
    expect(logs.map((l) => [l.stream, l.message, l.fields, l.attempt])).toEqual([['log', 'counted', { lines: 3, min: 0 }, 1]]);
    expect(await metadata.listEvents({ executionId: result.executionId })).toEqual([
      { executionId: result.executionId, artifactId: data.artifactId, kind: 'input', port: 'data' },
      { executionId: result.executionId, artifactId: `${result.executionId}.report`, kind: 'output', port: 'report' },
    ]);
  });

  it('returns the recorded result when a retry finds its execution already completed (completion lost)', async () => {
    const runId = await newRun();
    const data = await artifact(`${runId}.load.data`, 'a\nb\n');
    let calls = 0;
    const counting = fn('counting', { data: { kind: 'artifact', type: 'Dataset' } }, { out: { kind: 'artifact', type: 'Markdown' }, n: { kind: 'parameter', type: 'int' } }, async (_i, ctx) => {
      calls++;
      await writeFile((ctx.outputs as Record<string, OutputArtifact>).out!.path, `call ${calls}\n`);
      return { n: calls };
    });
    const input = { runId, taskId: 'once', component: counting.spec, inputs: { data }, cache: { enabled: false } };
    const first = await execute(input, 1);
    // Attempt 2 of the same activity, as after a worker killed between the DB writes and the completion.
    const second = await execute(input, 2);
    expect(calls).toBe(1);
    expect(second).toEqual(first);
    expect(await metadata.getExecution(first.executionId)).toMatchObject({ status: 'succeeded', attempt: 1, outputParams: { n: 1 } });
  });

  it('reuses an earlier result for the same content under another artifact id, linked as a reuse: the original stays the one producer', async () => {
    const first = await newRun();
    const firstData = await artifact(`${first}.load.data`, 'one\ntwo\n');
    const original = await execute({ runId: first, taskId: 'count', component: count.spec, inputs: { data: firstData, min: param(1) } });
    const calls = count.calls.count;

    const second = await newRun();
    const sameBytes = await artifact(`${second}.load.data`, 'one\ntwo\n');
    expect(sameBytes.artifactId).not.toBe(firstData.artifactId);
    const hit = await execute({ runId: second, taskId: 'count', component: count.spec, inputs: { data: sameBytes, min: param(1) } });

    expect(count.calls.count).toBe(calls);
    expect(hit.cachedFrom).toBe(original.executionId);
    expect(hit.executionId).toBe(`${second}.count`);
    expect(hit.outputs).toEqual(original.outputs);
    expect(await metadata.getExecution(hit.executionId)).toMatchObject({
      status: 'cached',
      cachedFrom: original.executionId,
      outputParams: { lines: 2 },
      cacheKey: (await metadata.getExecution(original.executionId))?.cacheKey,
    });
    const report = (original.outputs.report as ArtifactRefValue).artifactId;
    expect(await metadata.listEvents({ executionId: hit.executionId })).toEqual([
      { executionId: hit.executionId, artifactId: sameBytes.artifactId, kind: 'input', port: 'data' },
      { executionId: hit.executionId, artifactId: report, kind: 'reused', port: 'report' },
    ]);
    const lineage = await metadata.lineage(report, { direction: 'upstream', depth: 2 });
    expect(lineage.edges.filter((e) => e.to === report).map((e) => e.from)).toEqual([original.executionId]);
    expect(lineage.nodes.map((n) => n.id)).toEqual(expect.arrayContaining([firstData.artifactId]));
    expect(lineage.nodes.find((n) => n.id === original.executionId)?.reusedBy).toEqual({ executions: 1, runs: 1 });
    expect((await metadata.listRunArtifacts(second)).map((a) => [a.taskId, a.port, a.id, a.reused])).toEqual([['count', 'report', report, true]]);
    // A retried attempt of the hit whose completion was lost returns the same outputs from the record.
    expect(await execute({ runId: second, taskId: 'count', component: count.spec, inputs: { data: sameBytes, min: param(1) } }, 2)).toEqual(hit);
    const logs = await metadata.listTaskLogs({ runId: second });
    expect(logs.map((l) => [l.stream, l.message])).toEqual([['system', expect.stringContaining(`reused the outputs of execution ${original.executionId}`)]]);

    // A third run hits too, and follows the reuse back to the original.
    const third = await newRun();
    const again = await execute({ runId: third, taskId: 'count', component: count.spec, inputs: { data: sameBytes, min: param(1) } });
    expect(again.cachedFrom).toBe(original.executionId);
  });

  it('misses on another parameter value, runs when caching is off, and honours maxAgeMs', async () => {
    const runId = await newRun();
    const data = await artifact(`${runId}.load.data`, 'x\ny\nz\nw\n');
    const input = (taskId: string, min: number, cache?: ExecuteTaskInput['cache']): ExecuteTaskInput => ({
      runId,
      taskId,
      component: count.spec,
      inputs: { data, min: param(min) },
      ...(cache ? { cache } : {}),
    });
    const a = await execute(input('a', 1));
    expect(a.cachedFrom).toBeUndefined();
    const b = await execute(input('b', 2));
    expect(b.cachedFrom).toBeUndefined();
    expect((await execute(input('c', 2))).cachedFrom).toBe(b.executionId);

    const before = count.calls.count;
    const forced = await execute(input('d', 2, { enabled: false }));
    expect(forced.cachedFrom).toBeUndefined();
    expect(count.calls.count).toBe(before + 1);
    // The forced run refreshed the cache: it is now the newest result.
    expect((await execute(input('e', 2))).cachedFrom).toBe(forced.executionId);

    await new Promise((r) => setTimeout(r, 30));
    const stale = await execute(input('f', 2, { enabled: true, maxAgeMs: 10 }));
    expect(stale.cachedFrom).toBeUndefined();
    expect((await execute(input('g', 2, { enabled: true, maxAgeMs: 60_000 }))).cachedFrom).toBe(stale.executionId);
  });

  it('resolves fan-in collections: succeeded items in index order, missing outputs left out', async () => {
    const runId = await newRun();
    const models = await Promise.all([0, 1, 2, 3].map((i) => artifact(`${runId}.sweep[${i}].train.model`, `model ${i}`, 'Model')));
    await metadata.recordLoopItems(runId, 'sweep', [
      { index: 3, status: 'succeeded', outputs: { acc: { kind: 'parameter', value: 0.4 }, model: models[3]! } },
      { index: 0, status: 'succeeded', outputs: { acc: { kind: 'parameter', value: 0.9 }, model: models[0]! } },
      { index: 1, status: 'failed', outputs: {}, error: 'diverged' },
      // Succeeded, but its model output was skipped: left out of the models, not of the accuracies.
      { index: 2, status: 'succeeded', outputs: { acc: { kind: 'parameter', value: 0.7 } } },
    ]);
    const seen: { accs?: unknown; models?: string[] } = {};
    const pick = fn(
      'pick-best',
      { accs: { kind: 'parameter', type: 'list<float>' }, models: { kind: 'artifact', type: 'Model', list: true } },
      { best: { kind: 'parameter', type: 'int' } },
      async (inputs) => {
        seen.accs = inputs.accs;
        seen.models = await Promise.all((inputs.models as InputArtifact[]).map((m) => readFile(m.path, 'utf8')));
        return { best: 0 };
      },
    );
    const collection = (output: string, itemKind: 'parameter' | 'artifact', type: string): PortValue => ({
      kind: 'collection',
      runId,
      loop: 'sweep',
      output,
      itemKind,
      type,
    });
    const result = await execute({
      runId,
      taskId: 'pick',
      component: pick.spec,
      inputs: { accs: collection('acc', 'parameter', 'float'), models: collection('model', 'artifact', 'Model') },
    });
    expect(seen).toEqual({ accs: [0.9, 0.7, 0.4], models: ['model 0', 'model 3'] });
    expect(await metadata.getExecution(result.executionId)).toMatchObject({ params: { accs: [0.9, 0.7, 0.4] } });
    expect((await metadata.listEvents({ executionId: result.executionId })).map((e) => [e.port, e.artifactId])).toEqual([
      ['models[0]', models[0]!.artifactId],
      ['models[1]', models[3]!.artifactId],
    ]);
    // The same collected content is a cache hit.
    const again = await execute({
      runId,
      taskId: 'pick-again',
      component: pick.spec,
      inputs: { accs: collection('acc', 'parameter', 'float'), models: collection('model', 'artifact', 'Model') },
    });
    expect(again.cachedFrom).toBe(result.executionId);
  });

  it('records a failure on the execution and as a system log line', async () => {
    const runId = await newRun();
    const broken = fn('broken', { n: { kind: 'parameter', type: 'int' } }, {}, async (inputs, ctx) => {
      ctx.log('about to fail');
      if ((inputs.n as number) > 0) throw Object.assign(new Error('bad n'), { retryable: false });
      throw new Error('transient');
    });
    await expect(execute({ runId, taskId: 'b', component: broken.spec, inputs: { n: param(0) } })).rejects.toMatchObject({
      message: 'transient',
      nonRetryable: false,
    });
    await expect(execute({ runId, taskId: 'b', component: broken.spec, inputs: { n: param(1) } }, 2)).rejects.toMatchObject({
      message: 'bad n',
      nonRetryable: true,
    });
    expect(await metadata.getExecution(`${runId}.b`)).toMatchObject({ status: 'failed', error: 'bad n', attempt: 2 });
    const logs = await metadata.listTaskLogs({ runId, taskId: 'b' });
    expect(logs.map((l) => [l.attempt, l.stream, l.message])).toEqual([
      [1, 'log', 'about to fail'],
      [1, 'system', 'attempt 1 failed: transient'],
      [2, 'log', 'about to fail'],
      [2, 'system', 'attempt 2 failed: bad n'],
    ]);
    expect((await metadata.listTaskLogs({ runId, taskId: 'b', attempt: 2 })).map((l) => l.seq)).toEqual([3, 4]);
    // A bad input fails before the component runs, and is recorded too.
    const missing: ArtifactRefValue = { kind: 'artifact', artifactId: 'nope', type: 'Dataset', uri: 'file:///nope', sha256: '0'.repeat(64) };
    await expect(execute({ runId, taskId: 'c', component: count.spec, inputs: { data: missing, min: param(0) } })).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('artifact nope is not in the metadata store') as string,
    });
    expect(await metadata.getExecution(`${runId}.c`)).toMatchObject({ status: 'failed', params: { min: 0 }, cacheKey: null });
  });

  it('runs a command component, keeping its stdout and stderr lines', async () => {
    const runId = await newRun();
    const data = await artifact(`${runId}.load.data`, 'payload');
    const spec: ComponentSpec = {
      name: 'copy',
      version: '1',
      inputs: { data: { kind: 'artifact', type: 'Dataset' }, who: { kind: 'parameter', type: 'string' } },
      outputs: { copy: { kind: 'artifact', type: 'Dataset' }, n: { kind: 'parameter', type: 'int' } },
      impl: {
        kind: 'command',
        command: ['sh', '-c', 'echo "hello $0"; echo oops >&2; cp "$1" "$2"; echo 42 > "$3"', '{{inputValue:who}}', '{{inputPath:data}}', '{{outputPath:copy}}', '{{outputFile:n}}'],
        digest: 'c'.repeat(64),
      },
    };
    const result = await execute({ runId, taskId: 'copy', component: spec, inputs: { data, who: param('world') } });
    expect(result.outputs.n).toEqual({ kind: 'parameter', value: 42 });
    const copy = result.outputs.copy as ArtifactRefValue;
    expect(copy.sha256).toBe(data.sha256);
    const logs = await metadata.listTaskLogs({ runId, taskId: 'copy' });
    expect(logs.map((l) => [l.stream, l.message]).sort()).toEqual([
      ['stderr', 'oops'],
      ['stdout', 'hello world'],
    ]);
    expect((await execute({ runId, taskId: 'copy2', component: spec, inputs: { data, who: param('world') } })).cachedFrom).toBe(result.executionId);
  });

  it('creates the scratch directory only when the component asks for a path, and removes it after success', async () => {
    const runId = await newRun();
    const attemptDir = (taskId: string): string => path.join(dir, 'work', runId, taskId, 'attempt-1');
    let seen: boolean | undefined;
    const plain = fn('plain', { x: { kind: 'parameter', type: 'int' } }, { y: { kind: 'parameter', type: 'int' } }, (inputs) => {
      seen = existsSync(attemptDir('plain'));
      return Promise.resolve({ y: (inputs.x as number) + 1 });
    });
    expect((await execute({ runId, taskId: 'plain', component: plain.spec, inputs: { x: param(1) } })).outputs.y).toEqual(param(2));
    expect(seen).toBe(false);
    expect(existsSync(path.join(dir, 'work', runId))).toBe(false);

    const scratchy = fn('scratchy', {}, { n: { kind: 'parameter', type: 'int' } }, async (_i, ctx) => {
      await writeFile(path.join(ctx.workDir, 'note'), 'x');
      seen = existsSync(path.join(attemptDir('scratchy'), 'tmp', 'note'));
      return { n: 1 };
    });
    await execute({ runId, taskId: 'scratchy', component: scratchy.spec, inputs: {} });
    expect(seen).toBe(true);
    expect(existsSync(attemptDir('scratchy'))).toBe(false);
  });

  it('a local step answers from its row: a finished one is not run again, a lost one runs as the next attempt', async () => {
    const runId = await newRun();
    const light = fn('light', { x: { kind: 'parameter', type: 'int' } }, { y: { kind: 'parameter', type: 'int' } }, (inputs, ctx) =>
      Promise.resolve({ y: (inputs.x as number) * 10 + ctx.attempt }),
    );
    const local = (taskId: string): Promise<ExecuteTaskResult> =>
      new MockActivityEnvironment({ attempt: 1, isLocal: true }, { logger: silent }).run(executeTask, {
        runId,
        taskId,
        component: light.spec,
        inputs: { x: param(1) },
        cache: { enabled: false },
      });
    const first = await local('done');
    expect(first.outputs.y).toEqual(param(11));
    // The workflow task that would have recorded it was lost: Temporal runs it again as attempt 1.
    expect(await local('done')).toEqual(first);
    expect(light.calls.count).toBe(1);

    // A step whose worker died while it ran: its row says running, attempt 1.
    await metadata.startExecution({ id: `${runId}.lost`, runId, taskId: 'lost', componentName: 'light', componentDigest: 'x', attempt: 1, params: {} });
    expect((await local('lost')).outputs.y).toEqual(param(12));
    expect(await metadata.getExecution(`${runId}.lost`)).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('a light step is two statements: its running row with the cache lookup, then its finished row with its outputs and metrics', async () => {
    const runId = await newRun();
    const light = fn('light-count', { x: { kind: 'parameter', type: 'int' } }, { y: { kind: 'parameter', type: 'int' } }, (inputs, ctx) => {
      ctx.metric('seen', inputs.x as number);
      return Promise.resolve({ y: (inputs.x as number) + 1 });
    });
    const local = (taskId: string, x: number, cache?: { enabled: boolean }): Promise<ExecuteTaskResult> =>
      new MockActivityEnvironment({ attempt: 1, isLocal: true }, { logger: silent }).run(executeTask, {
        runId,
        taskId,
        component: light.spec,
        inputs: { x: param(x) },
        ...(cache ? { cache } : {}),
      });
    for (const [taskId, cache] of [['miss', undefined], ['uncached', { enabled: false }]] as const) {
      const before = statements;
      expect((await local(taskId, taskId.length, cache)).outputs.y).toEqual(param(taskId.length + 1));
      expect({ taskId, statements: statements - before }).toEqual({ taskId, statements: 2 });
      // What readers see: a normal finished execution with its metric.
      expect(await metadata.getExecution(`${runId}.${taskId}`)).toMatchObject({ status: 'succeeded', attempt: 1, outputParams: { y: taskId.length + 1 } });
      expect((await metadata.listMetrics({ executionId: `${runId}.${taskId}` })).map((m) => [m.key, m.value])).toEqual([['seen', taskId.length]]);
    }
  });

  it('a light step killed between its two statements is counted: its re-run is attempt 2, with each attempt’s log lines', async () => {
    const runId = await newRun();
    const killed = { dead: true };
    const light = fn('light-crash', {}, { n: { kind: 'parameter', type: 'int' } }, async (_i, ctx) => {
      ctx.log(`start ${ctx.attempt}`);
      // Long enough for the log line to be flushed (every ~200 ms), as in the durability test.
      if (killed.dead) await new Promise((r) => setTimeout(r, 400));
      return { n: ctx.attempt };
    });
    // Attempt 1's worker "dies" right after its component returns: statement 2 (and any finish)
    // never reaches the database.
    const never = new Promise<never>(() => {});
    const dying = new Proxy(metadata, {
      get: (target, name, receiver) =>
        ['recordFinishedExecution', 'recordFinishedExecutions', 'completeExecution', 'finishExecution'].includes(String(name))
          ? () => never
          : (Reflect.get(target, name, receiver) as unknown),
    });
    const run = (store: typeof metadata): Promise<ExecuteTaskResult> =>
      new MockActivityEnvironment({ attempt: 1, isLocal: true }, { logger: silent }).run(
        createExecuteTask({ metadata: store, artifacts, registry: { resolve: (spec) => Promise.resolve({ spec, run: impls.get(spec.impl.digest) } as unknown as AnyComponent) }, workRoot: path.join(dir, 'work'), logger: quiet }),
        { runId, taskId: 'crash', component: light.spec, inputs: {}, cache: { enabled: false } },
      );
    void run(dying);
    await vi.waitFor(async () => expect(await metadata.listTaskLogs({ runId, taskId: 'crash' })).toHaveLength(1), { timeout: 30_000 });
    expect(await metadata.getExecution(`${runId}.crash`)).toMatchObject({ status: 'running', attempt: 1 });

    // Temporal runs the lost local step again, as its attempt 1: the row says it is the second.
    killed.dead = false;
    expect((await run(metadata)).outputs.n).toEqual(param(2));
    expect(await metadata.getExecution(`${runId}.crash`)).toMatchObject({ status: 'succeeded', attempt: 2 });
    expect((await metadata.listExecutions(runId)).filter((e) => e.taskId === 'crash')).toHaveLength(1);
    expect((await metadata.listTaskLogs({ runId, taskId: 'crash' })).map((l) => [l.attempt, l.message])).toEqual([
      [1, 'start 1'],
      [2, 'start 2'],
    ]);
  });

  it('a fused chain step is one statement: each finish goes with the next step’s running row; a kill leaves the unfinished step running', async () => {
    const runId = await newRun();
    const killAt = { step: 's3' };
    const inc = fn('chain-inc', { x: { kind: 'parameter', type: 'int' } }, { y: { kind: 'parameter', type: 'int' } }, (inputs, ctx) => {
      if (ctx.taskId === killAt.step) return new Promise(() => {}); // its worker dies here
      return Promise.resolve({ y: (inputs.x as number) + 1 });
    });
    const steps = Array.from({ length: 5 }, (_, i) => ({
      id: `s${i}`,
      task: { component: inc.spec.name, inputs: { x: i === 0 ? { const: 0 } : { task: `s${i - 1}`, output: 'y' } } },
      component: inc.spec,
      cache: { enabled: false },
    }));
    const chain = createExecuteLightChain(executeTask, metadata);
    const runChain = (): Promise<LightChainResult> =>
      new MockActivityEnvironment({ attempt: 1, isLocal: true }, { logger: silent }).run(chain, { runId, steps, env: { prefix: '', inputs: {}, items: {}, outer: {} } });

    // Killed in s3: s0–s2 are recorded finished (s2's finish went with s3's running row), s3 is running.
    void runChain();
    await vi.waitFor(async () => expect(await metadata.getExecution(`${runId}.s3`)).toMatchObject({ status: 'running', attempt: 1 }), { timeout: 30_000 });
    expect((await metadata.listExecutions(runId)).map((e) => [e.taskId, e.status])).toEqual([
      ['s0', 'succeeded'],
      ['s1', 'succeeded'],
      ['s2', 'succeeded'],
      ['s3', 'running'],
    ]);

    // The re-run answers s0–s2 from their rows, runs s3 as its attempt 2, and costs one statement per step run.
    killAt.step = '';
    const before = statements;
    const result = await runChain();
    const sent = statements - before;
    expect(result.done.map((d) => d.outputs.y)).toEqual([1, 2, 3, 4, 5].map(param));
    expect((await metadata.listExecutions(runId)).map((e) => [e.taskId, e.status, e.attempt])).toEqual([
      ['s0', 'succeeded', 1],
      ['s1', 'succeeded', 1],
      ['s2', 'succeeded', 1],
      ['s3', 'succeeded', 2],
      ['s4', 'succeeded', 1],
    ]);
    // s0–s2: their start and the read of their recorded result (recordedResult: 2 reads); s3 and s4:
    // one statement each, and the last finish alone.
    const answered = 3 * 3;
    expect(sent).toBe(answered + 2 + 1);
  });

  it('a grouped light step holds its metrics for its finish, as a local step does: one statement per step; a failed one keeps them', async () => {
    const runId = await newRun();
    const measure = fn('group-metrics', { x: { kind: 'parameter', type: 'int' } }, { y: { kind: 'parameter', type: 'int' } }, (inputs, ctx) => {
      const x = inputs.x as number;
      ctx.metric('seen', x);
      ctx.metric('twice', 2 * x, { step: 1, stepLabel: 'epoch 1' });
      if (x < 0) return Promise.reject(Object.assign(new Error(`must not be negative, got ${x}`), { retryable: false }));
      return Promise.resolve({ y: x + 1 });
    });
    const group = createExecuteLightItems(executeTask, metadata);
    const items = (xs: number[]): Promise<LightItemsResult> =>
      new MockActivityEnvironment({ attempt: 1, isLocal: false, heartbeatTimeoutMs: 15_000 }, { logger: silent }).run(group, {
        runId,
        steps: [{ id: 'm', task: { component: measure.spec.name, inputs: { x: { loopItem: 'each' } } }, component: measure.spec, cache: { enabled: false } }],
        env: { inputs: {}, items: {}, outer: {} },
        loopId: 'each',
        loopPath: 'each',
        items: xs.map((x) => ({ index: x, value: x })),
      });
    const metricsOf = async (x: number) =>
      (await metadata.listMetrics({ executionId: `${runId}.each[${x}]/m` })).map((m) => [m.key, m.value, m.step, m.stepLabel ?? null]);

    // 8 items in 4 lanes: each step's running row carries its lane's previous finish (with that
    // step's metrics), and each lane's last finish goes alone. Metrics written as reported would
    // add 2 statements per step.
    const xs = Array.from({ length: 8 }, (_, i) => i);
    const before = statements;
    const result = await items(xs);
    expect(statements - before).toBe(xs.length + 4);
    expect(result.items.map((r) => r.done.map((d) => d.outputs.y))).toEqual(xs.map((x) => [param(x + 1)]));
    for (const x of xs) {
      expect(await metadata.getExecution(`${runId}.each[${x}]/m`)).toMatchObject({ status: 'succeeded', attempt: 1 });
      expect(await metricsOf(x)).toEqual([['seen', x, 0, null], ['twice', 2 * x, 1, 'epoch 1']]);
    }

    // A failed step's metrics are recorded with its failure, as a local step's are.
    const failed = await items([-3]);
    expect(failed.items[0]?.stop).toMatchObject({ reason: 'failed', nonRetryable: true });
    expect(await metadata.getExecution(`${runId}.each[-3]/m`)).toMatchObject({ status: 'failed' });
    expect(await metricsOf(-3)).toEqual([['seen', -3, 0, null], ['twice', -6, 1, 'epoch 1']]);
  });

  it('refuses approval and pipeline components: the workflow runs those', async () => {
    const runId = await newRun();
    const spec: ComponentSpec = { name: 'gate', version: '1', inputs: {}, outputs: {}, impl: { kind: 'approval', digest: 'a'.repeat(64) } };
    await expect(execute({ runId, taskId: 'gate', component: spec, inputs: {} })).rejects.toMatchObject({
      nonRetryable: true,
      type: 'UnsupportedComponentKind',
    });
  });
});
