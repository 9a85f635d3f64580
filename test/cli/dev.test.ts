/**
 * `sluice dev` as `npm run up` uses it: the whole stack and the API on one port, the example run
 * once, read commands served through the API while it holds the state directory, Ctrl-C stopping
 * every child, and a restart keeping the history (and reusing cached steps).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, startCliWith, waitForOutput, type CliProcess } from '../support/cliProcess';

let home: string;
const start = (...args: string[]): CliProcess => startCli(home, ...args);
const waitFor = waitForOutput;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'sluice-dev-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('sluice dev', () => {
  it('serves the API, runs the example, answers read commands through the API, stops on Ctrl-C and keeps history', async () => {
    const dev = start('dev', '--port', '0', '--run', 'examples/iris.ts');
    const url = (await waitFor(dev.out, /Sluice is up: (http:\/\/127\.0\.0\.1:\d+)/))[1] ?? '';
    const runId = (await waitFor(dev.out, /run (\w+) succeeded/))[1] ?? '';
    await waitFor(dev.out, /press Ctrl-C to stop/);
    // The run's summary counts the artifacts and points at the run's page; then the three next steps.
    const runUrl = `${url}/#/runs/${runId}`;
    expect(dev.out()).toMatch(new RegExp(`^artifacts: \\d+ · in the run view: ${runUrl.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(dev.out()).not.toContain('artifacts/sha256/');
    expect(dev.out()).toMatch(
      new RegExp(
        `run ${runId} succeeded in [\\d.]+ s\n` +
          `next:\n` +
          `  1\\. open the run in the editor \\(graph, logs, metrics, artifacts, lineage\\): ${runUrl.replace(/[.]/g, '\\.')}\n` +
          `  2\\. change the pipeline and run it again \\(unchanged steps come from the cache\\): edit examples/iris\\.ts, then npx sluice run examples/iris\\.ts\n` +
          `  3\\. from another terminal: npx sluice runs show ${runId} · npx sluice lineage ${runId}\\.train-classifier\\.model · npx sluice --help\n` +
          `press Ctrl-C to stop`,
      ),
    );
    expect(dev.out()).not.toContain('TensorFlow.js in Node.js');
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    // The workers of the dev process report task durations on the same /metrics.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/sluice_task_duration_seconds_count\{component="train-classifier",status="succeeded"\} 1/);
    expect(metrics).toMatch(/sluice_runs\{status="succeeded"\} 1/);
    // The model server of the dev process serves the version the example registered as challenger.
    const served = (await waitFor(dev.out, /model server (http:\/\/127\.0\.0\.1:\d+)\/v2 /))[1] ?? '';
    const inferred = await fetch(`${served}/v2/models/iris%40challenger/infer`, {
      method: 'POST',
      body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }], outputs: [{ name: 'label' }] }),
    });
    expect(inferred.status).toBe(200);
    // A raw setosa row is setosa (class 0): the pipeline's scaling is in the exported graph.
    expect(await inferred.json()).toMatchObject({ model_name: 'iris', model_version: '1', outputs: [{ name: 'label', datatype: 'INT64', shape: [1], data: [0] }] });

    const list = start('runs', 'list');
    expect(await list.closed).toBe(0);
    expect(list.out()).toMatch(new RegExp(`${runId}\\s+iris\\s+succeeded`));
    const logs = start('logs', runId, 'evaluate-classifier');
    expect(await logs.closed).toBe(0);
    expect(logs.out()).toMatch(/\[evaluate-classifier attempt 1\] log\s+accuracy/);

    // With dev up, `sluice run` submits through its API and follows the run from there.
    const viaApi = start('run', 'test/fixtures/controlFlow.ts', '--pipeline', 'gated');
    const gatedId = (await waitFor(viaApi.out, /run (\w+) of pipeline "gated" started on http/))[1] ?? '';
    await waitFor(viaApi.out, /gate waiting for approval/);
    const approve = start('runs', 'approve', gatedId, '-m', 'ok');
    expect(await approve.closed).toBe(0);
    expect(approve.out()).toContain(`approved gate "gate" of run ${gatedId} (via ${url})`);
    expect(await viaApi.closed).toBe(0);
    expect(viaApi.out()).toMatch(new RegExp(`run ${gatedId} succeeded`));

    dev.child.kill('SIGINT');
    expect(await dev.closed).toBe(0);
    expect(dev.out()).toContain('stopping…');

    const again = start('dev', '--port', '0', '--run', 'examples/iris.ts', '--once');
    expect(await again.closed).toBe(0);
    // Every task of the example comes from the cache on the second start.
    const tasksStarted = /started \((\d+) tasks\)/.exec(again.out())?.[1];
    expect(again.out()).toMatch(new RegExp(`reused: ${tasksStarted} tasks from the cache`));
    const all = start('runs', 'list', '--json');
    expect(await all.closed).toBe(0);
    expect((JSON.parse(all.out()) as { id: string }[]).map((r) => r.id)).toContain(runId);
  });

  it('refuses an unknown SLUICE_LOG_FORMAT before starting anything', async () => {
    const r = startCliWith({ home, env: { SLUICE_LOG_FORMAT: 'yaml' } }, 'dev', '--port', '0');
    expect(await r.closed).toBe(1);
    expect(r.out()).toBe('error: SLUICE_LOG_FORMAT must be "pretty" or "json" (got "yaml")\n');
  });
});
