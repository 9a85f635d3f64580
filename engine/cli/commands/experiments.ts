/**
 * `sluice experiments list|show|create|rename|archive`: named groups of runs (a run belongs to at
 * most one). Through the server's API when one is reachable (target.ts), else on the metadata store.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { MetadataStoreError, type ExperimentRecord, type MetadataStore } from '../../stores/metadata/index';
import type { Experiment, Run } from '../../contract/index';
import { CliError } from '../CliError';
import { onTypedTarget, print } from './typedApi';
import type { ServedApi } from '../api';

/** An experiment and a run line as the API gives them; the store's records are turned into these. */
type ExperimentView = Experiment;
type RunLine = Pick<Run, 'id' | 'pipelineName' | 'status' | 'createdAt'>;

const NAME = /^[A-Za-z0-9][\w .-]{0,99}$/;
const checkName = (name: string, what = 'an experiment name'): void => {
  if (!NAME.test(name)) throw new CliError(`"${name}" is not ${what}: start with a letter or digit; letters, digits, " ", ".", "-", "_" (max 100)`);
};

const view = (e: ExperimentRecord): ExperimentView => ({ ...e, createdAt: e.createdAt.toISOString(), archivedAt: e.archivedAt?.toISOString() ?? null });
const unknown = (ref: string): CliError => new CliError(`no experiment with id or name "${ref}" (sluice experiments list --all shows them)`, { code: 'not-found' });

async function requireLocal(m: MetadataStore, ref: string): Promise<ExperimentRecord> {
  const e = await m.getExperiment(ref);
  if (!e) throw unknown(ref);
  return e;
}

function formatExperiment(e: ExperimentView): string {
  const state = e.archivedAt ? `  archived ${e.archivedAt}` : '';
  return `${e.name}  ${e.runCount} run${e.runCount === 1 ? '' : 's'}  (id ${e.id}, created ${e.createdAt})${state}${e.description ? `\n    ${e.description}` : ''}`;
}

/** Local updates refused by the store become CLI errors. */
async function updating<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MetadataStoreError && (e.code === 'conflict' || e.code === 'not_found')) throw new CliError(e.message, { code: e.code === 'conflict' ? 'refused' : 'not-found' });
    throw e;
  }
}

export function registerExperimentCommands(program: Command): void {
  const experiments = program.command('experiments').description('experiments: named groups of runs (a run belongs to at most one; `sluice runs compare` compares them)');

  experiments
    .command('list')
    .description('list experiments by name')
    .option('--all', 'archived experiments too')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const list = await onTypedTarget<ExperimentView[]>({
        api: async (api) => (await api.listExperiments({ query: opts.all ? { archived: 'true' } : {} })).experiments,
        local: async (m) => (await m.listExperiments({ includeArchived: opts.all ?? false })).map(view),
      });
      if (opts.json) print(JSON.stringify(list, null, 2));
      else if (!list.length) print('no experiments (create one with: sluice experiments create <name>)');
      else list.forEach((e) => print(formatExperiment(e)));
    });

  experiments
    .command('show')
    .description('show an experiment and its runs, newest first')
    .argument('<experiment>', 'name or id')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { json?: boolean }) => {
      const found = await onTypedTarget<{ experiment: ExperimentView; runs: RunLine[] }>({
        api: async (api) => api.getExperiment({ params: { experiment: ref } }),
        local: async (m) => {
          const e = await requireLocal(m, ref);
          const runs = await m.listRuns({ experimentId: e.id, limit: 1000 });
          return { experiment: view(e), runs: runs.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) };
        },
      });
      if (opts.json) {
        print(JSON.stringify(found, null, 2));
        return;
      }
      print(formatExperiment(found.experiment));
      for (const r of found.runs) print(`  ${r.id}  ${r.pipelineName}  ${r.status}  ${r.createdAt}`);
      if (found.runs.length >= 2) print(`compare them: sluice runs compare ${found.runs.slice(0, 5).map((r) => r.id).join(' ')}`);
    });

  experiments
    .command('create')
    .description('create an experiment')
    .argument('<name>')
    .option('--description <text>', 'what it is for')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { description?: string; json?: boolean }) => {
      checkName(name);
      const created = await onTypedTarget<ExperimentView>({
        api: async (api) => (await api.createExperiment({ body: { name, ...(opts.description !== undefined ? { description: opts.description } : {}) } })).experiment,
        local: async (m) => view(await updating(() => m.createExperiment({ id: randomUUID(), name, description: opts.description ?? null }))),
      });
      print(opts.json ? JSON.stringify(created, null, 2) : `created experiment "${created.name}" (id ${created.id}); run into it with: sluice run <file> --experiment "${created.name}"`);
    });

  experiments
    .command('rename')
    .description('rename an experiment')
    .argument('<experiment>', 'name or id')
    .argument('<new-name>')
    .option('--json', 'print JSON')
    .action(async (ref: string, newName: string, opts: { json?: boolean }) => {
      checkName(newName, 'a valid new name');
      const updated = await onTypedTarget<ExperimentView>({
        api: async (api) => (await api.updateExperiment({ params: { experiment: ref }, body: { name: newName } })).experiment,
        local: async (m) => {
          const e = await requireLocal(m, ref);
          const u = await updating(() => m.updateExperiment(e.id, { name: newName }));
          if (!u) throw unknown(ref);
          return view(u);
        },
      });
      print(opts.json ? JSON.stringify(updated, null, 2) : `renamed experiment ${updated.id} to "${updated.name}"`);
    });

  experiments
    .command('archive')
    .description('archive an experiment: hidden from lists, closed to new runs, its runs kept (--restore undoes it)')
    .argument('<experiment>', 'name or id')
    .option('--restore', 'restore an archived experiment')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { restore?: boolean; json?: boolean }) => {
      const archived = !opts.restore;
      const updated = await onTypedTarget<ExperimentView>({
        api: async (api) => (await api.updateExperiment({ params: { experiment: ref }, body: { archived } })).experiment,
        local: async (m) => {
          const e = await requireLocal(m, ref);
          const u = await updating(() => m.updateExperiment(e.id, { archived }));
          if (!u) throw unknown(ref);
          return view(u);
        },
      });
      print(opts.json ? JSON.stringify(updated, null, 2) : `${archived ? 'archived' : 'restored'} experiment "${updated.name}" (${updated.runCount} run${updated.runCount === 1 ? '' : 's'})`);
    });
}

const archivedRefusal = (e: { name: string }): CliError =>
  new CliError(`experiment "${e.name}" is archived: restore it (sluice experiments archive "${e.name}" --restore) or choose another`, { code: 'refused' });

/**
 * `sluice run --experiment <name>` through the server: the experiment's id, created first when
 * there is none by that name or id (as MLflow's set_experiment does); an archived one is refused.
 */
export async function servedExperiment(api: ServedApi, ref: string, log: (s: string) => void): Promise<string> {
  const found = await api.found((c) => c.getExperiment({ params: { experiment: ref } }));
  if (found) {
    if (found.experiment.archivedAt) throw archivedRefusal(found.experiment);
    return found.experiment.id;
  }
  checkName(ref);
  const { experiment } = await api.client.createExperiment({ body: { name: ref } });
  log(`created experiment "${experiment.name}"`);
  return experiment.id;
}

/** The same on the local metadata store (no server). */
export async function localExperiment(m: MetadataStore, ref: string, log: (s: string) => void): Promise<string> {
  const found = await m.getExperiment(ref);
  if (found) {
    if (found.archivedAt) throw archivedRefusal(found);
    return found.id;
  }
  checkName(ref);
  const created = await updating(() => m.createExperiment({ id: randomUUID(), name: ref, description: null }));
  log(`created experiment "${created.name}"`);
  return created.id;
}
