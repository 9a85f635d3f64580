/**
 * One rule for every command: while `sluice dev` runs, every command goes through its HTTP API —
 * with or without DATABASE_URL — and `sluice run` follows its run from the API's event stream,
 * printing every task transition in order and a failing task's log tail. When the server dies
 * under a following `sluice run`, the command says so readably and exits 3, without a stack.
 *
 * One `sluice dev` serves the whole file; the last test kills it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliWith, startCliWith, waitForOutput, type CliProcess } from '../support/cliProcess';

let home: string;
let dev: CliProcess;
let url: string;

const sluice = (...args: string[]): Promise<{ code: number | null; out: string }> => runCliWith({ home }, ...args);
const sluiceWith = (env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number | null; out: string }> => runCliWith({ home, env }, ...args);

/** Asserts that lines matching `patterns` appear in this order (other lines may come between). */
function expectInOrder(out: string, patterns: RegExp[]): void {
  const lines = out.split('\n');
  let at = 0;
  for (const re of patterns) {
    const found = lines.findIndex((l, i) => i >= at && re.test(l));
    expect(found, `a line matching ${re} after line ${at} of:\n${out}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

const devAlive = (): boolean => dev.child.exitCode === null && dev.child.signalCode === null;

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'sluice-served-'));
  // Its own process group: the last test kills the server with every child (the Temporal server).
  dev = startCliWith({ home, detached: true }, 'dev', '--port', '0');
  url = (await waitForOutput(dev.out, /Sluice is up: (http:\/\/127\.0\.0\.1:\d+)/, 170_000))[1] ?? '';
});
afterAll(async () => {
  if (dev && devAlive() && dev.child.pid) {
    process.kill(-dev.child.pid, 'SIGINT');
    await dev.closed;
  }
  await rm(home, { recursive: true, force: true });
});

describe('while sluice dev runs, every command goes through its API', () => {
  it('run (with DATABASE_URL set too), runs list|show, logs, lineage and export-ts by name', { timeout: 300_000 }, async () => {
    // A DATABASE_URL nobody answers at: the command must not touch it while a server is reachable.
    const run = await sluiceWith({ DATABASE_URL: 'postgres://sluice:nope@127.0.0.1:9/none' }, 'run', 'test/fixtures/execution.ts', '--pipeline', 'cached', '-p', 'x=2');
    expect(run.out).toContain(`started on ${url}`);
    expect(run.code, run.out).toBe(0);
    const runId = /run (\w+) succeeded/.exec(run.out)?.[1] ?? '';
    expect(runId).not.toBe('');

    if (process.env.SLUICE_TEST_DATABASE_URL) {
      const real = await sluiceWith({ DATABASE_URL: process.env.SLUICE_TEST_DATABASE_URL }, 'runs', 'show', runId);
      expect(real.code, real.out).toBe(0);
    }

    const list = await sluiceWith({ DATABASE_URL: 'postgres://sluice:nope@127.0.0.1:9/none' }, 'runs', 'list');
    expect(list.code, list.out).toBe(0);
    expect(list.out).toMatch(new RegExp(`${runId}\\s+cached\\s+succeeded`));

    const logs = await sluice('logs', runId, 'csv-data');
    expect(logs.code, logs.out).toBe(0);
    expect(logs.out).toContain('copying the mini iris CSV');

    const lineage = await sluice('lineage', `${runId}.csv-data.data`);
    expect(lineage.code, lineage.out).toBe(0);
    expect(lineage.out).toMatch(/^Dataset csv-data\.data/);

    const exported = await sluice('export-ts', 'cached');
    expect(exported.code, exported.out).toBe(0);
    expect(exported.out).toMatch(/pipeline\(\s*\{\s*name: 'cached'/);
  });

  // Each command is a process of its own: a few seconds each on a busy machine.
  it('schedules and triggers', { timeout: 300_000 }, async () => {
    const created = await sluice('schedules', 'create', 'test/fixtures/execution.ts', '--pipeline', 'cached', '-p', 'x=1', '--every', '1h', '--paused', '--id', 'hourly');
    expect(created.code, created.out).toBe(0);
    expect(created.out).toMatch(/hourly {2}pipeline cached {2}every 1h/);
    const schedules = await sluice('schedules', 'list');
    expect(schedules.code, schedules.out).toBe(0);
    expect(schedules.out).toMatch(/hourly .*PAUSED/);

    const trigger = await sluice('triggers', 'create', 'webhook', 'test/fixtures/execution.ts', '--pipeline', 'cached', '--id', 'hook', '--map', 'x=x');
    expect(trigger.code, trigger.out).toBe(0);
    expect(trigger.out).toMatch(/secret \(shown once.*\): [0-9a-f]{64}/);
    const triggers = await sluice('triggers', 'list');
    expect(triggers.code, triggers.out).toBe(0);
    expect(triggers.out).toMatch(/^hook {2}webhook/m);
    const deleted = await sluice('triggers', 'delete', 'hook');
    expect(deleted.code, deleted.out).toBe(0);
  });

  it('tokens and workers', { timeout: 300_000 }, async () => {
    const token = await sluice('tokens', 'create', '--role', 'viewer', '--name', 'ci', '--json');
    expect(token.code, token.out).toBe(0);
    const tokenId = (JSON.parse(token.out) as { id: string }).id;
    const revoked = await sluice('tokens', 'revoke', tokenId);
    expect(revoked.out).toContain(`revoked token ${tokenId}`);
    const tokens = await sluice('tokens', 'list');
    expect(tokens.code, tokens.out).toBe(0);
    expect(tokens.out).toMatch(new RegExp(`${tokenId} {2}viewer {2}ci {2}\\(created .*, revoked `));

    const workers = await sluice('workers');
    expect(workers.code, workers.out).toBe(0);
    expect(workers.out).toMatch(/sluice-cpu\s+cpu\s+1 worker/);
  });
});

describe('sluice run follows a run through the API', () => {
  it('prints every task transition in order, the last ones too', async () => {
    const r = await sluice('run', 'test/fixtures/diamond.ts', '--no-cache');
    expect(r.code, r.out).toBe(0);
    expectInOrder(r.out, [/▶ source running/, /✓ source succeeded/, /▶ left running/, /✓ left succeeded/, /▶ join running/, /✓ join succeeded/, /run \w+ succeeded/]);
    expectInOrder(r.out, [/✓ source succeeded/, /▶ right running/, /✓ right succeeded/, /▶ join running/]);
  });

  it('prints the failing task with its error and its log tail', async () => {
    const r = await sluice('run', 'test/fixtures/execution.ts', '--pipeline', 'retryable', '-p', `flagFile=${path.join(home, 'absent')}`);
    expect(r.code, r.out).toBe(1);
    expectInOrder(r.out, [
      /▶ a running/,
      /✓ a succeeded/,
      /✓ b succeeded/,
      /▶ c running/,
      /✗ c failed.*: flag file .*absent is missing/,
      /last \d+ log lines? of "c"/,
      /│ checking .*absent/,
      /run \w+ failed/,
    ]);
  });

  it('shows the final state of a loop, which has no execution record of its own', async () => {
    const r = await sluice('run', 'test/fixtures/controlFlow.ts', '--pipeline', 'strict');
    expect(r.code, r.out).toBe(1);
    expectInOrder(r.out, [/▶ items running/, /✗ items failed/, /run \w+ failed/]);
  });
});

describe('when the server dies while sluice run follows a run', () => {
  it('says which server stopped answering and what to do, exits 3, prints no stack', async () => {
    const following = startCliWith({ home }, 'run', 'test/fixtures/controlFlow.ts', '--pipeline', 'gated');
    const runId = (await waitForOutput(following.out, /run (\w+) of pipeline "gated" started on http/))[1] ?? '';
    await waitForOutput(following.out, /gate waiting for approval/);
    process.kill(-(dev.child.pid ?? 0), 'SIGKILL');
    await dev.closed;

    expect(await following.closed, following.out()).toBe(3);
    expect(following.out()).toContain(`the server at ${url} stopped answering`);
    expect(following.out()).toContain(`sluice runs show ${runId}`);
    expect(following.out()).not.toMatch(/^\s+at /m);
  });
});
