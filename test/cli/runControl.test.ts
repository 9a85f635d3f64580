/**
 * Run control from the command line, as a user does it in two terminals: approve a gate after the
 * stack that ran the run was stopped (worker and Temporal server restarted), cancel a run that
 * another process is running, retry a failed run from its failed step, and tell the truth about a
 * run whose workflow ended while no Sluice process was there to record it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevServer } from '../../engine/temporal/devServer/DevServer';
import { workflowIdFor } from '../../engine/temporal/workflows/types';
import { runCli, startCli, waitForOutput, type CliProcess } from '../support/cliProcess';

let home: string;
const start = (...args: string[]): CliProcess => startCli(home, ...args);
const sluice = (...args: string[]): Promise<{ code: number | null; out: string }> => runCli(home, ...args);
const waitFor = waitForOutput;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'sluice-ctl-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

/** A dev server on the state dir's db, once the stopped CLI's server has let go of it (SQLITE_BUSY until then). */
async function startPersistedServer(): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await DevServer.start({ dbFilename: path.join(home, 'temporal.db') });
    } catch (e) {
      if (attempt >= 20 || !/database is locked/.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe('sluice runs approve|cancel|retry', () => {
  it('approves a gate after the stack that was running it stopped; the run resumes and succeeds', async () => {
    const first = start('run', 'test/fixtures/controlFlow.ts', '--pipeline', 'gated');
    const id = (await waitFor(first.out, /run (\w+) of pipeline "gated" started/))[1] ?? '';
    await waitFor(first.out, /gate waiting for approval \("ship it\?"\): npx sluice runs approve \w+ gate/);
    first.child.kill('SIGINT'); // stops the worker and the Temporal server
    expect(await first.closed).toBe(130);

    const approved = await sluice('runs', 'approve', id, 'gate', '--by', 'carol', '-m', 'looks good');
    expect(approved.out).toContain(`approved gate "gate" of run ${id}`);
    expect(approved.out).toContain(`run ${id} succeeded`);
    expect(approved.code).toBe(0);
    const shown = await sluice('runs', 'show', id, '--json');
    const { executions } = JSON.parse(shown.out) as { executions: { taskId: string; status: string; outputParams: Record<string, unknown> }[] };
    expect(executions.find((e) => e.taskId === 'gate')?.outputParams).toEqual({ approved: true, comment: 'looks good', by: 'carol' });
  });

  it('refuses to approve a run that is not waiting, with a clear message', async () => {
    const r = await sluice('runs', 'approve', 'nosuchrun');
    expect(r.code).toBe(1);
    expect(r.out).toContain('no run with id "nosuchrun"');
  });

  it('cancels a run that another process is running', async () => {
    const running = start('run', 'test/fixtures/controlFlow.ts', '--pipeline', 'cancellable-with-exit');
    const id = (await waitFor(running.out, /run (\w+) of pipeline "cancellable-with-exit" started/))[1] ?? '';
    await waitFor(running.out, /▶ long running/);
    const cancel = await sluice('runs', 'cancel', id);
    expect(cancel.out).toContain(`cancellation of run ${id} requested`);
    expect(cancel.code).toBe(0);
    expect(await running.closed).toBe(1);
    expect(running.out()).toContain(`run ${id} cancelled`);
    expect(running.out()).toMatch(/✓ cleanup succeeded/);
  });

  it('says a run is already cancelled when its workflow was terminated while no stack ran (and records it)', async () => {
    const first = start('run', 'test/fixtures/controlFlow.ts', '--pipeline', 'gated');
    const id = (await waitFor(first.out, /run (\w+) of pipeline "gated" started/))[1] ?? '';
    await waitFor(first.out, /gate waiting for approval/);
    first.child.kill('SIGINT');
    expect(await first.closed).toBe(130);
    // An operator terminates the workflow directly in Temporal; no Sluice process is running.
    const server = await startPersistedServer();
    const connection = await Connection.connect({ address: server.address });
    try {
      await new Client({ connection }).workflow.getHandle(workflowIdFor(id)).terminate('cleaning up');
    } finally {
      await connection.close();
      await server.stop();
    }
    const cancel = await sluice('runs', 'cancel', id);
    expect(cancel.out).toContain(`run ${id} already cancelled`);
    expect(cancel.code).toBe(1);
    const shown = await sluice('runs', 'show', id, '--json');
    expect(JSON.parse(shown.out)).toMatchObject({ run: { status: 'cancelled', error: 'its workflow was terminated: cleaning up; exit handlers did not run' } });
  });

  it('retries a failed run from the failed step', async () => {
    const flag = path.join(home, 'flag');
    const failed = await sluice('run', 'test/fixtures/execution.ts', '--pipeline', 'retryable', '-p', `flagFile=${flag}`);
    expect(failed.code).toBe(1);
    const id = /retry from the failed step: npx sluice runs retry (\w+)/.exec(failed.out)?.[1] ?? '';
    expect(id).not.toBe('');
    await writeFile(flag, 'ok');
    const retried = await sluice('runs', 'retry', id);
    expect(retried.out).toMatch(new RegExp(`run \\w+ retries run ${id}, reusing a, b`));
    expect(retried.out).toMatch(/↺ a cached/);
    expect(retried.out).toMatch(/✓ c succeeded/);
    expect(retried.out).toMatch(/run \w+ succeeded/);
    expect(retried.code).toBe(0);
  });
});
