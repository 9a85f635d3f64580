/**
 * `sluice runs cancel|approve|reject|retry`. When another process runs the embedded stack (a
 * `sluice run` in another terminal), cancel/approve/reject talk to its Temporal server, found in the
 * state directory's lock file. Otherwise they start the stack here — its workers resume the run —
 * act, and follow the run to its end.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { planRetry, reconcileRun, RetryRunError, type RetryRunErrorCode } from '../../runs/index';
import { submitRun } from '../../runs/index';
import type { MetadataStore } from '../../stores/metadata/index';
import { stateDir } from '../../paths';
import { readStateOwner } from '../../stack/index';
import { approveUpdate } from '../../temporal/workflows/index';
import { workflowIdFor, type ApprovalDecision } from '../../temporal/workflows/types';
import { CliError } from '../CliError';
import { servedApi } from '../apiReader';
import { followRun, followRunFrom, withCliStack } from '../follow';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

interface FollowOptions {
  json?: boolean;
  /** Return once the action is done instead of following the run to its end. */
  detach?: boolean;
}

/**
 * Runs `act` against the run's workflow: on the Temporal server of the process that owns the
 * state dir, or on an embedded stack started here (then follows the run unless detached).
 */
async function onRun(runId: string, opts: FollowOptions, act: (client: Client, metadata?: MetadataStore) => Promise<string>): Promise<void> {
  const owner = await readStateOwner(stateDir());
  if (owner?.temporalAddress) {
    const connection = await Connection.connect({ address: owner.temporalAddress });
    try {
      print(await act(new TemporalClient({ connection })));
      print(`(the stack of process ${owner.pid} runs it; its terminal shows the progress)`);
    } finally {
      await connection.close();
    }
    return;
  }
  if (owner) throw new CliError(`the state directory is in use by process ${owner.pid} (${owner.purpose}); try again when it ends`);
  await withCliStack({ log: (s) => (opts.json ? undefined : print(s)) }, async (stack) => {
    const found = await stack.metadata.getRun(runId);
    if (!found) throw new CliError(`no run with id "${runId}" (list them with: sluice runs list)`);
    // A row left open by a workflow that already closed gets its real outcome first.
    const { run } = await reconcileRun(stack, found);
    if (run.status !== 'running' && run.status !== 'pending') throw new CliError(`run ${runId} already ${run.status}`);
    const message = await act(stack.client, stack.metadata);
    if (!opts.json) print(message);
    if (opts.detach) return;
    await followRun(stack.metadata, { runId, handle: stack.client.workflow.getHandle(workflowIdFor(runId)) }, { json: opts.json ?? false });
  });
}

async function decide(runId: string, task: string | undefined, decision: Omit<ApprovalDecision, 'task'>, opts: FollowOptions): Promise<void> {
  const api = await servedApi();
  if (api) {
    // The API names the decider after the token (or "local" with auth off).
    const gate = await api.decide(runId, decision.approved, { ...(task !== undefined ? { task } : {}), ...(decision.comment ? { comment: decision.comment } : {}) });
    print(`${decision.approved ? 'approved' : 'rejected'} gate "${gate}" of run ${runId} (via ${api.url})`);
    return;
  }
  await onRun(runId, opts, async (client) => {
    try {
      const gate = await client.workflow
        .getHandle(workflowIdFor(runId))
        .executeUpdate(approveUpdate, { args: [{ ...decision, ...(task !== undefined ? { task } : {}) }] });
      return `${decision.approved ? 'approved' : 'rejected'} gate "${gate}" of run ${runId}`;
    } catch (e) {
      if (e instanceof WorkflowUpdateFailedError) throw new CliError(`run ${runId}: ${e.cause?.message ?? e.message}`);
      if (e instanceof Error && e.name === 'WorkflowNotFoundError') throw new CliError(`run ${runId} is not running (sluice runs show ${runId})`);
      throw e;
    }
  });
}

export function registerRunControlCommands(runs: Command): void {
  runs
    .command('cancel')
    .description('cancel a run: running tasks are stopped, the exit handler runs, the run ends cancelled')
    .argument('<run-id>')
    .option('--detach', 'do not wait for the run to end')
    .option('--json', 'print the final run record as JSON')
    .action(async (runId: string, opts: FollowOptions) => {
      const api = await servedApi();
      if (api) {
        await api.cancel(runId);
        print(`cancellation of run ${runId} requested (via ${api.url})`);
        return;
      }
      await onRun(runId, opts, async (client) => {
        const handle = client.workflow.getHandle(workflowIdFor(runId));
        try {
          // Temporal accepts a cancel of a closed workflow and does nothing: say so instead.
          const { status } = await handle.describe();
          if (status.name !== 'RUNNING') throw new CliError(`run ${runId} already ended: its workflow is ${status.name} (sluice runs show ${runId})`);
          await handle.cancel();
        } catch (e) {
          if (e instanceof Error && e.name === 'WorkflowNotFoundError') throw new CliError(`run ${runId} is not running (sluice runs show ${runId})`);
          throw e;
        }
        return `cancellation of run ${runId} requested`;
      });
    });

  for (const approved of [true, false]) {
    runs
      .command(approved ? 'approve' : 'reject')
      .description(approved ? 'approve a waiting approval gate; the run goes on' : 'reject a waiting approval gate; the run fails')
      .argument('<run-id>')
      .argument('[task]', 'the gate (needed when several are waiting)')
      .option('-m, --comment <text>', 'why', '')
      .option('--by <name>', 'who decides', process.env.USER ?? 'cli')
      .option('--detach', 'do not wait for the run to end')
      .option('--json', 'print the final run record as JSON')
      .action(async (runId: string, task: string | undefined, opts: FollowOptions & { comment: string; by: string }) => {
        await decide(runId, task, { approved, comment: opts.comment, by: opts.by }, opts);
      });
  }

  runs
    .command('retry')
    .description('start a new run of a finished run that reuses its succeeded steps and re-runs the failed step and what follows')
    .argument('<run-id>')
    .option('--no-cache', 'do not reuse cached results for the re-run steps')
    .option('--json', 'print the final run record as JSON')
    .action(async (runId: string, opts: { cache: boolean; json?: boolean }) => {
      const api = await servedApi();
      if (api) {
        const { run, reused } = await api.retry(runId, opts.cache);
        if (!opts.json) print(`run ${run.id} retries run ${runId}, reusing ${reused.length ? reused.join(', ') : 'nothing'} (via ${api.url})`);
        await followRunFrom({ reader: api, status: () => api.liveStatus(run.id), finished: () => api.finished(run.id) }, { json: opts.json ?? false });
        return;
      }
      const owner = await readStateOwner(stateDir());
      if (owner) throw new CliError(`the state directory is in use by process ${owner.pid} (${owner.purpose}); run the retry when it ends`);
      await withCliStack({ log: (s) => (opts.json ? undefined : print(s)) }, async (stack) => {
        const old = await stack.metadata.getRun(runId);
        if (old) await reconcileRun(stack, old); // a cancelled run whose row was left open can be retried
        let plan;
        try {
          plan = await planRetry(stack.metadata, runId);
        } catch (e) {
          if (!(e instanceof RetryRunError)) throw e;
          const advice: Record<RetryRunErrorCode, string> = {
            'not-found': 'list them with: sluice runs list',
            'not-finished': `sluice runs cancel ${e.runId}`,
            'no-version': 'the run cannot be retried; start a new one with sluice run',
          };
          throw new CliError(`${e.message} (${advice[e.code]})`);
        }
        const submitted = await submitRun({
          client: stack.client,
          metadata: stack.metadata,
          spec: plan.spec,
          params: plan.params,
          trigger: { kind: 'retry', of: runId },
          taskQueuePrefix: stack.taskQueuePrefix,
          reuse: plan.reuse,
          cache: opts.cache,
        });
        if (!opts.json) {
          const reused = Object.keys(plan.reuse);
          print(`run ${submitted.runId} retries run ${runId}, reusing ${reused.length ? reused.join(', ') : 'nothing'}`);
        }
        await followRun(stack.metadata, submitted, { json: opts.json ?? false });
      });
    });
}
