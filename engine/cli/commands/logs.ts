/** `sluice logs <run-id> [task]`: a run's task log lines, optionally following them until the run ends. */
import type { Command } from 'commander';
import { logLineSchema, type LogLine } from '../../contract/index';
import type { MetadataStore, RunRecord, TaskLogRecord } from '../../stores/metadata/index';
import { StateDirBusyError } from '../../stack/index';
import { CliError } from '../CliError';
import type { ServedApi } from '../api';
import { withMetadata } from '../metadataAccess';
import { apiReader, toWire } from '../reader';
import { onTarget } from '../target';

const FOLLOW_POLL_MS = 500;
const FINAL_RUN_STATUSES: RunRecord['status'][] = ['succeeded', 'failed', 'cancelled'];

interface LogsOptions {
  attempt?: string;
  json?: boolean;
  follow?: boolean;
}

export function registerLogsCommand(program: Command): void {
  program
    .command('logs')
    .description("print a run's task logs: component log lines, command output and engine notes")
    .argument('<run-id>')
    .argument('[task]', 'only this task (its path in the run, e.g. train or sweep[2]/train)')
    .option('--attempt <n>', 'only the lines of this attempt')
    .option('--json', 'print each line as a JSON object, one per line')
    .option('-f, --follow', 'keep printing new lines every 500 ms until the run has finished')
    .action(async (runId: string, task: string | undefined, opts: LogsOptions) => {
      const attempt = opts.attempt === undefined ? undefined : Number(opts.attempt);
      if (attempt !== undefined && (!Number.isInteger(attempt) || attempt < 1)) {
        throw new CliError(`--attempt must be a positive integer, got "${opts.attempt}"`);
      }
      const print = (line: LogLine): void => {
        process.stdout.write(`${opts.json ? JSON.stringify(line) : formatLogLine(line)}\n`);
      };
      await onTarget({
        api: (api) => viaApi(api, runId, task, attempt, opts.follow === true, print),
        local: () => fromStore(runId, task, attempt, opts, print),
      });
    });
}

/** Logs from the metadata store this process opens (PGlite in the state directory, or DATABASE_URL). */
async function fromStore(runId: string, task: string | undefined, attempt: number | undefined, opts: LogsOptions, printLine: (line: LogLine) => void): Promise<void> {
  const print = (line: TaskLogRecord): void => printLine(toWire(logLineSchema, line));
  try {
    await withMetadata(async (m, access) => {
      const run = await m.getRun(runId);
      if (!run) throw new CliError(await unknownRunMessage(m, runId));
      const filter = { runId, ...(task !== undefined ? { taskId: task } : {}), ...(attempt !== undefined ? { attempt } : {}) };

      const following = opts.follow && !FINAL_RUN_STATUSES.includes(run.status);
      if (!following) {
        await checkTask(m, run, task);
        const lines = await m.listTaskLogs(filter);
        lines.forEach(print);
        if (lines.length === 0 && !opts.json) process.stderr.write(`no log lines${task ? ` for task "${task}"` : ''}${attempt ? ` in attempt ${attempt}` : ''}\n`);
        return;
      }
      if (access.embedded) {
        // Holding the embedded database means no other process is running this run now.
        await checkTask(m, run, task);
        (await m.listTaskLogs(filter)).forEach(print);
        process.stderr.write(
          `run ${runId} is ${run.status}, but no process is running it (this command holds the embedded database); ` +
            'it goes on when its stack starts again. To follow a run while it runs, use PostgreSQL (DATABASE_URL).\n',
        );
        return;
      }
      await follow(m, runId, task, attempt, print);
    });
  } catch (e) {
    if (e instanceof StateDirBusyError) {
      throw new CliError(
        `${e.message}\nThe embedded database serves one process at a time: read the logs when the run has ended, ` +
          'or use PostgreSQL (DATABASE_URL) to follow runs while they run.',
      );
    }
    throw e;
  }
}

/** Logs through the API; following polls every 500 ms until the run has finished. */
async function viaApi(api: ServedApi, runId: string, task: string | undefined, attempt: number | undefined, follow: boolean, print: (line: LogLine) => void): Promise<void> {
  const reader = apiReader(api);
  const seen = new Set<string>();
  for (;;) {
    const run = await reader.getRun(runId);
    if (!run) throw new CliError(`no run with id "${runId}" (list them with: sluice runs list)`, { code: 'not-found' });
    const lines = await reader.listTaskLogs({ runId, ...(task !== undefined ? { taskId: task } : {}), ...(attempt !== undefined ? { attempt } : {}), limit: 5000 });
    for (const l of lines) {
      const key = `${l.taskId}/${l.attempt}/${l.seq}`;
      if (seen.has(key)) continue;
      seen.add(key);
      print(l);
    }
    if (!follow || FINAL_RUN_STATUSES.includes(run.status)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** `[task attempt N] stream  message  {fields}` */
export function formatLogLine(line: LogLine): string {
  const fields = line.fields && Object.keys(line.fields).length > 0 ? `  ${JSON.stringify(line.fields)}` : '';
  const level = line.level === 'warn' || line.level === 'error' ? `${line.level.toUpperCase()} ` : '';
  return `[${line.taskId} attempt ${line.attempt}] ${line.stream.padEnd(6)}  ${level}${line.message}${fields}`;
}

/**
 * Polls until the run has finished: each round reads every execution's lines after the last seq
 * seen, and the round that first sees the run finished is the last, so no final line is missed.
 */
async function follow(
  m: MetadataStore,
  runId: string,
  task: string | undefined,
  attempt: number | undefined,
  print: (line: TaskLogRecord) => void,
): Promise<void> {
  const seen = new Map<string, number>();
  for (;;) {
    const run = await m.getRun(runId);
    const finished = !run || FINAL_RUN_STATUSES.includes(run.status);
    const executions = (await m.listExecutions(runId)).filter((e) => task === undefined || e.taskId === task);
    const fresh: TaskLogRecord[] = [];
    for (const e of executions) {
      const lines = await m.listTaskLogs({
        runId,
        executionId: e.id,
        ...(attempt !== undefined ? { attempt } : {}),
        afterSeq: seen.get(e.id) ?? 0,
      });
      const last = lines[lines.length - 1];
      if (last) seen.set(e.id, last.seq);
      fresh.push(...lines);
    }
    fresh.sort((a, b) => a.ts.getTime() - b.ts.getTime()).forEach(print);
    if (finished) {
      if (run) await checkTask(m, run, task);
      return;
    }
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
  }
}

async function checkTask(m: MetadataStore, run: RunRecord, task: string | undefined): Promise<void> {
  if (task === undefined) return;
  const tasks = [...new Set((await m.listExecutions(run.id)).map((e) => e.taskId))];
  if (tasks.includes(task)) return;
  throw new CliError(
    `run ${run.id} has no task "${task}"` +
      (tasks.length ? `; its tasks: ${tasks.join(', ')}` : `; none of its tasks has started (the run is ${run.status})`),
  );
}

async function unknownRunMessage(m: MetadataStore, runId: string): Promise<string> {
  const recent = await m.listRuns({ limit: 5 });
  if (recent.length === 0) return `no run with id "${runId}": there are no runs yet (start one with: sluice run <pipeline.ts>)`;
  return `no run with id "${runId}"; the newest runs are: ${recent.map((r) => `${r.id} (${r.pipelineName}, ${r.status})`).join(', ')} (list them with: sluice runs list)`;
}
