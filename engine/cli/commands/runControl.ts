/**
 * `sluice runs cancel|approve|reject|retry`. With a server reachable (target.ts) they act through
 * its API. Otherwise, when another process runs the embedded stack (a `sluice run` in another
 * terminal), cancel/approve/reject talk to its Temporal server, found in the state directory's lock
 * file; with no stack running they start one here — its workers resume the run — act, and follow
 * the run to its end.
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
import { followRun, followServedRun, withCliStack } from '../follow';
import { onTarget } from '../target';

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
  if (owner) throw new CliError(`the state directory is in use by process ${owner.pid} (${owner.purpose}); try again when it ends`, { code: 'refused' });
  await withCliStack({ log: (s) => (opts.json ? undefined : print(s)) }, async (stack) => {
    const found = await stack.metadata.getRun(runId);
    if (!found) throw new CliError(`no run with id "${runId}" (list them with: sluice runs list)`, { code: 'not-found' });
    // A row left open by a workflow that already closed gets its real outcome first.
    const { run } = await reconcileRun(stack, found);
    if (run.status !== 'running' && run.status !== 'pending') throw new CliError(`run ${runId} already ${run.status}`, { code: 'refused' });
    const message = await act(stack.client, stack.metadata);
    if (!opts.json) print(message);
    if (opts.detach) return;
    await followRun(stack.metadata, { runId, handle: stack.client.workflow.getHandle(workflowIdFor(runId)) }, { json: opts.json ?? false });
  });
}

async function decide(runId: string, task: string | undefined, decision: Omit<ApprovalDecision, 'task'>, opts: FollowOptions): Promise<void> {
  await onTarget({
    api: async (api) => {
      // The API names the decider after the token (or "local" with auth off).
      const request = { params: { runId }, body: { ...(task !== undefined ? { task } : {}), ...(decision.comment ? { comment: decision.comment } : {}) } };
      const { task: gate } = decision.approved ? await api.client.approveGate(request) : await api.client.rejectGate(request);
      print(`${decision.approved ? 'approved' : 'rejected'} gate "${gate}" of run ${runId} (via ${api.url})`);
    },
    local: () =>
      onRun(runId, opts, async (client) => {
        try {
          const gate = await client.workflow
            .getHandle(workflowIdFor(runId))
            .executeUpdate(approveUpdate, { args: [{ ...decision, ...(task !== undefined ? { task } : {}) }] });
          return `${decision.approved ? 'approved' : 'rejected'} gate "${gate}" of run ${runId}`;
        } catch (e) {
          if (e instanceof WorkflowUpdateFailedError) throw new CliError(`run ${runId}: ${e.cause?.message ?? e.message}`, { code: 'refused' });
          if (e instanceof Error && e.name === 'WorkflowNotFoundError') throw new CliError(`run ${runId} is not running (sluice runs show ${runId})`, { code: 'refused' });
          throw e;
        }
      }),
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
      await onTarget({
        api: async (api) => {
          await api.client.cancelRun({ params: { runId } });
          print(`cancellation of run ${runId} requested (via ${api.url})`);
        },
        local: () =>
          onRun(runId, opts, async (client) => {
            const handle = client.workflow.getHandle(workflowIdFor(runId));
            try {
              // Temporal accepts a cancel of a closed workflow and does nothing: say so instead.
              const { status } = await handle.describe();
              if (status.name !== 'RUNNING') throw new CliError(`run ${runId} already ended: its workflow is ${status.name} (sluice runs show ${runId})`, { code: 'refused' });
              await handle.cancel();
            } catch (e) {
              if (e instanceof Error && e.name === 'WorkflowNotFoundError') throw new CliError(`run ${runId} is not running (sluice runs show ${runId})`, { code: 'refused' });
              throw e;
            }
            return `cancellation of run ${runId} requested`;
          }),
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
      await onTarget({
        api: async (api) => {
          const { run, reused } = await api.client.retryRun({ params: { runId }, body: opts.cache ? {} : { cache: false } });
          if (!opts.json) print(`run ${run.id} retries run ${runId}, reusing ${reused.length ? reused.join(', ') : 'nothing'} (via ${api.url})`);
          await followServedRun(api, run.id, { json: opts.json ?? false });
        },
        local: () => retryHere(runId, opts),
      });
    });
}

/** A retry on an embedded stack started by this command. */
async function retryHere(runId: string, opts: { cache: boolean; json?: boolean }): Promise<void> {
  const owner = await readStateOwner(stateDir());
  if (owner) throw new CliError(`the state directory is in use by process ${owner.pid} (${owner.purpose}); run the retry when it ends`, { code: 'refused' });
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
      throw new CliError(`${e.message} (${advice[e.code]})`, { code: e.code === 'not-found' ? 'not-found' : 'refused' });
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
}
