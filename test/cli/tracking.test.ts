/**
 * `sluice experiments …`, `sluice runs compare` and `sluice pipelines diff` as a user runs them,
 * working in the CLI's own process on the state directory's PGlite (no server reachable). The store
 * is seeded first through its own API; the commands then read and change it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineDigest, type PipelineSpec } from '../../dsl/ir/index';
import { openMetadataStore } from '../../engine/stores/metadata/index';
import { pipelineSpec } from '../../engine/stores/metadata/fixtures.contract';
import { runCli } from '../support/cliProcess';

let home: string;
const sluice = (...args: string[]): Promise<{ code: number | null; out: string }> => runCli(home, ...args);

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'sluice-tracking-cli-'));
  const store = await openMetadataStore({ dataDir: path.join(home, 'db') });
  try {
    const v1 = pipelineSpec('fit');
    const v2: PipelineSpec = structuredClone(v1);
    const train = v2.dag.tasks.train;
    if (train && 'component' in train) train.retry = { maxAttempts: 3 };
    v2.inputs.epochs = { kind: 'parameter', type: 'int', default: 5 };
    const versions = [await store.registerPipelineVersion(v1, pipelineDigest(v1)), await store.registerPipelineVersion(v2, pipelineDigest(v2))];
    const runs: [string, number, number, number, number][] = [
      // id, version, lr, accuracy, final loss
      ['run-a', 0, 0.1, 0.8, 0.4],
      ['run-b', 0, 0.5, 0.9, 0.2],
      ['run-c', 1, 0.5, 0.7, 0.3],
    ];
    for (const [id, v, lr, accuracy, loss] of runs) {
      await store.createRun({ id, pipelineVersionId: versions[v]?.id ?? '', params: { lr }, trigger: { kind: 'cli' }, workflowId: `wf-${id}` });
      await store.startExecution({ id: `${id}.train`, runId: id, taskId: 'train', componentName: 'trainer', componentDigest: 'c', attempt: 1, params: {} });
      await store.recordMetric({ runId: id, executionId: `${id}.train`, key: 'accuracy', value: accuracy, step: 0 });
      await store.recordMetric({ runId: id, executionId: `${id}.train`, key: 'loss', value: 1, step: 0 });
      await store.recordMetric({ runId: id, executionId: `${id}.train`, key: 'loss', value: loss, step: 1 });
    }
  } finally {
    await store.close();
  }
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('experiments, run comparison and pipeline diffs from the command line', () => {
  it('creates, lists, shows, renames and archives experiments', { timeout: 400_000 }, async () => {
    const created = await sluice('experiments', 'create', 'vision', '--description', 'image runs');
    expect(created.code, created.out).toBe(0);
    expect(created.out).toContain('created experiment "vision"');
    const bad = await sluice('experiments', 'create', '-bad name!');
    expect(bad.code).toBe(1);
    expect(bad.out).not.toMatch(/at .*\.ts:\d+/);

    expect((await sluice('experiments', 'rename', 'vision', 'vision-2')).out).toContain('to "vision-2"');
    expect((await sluice('experiments', 'archive', 'vision-2')).out).toContain('archived experiment "vision-2"');
    const list = await sluice('experiments', 'list', '--all', '--json');
    const archivedAt: unknown = expect.any(String);
    expect(JSON.parse(list.out)).toEqual([expect.objectContaining({ name: 'vision-2', description: 'image runs', runCount: 0, archivedAt })]);
    const missing = await sluice('experiments', 'show', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('no experiment with id or name "nope"');
  });

  it('compares runs: differences marked, the best per metric marked by its direction, a pipeline change said', { timeout: 400_000 }, async () => {
    const text = await sluice('runs', 'compare', 'run-a', 'run-b', 'run-c');
    expect(text.code, text.out).toBe(0);
    expect(text.out).toMatch(/pipeline changed: these runs are of 2 pipeline versions/);
    expect(text.out).toMatch(/^≠ lr\s+0\.1\s+0\.5\s+0\.5$/m);
    expect(text.out).toMatch(/^ {2}accuracy ↑\s+0\.8\s+0\.9 \*\s+0\.7$/m);
    expect(text.out).toMatch(/^ {2}loss ↓\s+0\.4\s+0\.2 \*\s+0\.3$/m);

    const json = await sluice('runs', 'compare', 'run-a', 'run-c', '--json', '--higher-is-better', 'loss');
    const cmp = JSON.parse(json.out) as { pipelineChanged: boolean; metrics: { key: string; best: number[]; directionFrom: string }[]; series: unknown[]; runs: { pipelineDigest: string }[] };
    expect(cmp.pipelineChanged).toBe(true);
    expect(cmp.metrics.find((m) => m.key === 'loss')).toMatchObject({ best: [0], directionFrom: 'request' });
    expect(cmp.series).toContainEqual({ runId: 'run-a', taskId: 'train', key: 'loss', points: 2 });
    expect(cmp.runs[0]?.pipelineDigest).toMatch(/^[0-9a-f]{64}$/);

    const missing = await sluice('runs', 'compare', 'run-a', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('no run with id "nope"');
    expect((await sluice('runs', 'compare', 'run-a')).code).toBe(1);
  });

  it('diffs two versions of a pipeline, as text and JSON', { timeout: 400_000 }, async () => {
    const text = await sluice('pipelines', 'diff', 'fit@v1', 'fit@v2');
    expect(text.code, text.out).toBe(0);
    expect(text.out).toContain('~ task train');
    expect(text.out).toContain('retry: (none) → {"maxAttempts":3}');
    expect(text.out).toContain('+ pipeline input epochs: {"default":5,"kind":"parameter","type":"int"}');
    const json = JSON.parse((await sluice('pipelines', 'diff', 'fit@v1', 'fit@v2', '--json')).out) as { diff: { tasks: { changed: { id: string }[] } } };
    expect(json.diff.tasks.changed.map((c) => c.id)).toEqual(['train']);
    expect((await sluice('pipelines', 'diff', 'fit@v1', 'fit@v1')).out).toContain('are the same pipeline');
    const missing = await sluice('pipelines', 'diff', 'fit@v1', 'fit@v7');
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('pipeline "fit" has no version "v7"');
  });
});
