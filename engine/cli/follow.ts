/**
 * What `sluice run` and the run-control commands share: an embedded stack owned by this CLI
 * process (stopped on Ctrl-C, the run resuming next time), and following a run to its end with a
 * line per task state change, the failing task's log tail, and a summary.
 */
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { queryRunStatus, waitForRun } from '../runs/index';
import { createLogger } from '../logging';
import type { MetadataStore, RunRecord } from '../stores/metadata/index';
import { stateDir } from '../paths';
import { EmbeddedStack } from '../stack/index';
import type { RunStatusView, TaskStatus } from '../temporal/workflows/types';
import type { ReadStore } from './apiReader';
import { formatValue } from './format';
import { detectGpus } from '../../workers/runtime/index';
import { ComponentRegistry } from '../temporal/activities/index';
import { annotateWaitingTasks } from '../temporal/worker/index';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** Runs `fn` with an embedded stack of this process; Ctrl-C stops the stack (runs resume later). */
export async function withCliStack<T>(
  options: { registry?: ComponentRegistry; log: (s: string) => void },
  fn: (stack: EmbeddedStack) => Promise<T>,
): Promise<T> {
  options.log(`starting the embedded stack (state in ${path.relative(process.cwd(), stateDir()) || '.'})…`);
  // Task failures are shown by the progress lines; the worker's own logs stay quiet unless asked.
  const logger = createLogger({ stderr: true, level: process.env.SLUICE_LOG_LEVEL ?? 'error' });
  // GPU tasks need a gpu worker: this process runs one when the machine has GPUs (or SLUICE_GPUS says so).
  const gpus = (await detectGpus()).devices;
  const stack = await EmbeddedStack.start({
    registry: options.registry ?? new ComponentRegistry(),
    logger,
    ...(gpus.length > 0 ? { resourceClasses: ['cpu', 'gpu'], gpus } : {}),
  });
  let stopped: Promise<void> | undefined;
  const onSignal = (): void => {
    if (stopped) return;
    process.stderr.write('\ninterrupted: stopping the stack; the run resumes when a worker for it starts again\n');
    // Calls still in flight (the run's long poll) fail once their connection closes: expected now.
    process.on('uncaughtException', (e) => {
      process.stderr.write(`(while stopping: ${e.message})\n`);
      process.exit(130);
    });
    // A worker that does not stop in time must not keep the terminal.
    setTimeout(() => process.exit(130), 15_000).unref();
    stopped = stack.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn(stack);
  } catch (e) {
    // Whatever the stopping stack broke under the command (a closed connection) is not the news.
    if (!stopped) throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (stopped) {
      await stopped.catch(() => undefined);
      process.exit(130);
    }
    await stack.stop();
  }
  throw new Error('unreachable: an interrupted command exits in finally');
}

const TASK_MARKS: Record<TaskStatus['state'], string> = {
  pending: ' ',
  running: '▶',
  waiting: '…',
  succeeded: '✓',
  cached: '↺',
  skipped: '–',
  failed: '✗',
  cancelled: '■',
};

/** Where a followed run's live status, end and records come from: this process's stack, or an API. */
export interface RunSource {
  reader: ReadStore;
  status(): Promise<RunStatusView | undefined>;
  /** Resolves with the run record once the run has ended. */
  finished(): Promise<RunRecord>;
}

/** Follows a run on this process's stack (the workflow handle) to its end. */
export function followRun(
  metadata: MetadataStore,
  run: { runId: string; handle: WorkflowHandle },
  options: { json?: boolean },
): Promise<RunRecord> {
  // Tasks no worker can take (a GPU task, no GPU worker) show as waiting, with the reason.
  const status = async (): Promise<RunStatusView | undefined> =>
    annotateWaitingTasks(await queryRunStatus(run.handle), { client: run.handle.client, executions: () => metadata.listExecutions(run.runId) });
  return followRunFrom({ reader: metadata, status, finished: () => waitForRun(metadata, run) }, options);
}

/** Follows a run to its end, printing progress and a summary; sets the exit code. */
export async function followRunFrom(source: RunSource, options: { json?: boolean }): Promise<RunRecord> {
  const metadata = source.reader;
  const log = (s: string): void => {
    if (!options.json) print(s);
  };
  const watcher = watchProgress(metadata, () => source.status(), log);
  const record = await source.finished();
  await watcher.stop();
  const executions = await metadata.listExecutions(record.id);
  const artifacts = await metadata.listRunArtifacts(record.id);
  if (options.json) {
    print(JSON.stringify({ run: record, executions, artifacts }, null, 2));
  } else {
    if (artifacts.length) {
      print('artifacts:');
      for (const a of artifacts.slice(0, 50)) print(`  ${a.taskId}.${a.port}  ${a.type}  id ${a.id}  ${a.uri.replace(/^file:\/\//, '')}`);
      if (artifacts.length > 50) print(`  … and ${artifacts.length - 50} more (sluice runs show ${record.id})`);
    }
    const took = record.finishedAt && record.startedAt ? ` in ${((record.finishedAt.getTime() - record.startedAt.getTime()) / 1000).toFixed(1)} s` : '';
    const results = executions
      .filter((e) => !e.taskId.includes('['))
      .flatMap((e) => Object.entries(e.outputParams ?? {}).map(([k, v]) => `${e.taskId}.${k}=${formatValue(v)}`));
    if (results.length) print(`results: ${results.join('  ')}`);
    const cached = executions.filter((e) => e.status === 'cached').length;
    if (cached) print(`reused: ${cached} task${cached === 1 ? '' : 's'} from the cache or the retried run`);
    const outputIds = new Set(Object.values(record.outputs ?? {}));
    const model =
      artifacts.find((a) => a.type === 'Model' && outputIds.has(a.id)) ??
      artifacts.find((a) => outputIds.has(a.id)) ??
      artifacts.find((a) => a.type === 'Model') ??
      artifacts[artifacts.length - 1];
    print(`inspect: npx sluice runs show ${record.id}${model ? `   trace: npx sluice lineage ${model.id}` : ''}`);
    if (record.status === 'succeeded') print(`run ${record.id} succeeded${took}`);
    else print(`run ${record.id} ${record.status}${record.error ? `: ${record.error}` : ''}${record.status === 'failed' ? `\nretry from the failed step: npx sluice runs retry ${record.id}` : ''}`);
  }
  process.exitCode = record.status === 'succeeded' ? 0 : 1;
  return record;
}

/** A line whenever a task changes state (from the workflow's status query); a failed task's log tail. */
function watchProgress(metadata: ReadStore, status: () => Promise<RunStatusView | undefined>, log: (s: string) => void): { stop(): Promise<void> } {
  const seen = new Map<string, string>();
  let active = true;
  const report = async (status: RunStatusView | undefined): Promise<void> => {
    if (!status) return;
    for (const [task, ts] of Object.entries(status.tasks)) {
      const items = ts.items ? ` ${ts.items.done}/${ts.items.total} items` : '';
      const key = `${ts.state}${items}`;
      if (seen.get(task) === key || ts.state === 'pending') continue;
      seen.set(task, key);
      const took = ts.startedAt && ts.finishedAt ? ` (${((ts.finishedAt - ts.startedAt) / 1000).toFixed(1)} s)` : '';
      const why =
        ts.state === 'waiting'
          ? ` for approval${ts.approval?.message ? ` ("${ts.approval.message}")` : ''}: npx sluice runs approve ${status.runId} ${task}`
          : ts.error
            ? `: ${ts.error}`
            : '';
      log(ts.waitingFor ? `  ${TASK_MARKS[ts.state]} ${task} ${ts.waitingFor.reason}` : `  ${TASK_MARKS[ts.state]} ${task} ${ts.state}${items}${took}${why}`);
      if (ts.state === 'failed') await printLogTail(metadata, status.runId, task, log);
    }
  };
  const loop = (async () => {
    while (active) {
      await report(await status());
      await new Promise((r) => setTimeout(r, 250));
    }
    await report(await status());
  })();
  return {
    async stop() {
      active = false;
      await loop;
    },
  };
}

async function printLogTail(metadata: ReadStore, runId: string, task: string, log: (s: string) => void): Promise<void> {
  const lines = await metadata.listTaskLogs({ runId, taskId: task }).catch(() => []);
  if (lines.length === 0) return;
  const tail = lines.slice(-15);
  log(`    last ${tail.length} log line${tail.length === 1 ? '' : 's'} of "${task}" (all: npx sluice logs ${runId} ${task}):`);
  for (const l of tail) log(`    │ ${l.stream === 'stderr' ? '[stderr] ' : ''}${l.message}`);
}
