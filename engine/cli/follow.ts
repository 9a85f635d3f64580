/**
 * What `sluice run` and the run-control commands share: an embedded stack owned by this CLI
 * process (stopped on Ctrl-C, the run resuming next time), and following a run to its end with a
 * line per task transition (progress.ts), the failing task's log tail, and a summary.
 *
 * A run is followed from one of two sources: the workflow of this process's stack (its status
 * query, polled), or a server's event stream (`GET /api/runs/:id/events`), reconnected when it
 * drops. Both feed the same snapshots into `RunProgress`; at the end the execution records fill in
 * whatever the source did not show.
 */
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { MetadataStore } from '../stores/metadata/index';
import { stateDir } from '../paths';
import type { EmbeddedStack } from '../stack/index';
import type { waitForRun as WaitForRun } from '../runs/index';
import type { RunStatusView } from '../temporal/workflows/types';
import { runSchema, type Execution, type Run, type TaskStatus } from '../contract/index';
import type { ServedApi } from './api';
import { apiReader, storeReader, toWire, type RunReader } from './reader';
import { CliError, EXIT_FAILED } from './CliError';
import { RunProgress } from './progress';
import { formatValue } from './format';
import type { ComponentRegistry } from '../temporal/activities/index';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** Runs `fn` with an embedded stack of this process; Ctrl-C stops the stack (runs resume later). */
export async function withCliStack<T>(
  options: { registry?: ComponentRegistry; log: (s: string) => void },
  fn: (stack: EmbeddedStack) => Promise<T>,
): Promise<T> {
  options.log(`starting the embedded stack (state in ${path.relative(process.cwd(), stateDir()) || '.'})…`);
  // Loaded here, not with this module: `sluice run` against a served stack never needs them (bench/cliStartup.ts).
  const [{ EmbeddedStack }, { ComponentRegistry }, { detectGpus }, { createLogger }] = await Promise.all([
    import('../stack/index'),
    import('../temporal/activities/index'),
    import('../../workers/runtime/index'),
    import('../logging'),
  ]);
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

/** What a source reports about a run, in the order it learns it. */
export type RunObservation =
  | { kind: 'task'; task: string; status: TaskStatus }
  | { kind: 'execution'; execution: Execution }
  | { kind: 'run'; run: Run };

/** Where a followed run's state comes from: this process's stack, or a server's API. */
export interface RunSource {
  runId: string;
  /** Log tails, final executions and artifacts. */
  reader: RunReader;
  /** What happens to the run; ends once the run has ended (the last observation is its final record). */
  observe(): AsyncIterable<RunObservation>;
}

const FINAL_RUN_STATUSES: ReadonlySet<Run['status']> = new Set(['succeeded', 'failed', 'cancelled']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Follows a run on this process's stack (the workflow handle) to its end. */
export async function followRun(
  metadata: MetadataStore,
  run: { runId: string; handle: WorkflowHandle },
  options: FollowOptions,
): Promise<Run> {
  const [{ annotateWaitingTasks }, { queryRunStatus, waitForRun }] = await Promise.all([import('../temporal/worker/index'), import('../runs/index')]);
  // Tasks no worker can take (a GPU task, no GPU worker) show as waiting, with the reason.
  const status = async (): Promise<RunStatusView | undefined> =>
    annotateWaitingTasks(await queryRunStatus(run.handle), { client: run.handle.client, executions: () => metadata.listExecutions(run.runId) });
  return followRunFrom({ runId: run.runId, reader: storeReader(metadata), observe: () => pollWorkflow(metadata, run, status, waitForRun) }, options);
}

/** The workflow's status query every 250 ms until the run has ended, then its final state once more. */
async function* pollWorkflow(
  metadata: MetadataStore,
  run: { runId: string; handle: WorkflowHandle },
  status: () => Promise<RunStatusView | undefined>,
  waitForRun: typeof WaitForRun,
): AsyncGenerator<RunObservation> {
  let outcome: { record: Run } | { error: unknown } | undefined;
  const finished = waitForRun(metadata, run).then(
    (record) => void (outcome = { record: toWire(runSchema, record) }),
    (error: unknown) => void (outcome = { error }),
  );
  for (;;) {
    const ended = outcome;
    if (ended && 'error' in ended) throw ended.error;
    // A query that fails now (a busy or restarting worker) is asked again next time; the records fill in at the end.
    const view = await status().catch(() => undefined);
    for (const [task, s] of Object.entries(view?.tasks ?? {})) yield { kind: 'task', task, status: s };
    if (ended) {
      yield { kind: 'run', run: ended.record };
      return;
    }
    await Promise.race([finished, sleep(250)]);
  }
}

/** How long a dropped event stream may take to come back before the follower gives up. */
const RECONNECT_PATIENCE_MS = 10_000;

export interface FollowOptions {
  /** Print the final run record as JSON instead of progress lines. */
  json?: boolean;
  /** The run's page in the editor, when a server shows it: the summary points there. */
  runUrl?: string;
  /** Print the `inspect: … trace: …` hint (default true; `sluice dev` prints its own next steps). */
  hints?: boolean;
}

/**
 * Follows a run on a server: its event stream, reconnected (with Last-Event-ID) when it drops, for
 * up to 10 s. When the server stops answering, a `server-lost` CliError says so and what to do.
 */
export async function followServedRun(api: ServedApi, runId: string, options: FollowOptions & { reconnectPatienceMs?: number }): Promise<Run> {
  try {
    return await followRunFrom(
      { runId, reader: apiReader(api), observe: () => streamRun(api, runId, options.reconnectPatienceMs ?? RECONNECT_PATIENCE_MS) },
      { runUrl: runPageUrl(api.url, runId), ...options },
    );
  } catch (e) {
    if (e instanceof CliError && e.code === 'server-unreachable') {
      throw new CliError(`the server at ${api.url} stopped answering while this command followed run ${runId}${e.details.reason ? ` (${e.details.reason})` : ''}`, {
        code: 'server-lost',
        details: { url: api.url, via: api.via, runId },
        cause: e,
      });
    }
    throw e;
  }
}

async function* streamRun(api: ServedApi, runId: string, patienceMs: number): AsyncGenerator<RunObservation> {
  let lastEventId: string | undefined;
  let lostSince: number | undefined;
  let delay = 250;
  for (;;) {
    let lost: CliError;
    try {
      const events = await api.runEvents(runId, lastEventId);
      if (!events) {
        // 204: the run ended while the stream was down.
        const run = await apiReader(api).getRun(runId);
        if (run) yield { kind: 'run', run };
        return;
      }
      for await (const e of events) {
        lostSince = undefined;
        delay = 250;
        lastEventId = e.lastEventId;
        if (e.event === 'task') {
          const { task, ...status } = e.data;
          yield { kind: 'task', task, status };
        } else if (e.event === 'execution') {
          yield { kind: 'execution', execution: e.data.execution };
        } else if (e.event === 'run') {
          yield { kind: 'run', run: e.data.run };
        } else if (e.event === 'end') {
          yield { kind: 'run', run: e.data.run };
          return;
        }
        // `log` lines are for live log views; `warning`: the server retries its own reads.
      }
      lost = new CliError(`the server at ${api.url} closed the event stream of run ${runId} before the run ended`, {
        code: 'server-unreachable',
        details: { url: api.url, via: api.via, reason: 'the event stream closed before the run ended' },
      });
    } catch (e) {
      // A dropped connection or a server error is worth a reconnection; anything else is not.
      if (!(e instanceof CliError && (e.code === 'server-unreachable' || e.code === 'server-error'))) throw e;
      lost = e;
    }
    lostSince ??= Date.now();
    if (Date.now() - lostSince > patienceMs) throw lost;
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
}

/** The artifact worth tracing in a run's summary: a model among its outputs, else any output, any model, the last. */
export function artifactToTrace<A extends { id: string; type: string }>(record: Run, artifacts: readonly A[]): A | undefined {
  const outputIds = new Set(Object.values(record.outputs ?? {}));
  return (
    artifacts.find((a) => a.type === 'Model' && outputIds.has(a.id)) ??
    artifacts.find((a) => outputIds.has(a.id)) ??
    artifacts.find((a) => a.type === 'Model') ??
    artifacts[artifacts.length - 1]
  );
}

/** The editor's page of a run on the server at `serverUrl`. */
export function runPageUrl(serverUrl: string, runId: string): string {
  return `${serverUrl}/#/runs/${encodeURIComponent(runId)}`;
}

/**
 * Follows a run to its end, printing progress and a summary; sets the exit code. The summary names
 * the artifacts by count (the run page or `sluice runs show` lists them): a line per artifact
 * pushed the URLs off the screen.
 */
export async function followRunFrom(source: RunSource, options: FollowOptions): Promise<Run> {
  const { reader, runId } = source;
  const log = (s: string): void => {
    if (!options.json) print(s);
  };
  const progress = new RunProgress(runId);
  const show = async (lines: ReturnType<RunProgress['task']>): Promise<void> => {
    for (const line of lines) {
      log(line.text);
      if (line.state === 'failed' && !options.json) await printLogTail(reader, runId, line.task, log);
    }
  };
  let record: Run | undefined;
  for await (const o of source.observe()) {
    if (o.kind === 'task') await show(progress.task(o.task, o.status));
    else if (o.kind === 'execution') await show(progress.executions([o.execution], false));
    else if (FINAL_RUN_STATUSES.has(o.run.status)) record = o.run;
  }
  if (!record) throw new CliError(`run ${runId} has no final state yet (sluice runs show ${runId})`, { code: 'server-error' });
  const { executions, artifacts } = (await reader.runDetail(record.id)) ?? { executions: [], artifacts: [] };
  // Whatever the source did not show (the last transitions, a stream that reconnected after the end).
  await show(progress.executions(executions, true));
  if (options.json) {
    print(JSON.stringify({ run: record, executions, artifacts }, null, 2));
  } else {
    if (artifacts.length) {
      const where = options.runUrl ? `in the run view: ${options.runUrl}` : `listed by: npx sluice runs show ${record.id}`;
      print(`artifacts: ${artifacts.length} · ${where}`);
    }
    const took = record.finishedAt && record.startedAt ? ` in ${((Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000).toFixed(1)} s` : '';
    const results = executions
      .filter((e) => !e.taskId.includes('['))
      .flatMap((e) => Object.entries(e.outputParams ?? {}).map(([k, v]) => `${e.taskId}.${k}=${formatValue(v)}`));
    if (results.length) print(`results: ${results.join('  ')}`);
    const cached = executions.filter((e) => e.status === 'cached').length;
    if (cached) print(`reused: ${cached} task${cached === 1 ? '' : 's'} from the cache or the retried run`);
    const model = artifactToTrace(record, artifacts);
    if (options.hints !== false) print(`inspect: npx sluice runs show ${record.id}${model ? `   trace: npx sluice lineage ${model.id}` : ''}`);
    if (record.status === 'succeeded') print(`run ${record.id} succeeded${took}`);
    else print(`run ${record.id} ${record.status}${record.error ? `: ${record.error}` : ''}${record.status === 'failed' ? `\nretry from the failed step: npx sluice runs retry ${record.id}` : ''}`);
  }
  process.exitCode = record.status === 'succeeded' ? 0 : EXIT_FAILED;
  return record;
}

async function printLogTail(reader: RunReader, runId: string, task: string, log: (s: string) => void): Promise<void> {
  // A task without an execution of its own (a loop, whose items have them) has no lines: the API says not-found.
  const lines = await reader.listTaskLogs({ runId, taskId: task }).catch((e: unknown) => {
    if (e instanceof CliError && e.code === 'not-found') return [];
    throw e;
  });
  if (lines.length === 0) return;
  const tail = lines.slice(-15);
  log(`    last ${tail.length} log line${tail.length === 1 ? '' : 's'} of "${task}" (all: npx sluice logs ${runId} ${task}):`);
  for (const l of tail) log(`    │ ${l.stream === 'stderr' ? '[stderr] ' : ''}${l.message}`);
}
