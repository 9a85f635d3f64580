/**
 * `sluice schedules create|list|show|pause|resume|trigger|backfill|delete`. Schedules live in the
 * Temporal server. With a server reachable (target.ts) every subcommand goes through its API;
 * otherwise, with a stack running in another process (a `sluice run`), all but `create` go to its
 * Temporal server, and with none the embedded stack starts for the command (the schedule fires
 * whenever a stack runs).
 */
import { Client, Connection } from '@temporalio/client';
import { Option, type Command } from 'commander';
import { DEFAULT_TASK_QUEUE_PREFIX } from '../../runs/index';
import { stateDir } from '../../paths';
import {
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  describeSchedule,
  listSchedules,
  OVERLAP_POLICIES,
  pauseSchedule,
  resumeSchedule,
  ScheduleError,
  triggerSchedule,
  type OverlapPolicy,
  type ScheduleDeps,
} from '../../automation/index';
import type { ApiRoutes, RequestOf, Schedule } from '../../contract/index';
import { readStateOwner } from '../../stack/index';
import { CliError } from '../CliError';
import type { ServedApi } from '../api';
import { collect, nameValuePairs } from '../flags';
import { withCliStack } from '../follow';
import { loadPipeline } from '../loadPipeline';
import { onTarget } from '../target';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** Runs `fn` with schedule deps; `metadata` is there only when `needsMetadata` (creating schedules). */
async function withSchedules<T>(needsMetadata: boolean, fn: (deps: ScheduleDeps) => Promise<T>): Promise<T> {
  const owner = await readStateOwner(stateDir());
  try {
    if (owner?.temporalAddress && !needsMetadata) {
      const connection = await Connection.connect({ address: owner.temporalAddress });
      try {
        return await fn({ client: new Client({ connection }), taskQueuePrefix: owner.taskQueuePrefix ?? DEFAULT_TASK_QUEUE_PREFIX });
      } finally {
        await connection.close();
      }
    }
    if (owner) throw new CliError(`the state directory is in use by process ${owner.pid} (${owner.purpose}); create the schedule when it ends`, { code: 'refused' });
    return await withCliStack({ log: () => undefined }, (stack) => fn({ client: stack.client, metadata: stack.metadata, taskQueuePrefix: stack.taskQueuePrefix }));
  } catch (e) {
    if (e instanceof ScheduleError) throw new CliError(e.message, { code: 'refused' });
    throw e;
  }
}

function requireMetadata(deps: ScheduleDeps): ScheduleDeps & { metadata: NonNullable<ScheduleDeps['metadata']> } {
  if (!deps.metadata) throw new CliError('creating a schedule needs the metadata store; stop the running stack first');
  return { ...deps, metadata: deps.metadata };
}

function format(s: Schedule): string {
  const when = [...s.cron.map((c) => `cron "${c}"`), ...s.every.map((e) => `every ${e}`)].join(', ');
  const lines = [
    `${s.id}  pipeline ${s.pipeline}  ${when}${s.timezone ? ` (${s.timezone})` : ''}  overlap ${s.overlap}  ${s.paused ? 'PAUSED' : 'active'}${s.note ? ` — ${s.note}` : ''}`,
  ];
  if (s.nextRuns.length) lines.push(`  next: ${s.nextRuns.slice(0, 3).join(', ')}`);
  for (const r of s.recentRuns.slice(-5)) lines.push(`  ran: ${r.nominalTime}  ${r.workflowId}`);
  return lines.join('\n');
}

/** Runs the subcommand on the server when one is reachable, else with local schedule deps. */
function onSchedules<T>(needsMetadata: boolean, api: (api: ServedApi) => Promise<T>, local: (deps: ScheduleDeps) => Promise<T>): Promise<T> {
  return onTarget({ api, local: () => withSchedules(needsMetadata, local) });
}

function date(text: string | undefined, flag: string): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new CliError(`${flag} "${text}" is not a date; use ISO 8601, e.g. 2026-03-01T00:00:00Z`);
  return d;
}

export function registerScheduleCommands(program: Command): void {
  const schedules = program.command('schedules').description('run pipelines on cron expressions or intervals (Temporal Schedules)');

  schedules
    .command('create')
    .description('create a schedule for a pipeline (the current version of the file)')
    .argument('<file>', 'pipeline module (.ts/.js) or IR (.json)')
    .option('--id <id>', 'schedule id (default: <pipeline>-<time>)')
    .option('--pipeline <name>', 'which pipeline, when the module exports several')
    .option('--cron <expr>', 'cron expression, e.g. "0 3 * * *" (repeatable)', collect, [])
    .option('--every <duration>', 'interval, e.g. 15m, 1h, 1d (repeatable)', collect, [])
    .option('--tz <zone>', 'time zone of the cron expressions, e.g. Europe/Paris')
    .option('--start <date>', 'first possible run (ISO 8601)')
    .option('--end <date>', 'last possible run (ISO 8601)')
    .option('--jitter <duration>', 'random delay up to this much')
    .addOption(new Option('--overlap <policy>', 'when a run is still going at the next time').choices(OVERLAP_POLICIES).default('skip'))
    .option('--catchup <duration>', 'after an outage, run what was missed within this window')
    .option('--pause-on-failure', 'pause the schedule when a run fails')
    .option('--paused', 'create it paused')
    .option('-m, --note <text>', 'a note, shown with the schedule')
    .option('-p, --param <name=value>', 'pipeline parameter (repeatable)', collect, [])
    .action(
      async (
        file: string,
        o: { id?: string; pipeline?: string; cron: string[]; every: string[]; tz?: string; start?: string; end?: string; jitter?: string; overlap: OverlapPolicy; catchup?: string; pauseOnFailure?: boolean; paused?: boolean; note?: string; param: string[] },
      ) => {
        const loaded = await loadPipeline(file, o);
        const { resolveRunParams } = await import('../../runs/index');
        const params = resolveRunParams(loaded.spec, nameValuePairs(o.param), { fromText: true });
        const startAt = date(o.start, '--start');
        const endAt = date(o.end, '--end');
        const input: RequestOf<ApiRoutes['createSchedule']>['body'] = {
          ...(o.id ? { id: o.id } : {}),
          spec: loaded.spec,
          params,
          cron: o.cron,
          every: o.every,
          ...(o.tz ? { timezone: o.tz } : {}),
          ...(startAt ? { startAt: startAt.toISOString() } : {}),
          ...(endAt ? { endAt: endAt.toISOString() } : {}),
          ...(o.jitter ? { jitter: o.jitter } : {}),
          overlap: o.overlap,
          ...(o.catchup ? { catchupWindow: o.catchup } : {}),
          pauseOnFailure: o.pauseOnFailure ?? false,
          paused: o.paused ?? false,
          ...(o.note ? { note: o.note } : {}),
        };
        const created = await onSchedules(
          true,
          async (api) => (await api.client.createSchedule({ body: input })).schedule,
          (deps) => createSchedule(requireMetadata(deps), input),
        );
        print(format(created));
        print('(schedules fire while a Sluice stack runs: sluice run, sluice dev or a standalone worker)');
      },
    );

  schedules
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await onSchedules(false, async (api) => (await api.client.listSchedules()).schedules, listSchedules);
      print(o.json ? JSON.stringify(list, null, 2) : list.length ? list.map(format).join('\n') : 'no schedules (create one with: sluice schedules create <pipeline.ts> --cron "0 3 * * *")');
    });
  schedules
    .command('show')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const s = await onSchedules(false, async (api) => {
          const found = await api.found((c) => c.getSchedule({ params: { schedule: id } }));
          if (!found) throw new CliError(`no schedule "${id}" (sluice schedules list shows them)`, { code: 'not-found' });
          return found.schedule;
        }, (deps) => describeSchedule(deps, id));
      print(o.json ? JSON.stringify(s, null, 2) : format(s));
    });
  for (const [name, act] of [
    ['pause', pauseSchedule],
    ['resume', resumeSchedule],
  ] as const) {
    schedules
      .command(name)
      .argument('<id>')
      .option('-m, --note <text>', 'why')
      .action(async (id: string, o: { note?: string }) => {
        print(format(await onSchedules(false, async (api) => {
          const request = { params: { schedule: id }, body: o.note !== undefined ? { note: o.note } : {} };
          return (await (name === 'pause' ? api.client.pauseSchedule(request) : api.client.resumeSchedule(request))).schedule;
        }, (deps) => act(deps, id, o.note))));
      });
  }
  schedules
    .command('trigger')
    .description('run the schedule\'s pipeline now')
    .argument('<id>')
    .action(async (id: string) => {
      await onSchedules(false, async (api) => void (await api.client.triggerSchedule({ params: { schedule: id } })), (deps) => triggerSchedule(deps, id));
      print(`triggered schedule ${id}`);
    });
  schedules
    .command('backfill')
    .description('run what the schedule would have run between two times')
    .argument('<id>')
    .requiredOption('--from <date>', 'start (ISO 8601)')
    .requiredOption('--to <date>', 'end (ISO 8601)')
    .addOption(new Option('--overlap <policy>', 'how the backfilled runs overlap').choices(OVERLAP_POLICIES).default('allow-all'))
    .action(async (id: string, o: { from: string; to: string; overlap: OverlapPolicy }) => {
      const from = date(o.from, '--from') as Date;
      const to = date(o.to, '--to') as Date;
      await onSchedules(false, async (api) => void (await api.client.backfillSchedule({ params: { schedule: id }, body: { from: from.toISOString(), to: to.toISOString(), overlap: o.overlap } })), (deps) => backfillSchedule(deps, id, from, to, o.overlap));
      print(`backfilling schedule ${id} from ${from.toISOString()} to ${to.toISOString()}`);
    });
  schedules
    .command('delete')
    .argument('<id>')
    .action(async (id: string) => {
      await onSchedules(false, (api) => api.client.deleteSchedule({ params: { schedule: id } }), (deps) => deleteSchedule(deps, id));
      print(`deleted schedule ${id}`);
    });
}
