/**
 * `sluice run`: on a served stack when one is reachable (only the pipeline file, the DSL and the
 * API client load: a one-step run against a warm `sluice dev` is start-up bound, bench/cliStartup.ts),
 * else on an embedded stack in this process.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { resolveRunParams } from '../../runs/runParams'; // not ../../runs/index: see scripts/lint/moduleBoundaries.js EXTRA_ENTRIES
import { collect, nameValuePairs } from '../flags';
import { followServedRun } from '../follow';
import { loadPipeline } from '../loadPipeline';
import { onTarget } from '../target';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run a pipeline: on the server when one is reachable (sluice dev, SLUICE_URL), else on an embedded stack (Temporal dev server, PGlite, local artifacts, a worker)')
    .argument('<file>', 'pipeline module (.ts/.js) or IR (.json)')
    .option('-p, --param <name=value>', 'pipeline parameter (repeatable)', collect, [])
    .option('--pipeline <name>', 'which pipeline, when the module exports several')
    .option('--module <module>', 'extra module with component implementations (repeatable)', collect, [])
    .option('--no-cache', 'run every task, reusing no cached result')
    .option('--experiment <name>', 'add the run to this experiment (created when there is none by that name)')
    .option('--json', 'print the final run record as JSON')
    .action(async (file: string, opts: { param: string[]; pipeline?: string; module: string[]; cache: boolean; experiment?: string; json?: boolean }) => {
      const loaded = await loadPipeline(file, opts);
      // Refuse bad parameters before anything starts.
      const params = resolveRunParams(loaded.spec, nameValuePairs(opts.param), { fromText: true });

      const log = (s: string): void => {
        if (!opts.json) print(s);
      };
      await onTarget({
        // A served stack (sluice dev, or SLUICE_URL) runs it: its workers import the file's components.
        api: async (api) => {
          // Loaded only when asked (its local half reads the database).
          const experiment = opts.experiment !== undefined ? await (await import('./experiments')).servedExperiment(api, opts.experiment, log) : undefined;
          const { run } = await api.client.submitRun({ body: { spec: loaded.spec, params, ...(opts.cache ? {} : { cache: false }), ...(experiment !== undefined ? { experiment } : {}) } });
          log(`run ${run.id} of pipeline "${loaded.spec.name}" started on ${api.url} (${Object.keys(loaded.spec.dag.tasks).length} tasks)`);
          await followServedRun(api, run.id, { json: opts.json ?? false });
        },
        local: async () => {
          // The embedded stack (Temporal's worker, the database): loaded only when this process runs the pipeline itself.
          const [{ ComponentRegistry }, { submitRun }, { followRun, withCliStack }] = await Promise.all([
            import('../../temporal/activities/index'),
            import('../../runs/index'),
            import('../follow'),
          ]);
          const registry = new ComponentRegistry();
          if (loaded.moduleExports) registry.addModule(loaded.moduleExports);
          for (const m of opts.module) await registry.importModule(m);

          await withCliStack({ registry, log }, async (stack) => {
            const experimentId = opts.experiment !== undefined ? await (await import('./experiments')).localExperiment(stack.metadata, opts.experiment, log) : undefined;
            const submitted = await submitRun({
              client: stack.client,
              metadata: stack.metadata,
              spec: loaded.spec,
              params,
              trigger: { kind: 'cli', file: path.relative(process.cwd(), loaded.file) },
              taskQueuePrefix: stack.taskQueuePrefix,
              cache: opts.cache,
              ...(experimentId !== undefined ? { experimentId } : {}),
            });
            log(`run ${submitted.runId} of pipeline "${loaded.spec.name}" started (${Object.keys(loaded.spec.dag.tasks).length} tasks)`);
            await followRun(stack.metadata, submitted, { json: opts.json ?? false });
          });
        },
      });
    });
}
