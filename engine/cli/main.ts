/**
 * The `sluice` command line. Every command prints a readable result (or JSON with --json); bad
 * input is one clear message on stderr and exit status 1, a server that cannot be reached or stops
 * answering exit status 3 (CliError.ts maps error codes to statuses and advice), never a stack
 * trace unless SLUICE_DEBUG is set. Where each command acts — a server's API or this process — is
 * decided in target.ts.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { PipelineValidationError, SluiceError } from '../../dsl/errors';
import { formatIssue } from '../../dsl/ir/index';
import { resolveRunParams } from '../runs/index';
import { submitRun } from '../runs/index';
import { adviceFor, CliError, EXIT_FAILED, exitCodeOf } from './CliError';
import { collect, nameValuePairs } from './flags';
import { LOG_FORMATS } from '../logging';
import { withReader } from './metadataAccess';
import { registerDevCommands } from './commands/dev';
import { registerRunControlCommands } from './commands/runControl';
import { registerTuneCommands } from './commands/tune';
import { registerScheduleCommands } from './commands/schedules';
import { registerTriggerCommands } from './commands/triggers';
import { followRun, followServedRun, withCliStack } from './follow';
import { onTarget } from './target';
import { registerLogsCommand } from './commands/logs';
import { registerWorkerCommand } from './commands/worker';
import { registerMigrateCommand } from './commands/migrate';
import { registerWorkersCommand } from './commands/workers';
import { registerTokenCommands } from './commands/tokens';
import { registerModelCommands } from './commands/models';
import { registerExportTsCommand } from './commands/exportTs';
import { registerExperimentCommands } from './commands/experiments';
import { registerRunCompareCommand } from './commands/compare';
import { registerPipelineCommands } from './commands/pipelineDiff';
import { formatLineage, formatRun, formatRunList } from './format';
import { loadPipeline } from './loadPipeline';
import { ComponentRegistry } from '../temporal/activities/index';
import type { Execution } from '../contract/index';

/** Cached executions `sluice lineage --reuse` lists per node. */
const REUSE_LIST_LIMIT = 20;

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

const program = new Command()
  .name('sluice')
  .description('Typed ML pipelines on Temporal: compile, run and trace them.')
  .addOption(new Option('--log-format <format>', 'logs as readable lines or pino JSON lines (default: pretty on a terminal, json otherwise; SLUICE_LOG_FORMAT)').choices(LOG_FORMATS))
  .showHelpAfterError()
  // Through the environment, so the loggers of this process and of the processes it starts agree.
  .hook('preAction', (cmd) => {
    const { logFormat } = cmd.opts<{ logFormat?: string }>();
    if (logFormat) process.env.SLUICE_LOG_FORMAT = logFormat;
  });

program
  .command('compile')
  .description('compile a pipeline (.ts) or check an IR file (.json), printing the IR')
  .argument('<file>', 'pipeline module (.ts/.js) or IR (.json)')
  .option('-o, --output <file>', 'write the IR to this file instead of stdout')
  .option('--pipeline <name>', 'which pipeline, when the module exports several')
  .action(async (file: string, opts: { output?: string; pipeline?: string }) => {
    const loaded = await loadPipeline(file, opts);
    const json = `${JSON.stringify(loaded.spec, null, 2)}\n`;
    if (opts.output) {
      await writeFile(opts.output, json);
      process.stderr.write(`wrote ${opts.output} (pipeline "${loaded.spec.name}", ${Object.keys(loaded.spec.dag.tasks).length} tasks${loaded.digest ? `, digest ${loaded.digest.slice(0, 12)}` : ''})\n`);
    } else {
      process.stdout.write(json);
    }
  });

program
  .command('run')
  .description('run a pipeline: on the server when one is reachable (sluice dev, SLUICE_URL), else on an embedded stack (Temporal dev server, PGlite, local artifacts, a worker)')
  .argument('<file>', 'pipeline module (.ts/.js) or IR (.json)')
  .option('-p, --param <name=value>', 'pipeline parameter (repeatable)', collect, [])
  .option('--pipeline <name>', 'which pipeline, when the module exports several')
  .option('--module <module>', 'extra module with component implementations (repeatable)', collect, [])
  .option('--no-cache', 'run every task, reusing no cached result')
  .option('--json', 'print the final run record as JSON')
  .action(async (file: string, opts: { param: string[]; pipeline?: string; module: string[]; cache: boolean; json?: boolean }) => {
    const loaded = await loadPipeline(file, opts);
    // Refuse bad parameters before anything starts.
    const params = resolveRunParams(loaded.spec, nameValuePairs(opts.param), { fromText: true });

    const log = (s: string): void => {
      if (!opts.json) print(s);
    };
    await onTarget({
      // A served stack (sluice dev, or SLUICE_URL) runs it: its workers import the file's components.
      api: async (api) => {
        const { run } = await api.client.submitRun({ body: { spec: loaded.spec, params, ...(opts.cache ? {} : { cache: false }) } });
        log(`run ${run.id} of pipeline "${loaded.spec.name}" started on ${api.url} (${Object.keys(loaded.spec.dag.tasks).length} tasks)`);
        await followServedRun(api, run.id, { json: opts.json ?? false });
      },
      local: async () => {
        const registry = new ComponentRegistry();
        if (loaded.moduleExports) registry.addModule(loaded.moduleExports);
        for (const m of opts.module) await registry.importModule(m);

        await withCliStack({ registry, log }, async (stack) => {
          const submitted = await submitRun({
            client: stack.client,
            metadata: stack.metadata,
            spec: loaded.spec,
            params,
            trigger: { kind: 'cli', file: path.relative(process.cwd(), loaded.file) },
            taskQueuePrefix: stack.taskQueuePrefix,
            cache: opts.cache,
          });
          log(`run ${submitted.runId} of pipeline "${loaded.spec.name}" started (${Object.keys(loaded.spec.dag.tasks).length} tasks)`);
          await followRun(stack.metadata, submitted, { json: opts.json ?? false });
        });
      },
    });
  });

const runs = program.command('runs').description('list, inspect and control runs');
registerRunControlCommands(runs);
registerRunCompareCommand(runs);
runs
  .command('list')
  .description('list runs, newest first')
  .option('--pipeline <name>', 'only runs of this pipeline')
  .addOption(new Option('--status <status>', 'only runs in this state').choices(['pending', 'running', 'succeeded', 'failed', 'cancelled']))
  .option('--limit <n>', 'at most this many', '50')
  .option('--json', 'print JSON')
  .action(async (opts: { pipeline?: string; status?: 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled'; limit: string; json?: boolean }) => {
    const limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit <= 0) throw new CliError(`--limit must be a positive integer, got "${opts.limit}"`);
    const list = await withReader((m) =>
      m.listRuns({ limit, ...(opts.pipeline ? { pipelineName: opts.pipeline } : {}), ...(opts.status ? { status: opts.status } : {}) }),
    );
    print(opts.json ? JSON.stringify(list, null, 2) : formatRunList(list));
  });
runs
  .command('show')
  .description('show a run: parameters, tasks, artifacts, error')
  .argument('<run-id>')
  .option('--json', 'print JSON')
  .action(async (id: string, opts: { json?: boolean }) => {
    await withReader(async (m) => {
      const detail = await m.runDetail(id);
      if (!detail) throw new CliError(`no run with id "${id}" (list them with: sluice runs list)`, { code: 'not-found' });
      const { run, executions, artifacts } = detail;
      // A served stack also says why running tasks have not started (e.g. waiting for a gpu worker).
      const live = run.status === 'running' ? detail.live : undefined;
      const waiting = Object.entries(live?.tasks ?? {}).flatMap(([task, t]) => (t.waitingFor ? [{ task, ...t.waitingFor }] : []));
      if (opts.json) print(JSON.stringify({ run, executions, artifacts, ...(live ? { live } : {}) }, null, 2));
      else print([formatRun(run, executions, artifacts), ...waiting.map((w) => `  … ${w.task} ${w.reason}`)].join('\n'));
    });
  });

program
  .command('lineage')
  .description('show where an artifact came from and what used it')
  .argument('<artifact-id>')
  .option('--depth <n>', 'execution hops to follow each way', '10')
  .addOption(new Option('--direction <dir>', 'which way to walk').choices(['upstream', 'downstream', 'both']).default('both'))
  .option('--reuse', `list the cached executions (runs) that reused each node, up to ${REUSE_LIST_LIMIT} per node`)
  .option('--json', 'print JSON')
  .action(async (id: string, opts: { depth: string; direction: 'upstream' | 'downstream' | 'both'; reuse?: boolean; json?: boolean }) => {
    const depth = Number(opts.depth);
    if (!Number.isInteger(depth) || depth < 0 || depth > 100) throw new CliError(`--depth must be an integer from 0 to 100, got "${opts.depth}"`);
    await withReader(async (m) => {
      if (!(await m.getArtifact(id))) throw new CliError(`no artifact with id "${id}" (sluice runs show <run-id> lists a run's artifacts)`, { code: 'not-found' });
      const graph = await m.lineage(id, { direction: opts.direction, depth });
      // Reuse is folded into the nodes; --reuse unfolds it (one request per reused node).
      const reuses = new Map<string, Execution[]>();
      if (opts.reuse) {
        for (const n of graph.nodes) {
          if (!n.reusedBy?.executions) continue;
          const target = n.kind === 'artifact' ? { artifactId: n.id } : { executionId: n.id };
          reuses.set(n.id, await m.listReusingExecutions(target, { limit: REUSE_LIST_LIMIT }));
        }
      }
      if (opts.json) print(JSON.stringify(opts.reuse ? { ...graph, reuses: Object.fromEntries(reuses) } : graph, null, 2));
      else print(formatLineage(graph, opts.reuse ? reuses : undefined));
    });
  });

registerLogsCommand(program);
registerScheduleCommands(program);
registerDevCommands(program);
registerTriggerCommands(program);
registerWorkerCommand(program);
registerMigrateCommand(program);
registerWorkersCommand(program);
registerTokenCommands(program);
registerModelCommands(program);
registerExportTsCommand(program);
registerExperimentCommands(program);
registerPipelineCommands(program);
registerTuneCommands(program);

/** One message (and advice) on stderr, the exit status from the error's code; a stack only with SLUICE_DEBUG. */
function reportError(e: unknown): void {
  const debug = Boolean(process.env.SLUICE_DEBUG);
  if (e instanceof PipelineValidationError) {
    process.stderr.write(`error: invalid pipeline (${e.issues.length} problem${e.issues.length === 1 ? '' : 's'})\n`);
    for (const issue of e.issues) process.stderr.write(`  - ${formatIssue(issue)}\n`);
  } else if (e instanceof CliError) {
    process.stderr.write(`error: ${e.message}\n`);
    const advice = adviceFor(e);
    if (advice) process.stderr.write(`  ${advice}\n`);
  } else if (e instanceof SluiceError || (e instanceof Error && /Error$/.test(e.name) && e.name !== 'Error' && e.name !== 'TypeError')) {
    // Errors of the engine's own classes (named after their condition) carry a message meant for people.
    process.stderr.write(`error: ${(e as Error).message}\n`);
  } else {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (!debug) process.stderr.write('(set SLUICE_DEBUG=1 to see the stack trace)\n');
  }
  if (debug && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exitCode = e instanceof CliError ? exitCodeOf(e) : EXIT_FAILED;
}

// A promise nobody awaited must not print Node's stack trace either.
process.on('unhandledRejection', (e) => {
  reportError(e);
  process.exit(process.exitCode);
});

try {
  await program.parseAsync(process.argv);
} catch (e) {
  reportError(e);
}
