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

/**
 * Every command of the rule, once, against the running `sluice dev`. `env` is added to the CLI's
 * environment; `tag` keeps the ids of a second round apart from the first.
 */
async function everyCommand(env: NodeJS.ProcessEnv, tag: string): Promise<void> {
  const cli = (...args: string[]): Promise<{ code: number | null; out: string }> => sluiceWith(env, ...args);
  const ok = async (...args: string[]): Promise<string> => {
    const r = await cli(...args);
    expect(r.code, `sluice ${args.join(' ')}:\n${r.out}`).toBe(0);
    return r.out;
  };

  // run, runs list|show|retry, logs, lineage, export-ts by name (--no-cache: the artifacts are this run's own)
  const run = await ok('run', 'test/fixtures/execution.ts', '--pipeline', 'cached', '-p', 'x=2', '--no-cache');
  expect(run).toContain(`started on ${url}`);
  const runId = /run (\w+) succeeded/.exec(run)?.[1] ?? '';
  expect(runId).not.toBe('');

  // Independent chains side by side: each command is a process of its own (seconds each on a busy machine).
  const reads = async (): Promise<void> => {
    const [list, show, logs, lineage, exported, workers] = await Promise.all([
      ok('runs', 'list'),
      ok('runs', 'show', runId),
      ok('logs', runId, 'csv-data'),
      ok('lineage', `${runId}.csv-data.data`, '--reuse'),
      ok('export-ts', 'cached'),
      ok('workers'),
    ]);
    expect(list).toMatch(new RegExp(`${runId}\\s+cached\\s+succeeded`));
    expect(show).toMatch(new RegExp(`^run ${runId} {2}pipeline cached {2}succeeded`));
    expect(logs).toContain('copying the mini iris CSV');
    expect(lineage).toMatch(/^Dataset csv-data\.data/);
    expect(exported).toMatch(/pipeline\(\s*\{\s*name: 'cached'/);
    expect(workers).toMatch(/sluice-cpu\s+cpu\s+1 worker/);
    const retried = await ok('runs', 'retry', runId);
    expect(retried).toMatch(new RegExp(`run \\w+ retries run ${runId}, reusing .* \\(via ${url}\\)`));
  };

  // runs approve|reject|cancel: three runs waiting at their approval gate
  const gates = async (): Promise<void> => {
    const gated = [0, 1, 2].map(() => startCliWith({ home, env }, 'run', 'test/fixtures/controlFlow.ts', '--pipeline', 'gated'));
    const gatedIds = await Promise.all(
      gated.map(async (p) => {
        const id = (await waitForOutput(p.out, /run (\w+) of pipeline "gated" started on http/, 300_000))[1] ?? '';
        await waitForOutput(p.out, /gate waiting for approval/, 300_000);
        return id;
      }),
    );
    const [approveId, rejectId, cancelId] = gatedIds as [string, string, string];
    const [approve, reject, cancel] = await Promise.all([ok('runs', 'approve', approveId, '-m', 'fine'), ok('runs', 'reject', rejectId, 'gate'), ok('runs', 'cancel', cancelId)]);
    expect(approve).toContain(`approved gate "gate" of run ${approveId} (via ${url})`);
    expect(reject).toContain(`rejected gate "gate" of run ${rejectId} (via ${url})`);
    expect(cancel).toContain(`cancellation of run ${cancelId} requested (via ${url})`);
    const [approved, rejected, cancelled] = gated;
    expect(await approved?.closed, approved?.out()).toBe(0);
    expect(await rejected?.closed, rejected?.out()).toBe(1);
    expect(rejected?.out()).toMatch(new RegExp(`run ${rejectId} failed`));
    expect(await cancelled?.closed, cancelled?.out()).toBe(1);
    expect(cancelled?.out()).toMatch(new RegExp(`run ${cancelId} cancelled`));
  };

  const schedules = async (): Promise<void> => {
    const hourly = `hourly-${tag}`;
    const created = await ok('schedules', 'create', 'test/fixtures/execution.ts', '--pipeline', 'cached', '-p', 'x=1', '--every', '1h', '--paused', '--id', hourly);
    expect(created).toMatch(new RegExp(`${hourly} {2}pipeline cached {2}every 1h`));
    const [list, show] = await Promise.all([ok('schedules', 'list'), ok('schedules', 'show', hourly)]);
    expect(list).toMatch(new RegExp(`${hourly} .*PAUSED`));
    expect(show).toMatch(new RegExp(`^${hourly} .*PAUSED`));
    expect(await ok('schedules', 'resume', hourly, '-m', 'go')).toMatch(new RegExp(`^${hourly} .*active — go`));
    expect(await ok('schedules', 'pause', hourly, '-m', 'stop')).toMatch(new RegExp(`^${hourly} .*PAUSED — stop`));
    const [trigger, backfill] = await Promise.all([
      ok('schedules', 'trigger', hourly),
      ok('schedules', 'backfill', hourly, '--from', '2030-01-01T00:00:00Z', '--to', '2030-01-01T01:00:00Z'),
    ]);
    expect(trigger).toContain(`triggered schedule ${hourly}`);
    expect(backfill).toContain(`backfilling schedule ${hourly}`);
    expect(await ok('schedules', 'delete', hourly)).toContain(`deleted schedule ${hourly}`);
    const gone = await cli('schedules', 'show', hourly);
    expect(gone.code, gone.out).toBe(1);
  };

  const triggersAndTokens = async (): Promise<void> => {
    const hook = `hook-${tag}`;
    const trigger = await ok('triggers', 'create', 'webhook', 'test/fixtures/execution.ts', '--pipeline', 'cached', '--id', hook, '--map', 'x=x');
    expect(trigger).toMatch(/secret \(shown once.*\): [0-9a-f]{64}/);
    expect(await ok('triggers', 'list')).toMatch(new RegExp(`^${hook} {2}webhook → pipeline version \\S+ {2}POST /api/triggers/${hook}/webhook {2}mapping \\{"x":"x"\\}`, 'm'));
    expect(await ok('triggers', 'delete', hook)).toContain(`deleted trigger ${hook}`);

    const token = await ok('tokens', 'create', '--role', 'viewer', '--name', `ci-${tag}`, '--json');
    const tokenId = (JSON.parse(token) as { id: string }).id;
    expect(await ok('tokens', 'revoke', tokenId)).toContain(`revoked token ${tokenId}`);
    expect(await ok('tokens', 'revoke', tokenId)).toContain(`token ${tokenId} was already revoked`);
    expect(await ok('tokens', 'list')).toMatch(new RegExp(`${tokenId} {2}viewer {2}ci-${tag} {2}\\(created .*, revoked `));
  };

  await Promise.all([reads(), gates(), schedules(), triggersAndTokens()]);
}

describe('while sluice dev runs, every command goes through its API', () => {
  it('every command: run, runs *, logs, lineage, schedules *, triggers *, tokens *, workers, export-ts by name', { timeout: 900_000 }, async () => {
    await everyCommand({}, 'plain');
  });

  // A CLI that opened DATABASE_URL instead of asking the server would find none of the server's runs there.
  const databaseUrl = process.env.SLUICE_TEST_DATABASE_URL;
  const why = databaseUrl ? '' : ' — skipped: SLUICE_TEST_DATABASE_URL is not set (bash scripts/ensure-postgres.sh prints one)';
  it.skipIf(!databaseUrl)(`every command with DATABASE_URL set to a PostgreSQL database${why}`, { timeout: 900_000 }, async () => {
    await everyCommand({ DATABASE_URL: databaseUrl }, 'pg');
  });

  it('a DATABASE_URL nobody answers at is not touched while a server is reachable', { timeout: 120_000 }, async () => {
    const list = await sluiceWith({ DATABASE_URL: 'postgres://sluice:nope@127.0.0.1:9/none' }, 'runs', 'list');
    expect(list.code, list.out).toBe(0);
    expect(list.out).toMatch(/\s+cached\s+succeeded/);
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

  it('--experiment puts the run into that experiment, creating it once; an archived one is refused before anything runs', { timeout: 400_000 }, async () => {
    const first = await sluice('run', 'test/fixtures/diamond.ts', '--experiment', 'served-exp');
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('created experiment "served-exp"');
    const second = await sluice('run', 'test/fixtures/diamond.ts', '--experiment', 'served-exp');
    expect(second.code, second.out).toBe(0);
    expect(second.out).not.toContain('created experiment');
    const shown = await sluice('experiments', 'show', 'served-exp', '--json');
    expect(shown.code, shown.out).toBe(0);
    expect((JSON.parse(shown.out) as { runs: unknown[] }).runs).toHaveLength(2);
    expect((await sluice('experiments', 'archive', 'served-exp')).code).toBe(0);
    const refused = await sluice('run', 'test/fixtures/diamond.ts', '--experiment', 'served-exp');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('experiment "served-exp" is archived');
    expect(refused.out).not.toMatch(/run \w+ of pipeline/);
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
