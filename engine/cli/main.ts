/**
 * The `sluice` command line. Every command prints a readable result (or JSON with --json); bad
 * input is one clear message on stderr and exit status 1, never a stack trace.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, Option } from 'commander';
import { PipelineValidationError, SluiceError } from '../../dsl/errors';
import { formatIssue } from '../../dsl/ir/index';
import { createLogger } from '../logging';
import { resolveRunParams } from '../client/runParams';
import { queryRunStatus, submitRun, waitForRun } from '../client/submitRun';
import type { MetadataStore } from '../metadata/MetadataStore';
import { openMetadataStore } from '../metadata/index';
import { stateDir } from '../paths';
import { ComponentRegistry } from '../registry/ComponentRegistry';
import { EmbeddedStack } from '../stack/EmbeddedStack';
import { lockStateDir } from '../stack/stateLock';
import type { RunStatusView, TaskStatus } from '../workflows/types';
import { CliError } from './CliError';
import { formatLineage, formatRun, formatRunList, formatValue } from './format';
import { loadPipeline } from './loadPipeline';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function parseParamFlags(flags: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new CliError(`--param "${f}" is not of the form name=value`);
    out[f.slice(0, eq)] = f.slice(eq + 1);
  }
  return out;
}

/** Opens the metadata store of the local state directory (or DATABASE_URL) for read commands. */
async function withMetadata<T>(fn: (m: MetadataStore) => Promise<T>): Promise<T> {
  const dir = stateDir();
  const url = process.env.DATABASE_URL;
  const unlock = url ? undefined : await lockStateDir(dir, 'sluice CLI');
  const metadata = await openMetadataStore(url ? { databaseUrl: url } : { dataDir: path.join(dir, 'db') });
  try {
    return await fn(metadata);
  } finally {
    await metadata.close();
    await unlock?.();
  }
}

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

const program = new Command()
  .name('sluice')
  .description('Typed ML pipelines on Temporal: compile, run and trace them.')
  .showHelpAfterError();

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
  .description('run a pipeline on an embedded stack (Temporal dev server, PGlite, local artifacts, a worker)')
  .argument('<file>', 'pipeline module (.ts/.js) or IR (.json)')
  .option('-p, --param <name=value>', 'pipeline parameter (repeatable)', collect, [])
  .option('--pipeline <name>', 'which pipeline, when the module exports several')
  .option('--module <module>', 'extra module with component implementations (repeatable)', collect, [])
  .option('--json', 'print the final run record as JSON')
  .action(async (file: string, opts: { param: string[]; pipeline?: string; module: string[]; json?: boolean }) => {
    const loaded = await loadPipeline(file, opts);
    // Refuse bad parameters before anything starts.
    const params = resolveRunParams(loaded.spec, parseParamFlags(opts.param), { fromText: true });

    const registry = new ComponentRegistry();
    if (loaded.moduleExports) registry.addModule(loaded.moduleExports);
    for (const m of opts.module) await registry.importModule(m);

    const log = (s: string): void => {
      if (!opts.json) print(s);
    };
    log(`starting the embedded stack (state in ${path.relative(process.cwd(), stateDir()) || '.'})…`);
    // Task failures are shown by the progress lines; the worker's own logs stay quiet unless asked.
    const logger = createLogger({ stderr: true, level: process.env.SLUICE_LOG_LEVEL ?? 'error' });
    const stack = await EmbeddedStack.start({ registry, logger });
    let stopping = false;
    const onSignal = (): void => {
      if (stopping) return;
      stopping = true;
      process.stderr.write('\ninterrupted: stopping the stack; the run resumes when a worker for it starts again\n');
      void stack.stop().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const submitted = await submitRun({
        client: stack.client,
        metadata: stack.metadata,
        spec: loaded.spec,
        params,
        trigger: { kind: 'cli', file: path.relative(process.cwd(), loaded.file) },
        taskQueuePrefix: stack.taskQueuePrefix,
      });
      log(`run ${submitted.runId} of pipeline "${loaded.spec.name}" started (${Object.keys(loaded.spec.dag.tasks).length} tasks)`);
      const watcher = watchProgress(submitted.handle, log);
      const run = await waitForRun(stack.metadata, submitted);
      await watcher.stop();
      const executions = await stack.metadata.listExecutions(run.id);
      const artifacts = await stack.metadata.listRunArtifacts(run.id);
      if (opts.json) {
        print(JSON.stringify({ run, executions, artifacts }, null, 2));
      } else {
        if (artifacts.length) {
          print('artifacts:');
          for (const a of artifacts) {
            print(`  ${a.taskId}.${a.port}  ${a.type}  id ${a.id}  ${a.uri.replace(/^file:\/\//, '')}`);
          }
        }
        const took = run.finishedAt && run.startedAt ? ` in ${((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)} s` : '';
        const results = executions.flatMap((e) => Object.entries(e.outputParams ?? {}).map(([k, v]) => `${e.taskId}.${k}=${formatValue(v)}`));
        if (results.length) print(`results: ${results.join('  ')}`);
        const model = artifacts.find((a) => a.type === 'Model') ?? artifacts[artifacts.length - 1];
        print(`inspect: npx sluice runs show ${run.id}${model ? `   trace: npx sluice lineage ${model.id}` : ''}`);
        if (run.status === 'succeeded') print(`run ${run.id} succeeded${took}`);
        else print(`run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''}`);
      }
      process.exitCode = run.status === 'succeeded' ? 0 : 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (!stopping) await stack.stop();
    }
  });

/** Prints a line whenever a task changes state, from the workflow's status query. */
function watchProgress(handle: Parameters<typeof queryRunStatus>[0], log: (s: string) => void): { stop(): Promise<void> } {
  const seen = new Map<string, TaskStatus['state']>();
  let active = true;
  const report = (status: RunStatusView | undefined): void => {
    if (!status) return;
    for (const [task, ts] of Object.entries(status.tasks)) {
      if (seen.get(task) === ts.state || ts.state === 'pending') continue;
      seen.set(task, ts.state);
      const took = ts.startedAt && ts.finishedAt ? ` (${((ts.finishedAt - ts.startedAt) / 1000).toFixed(1)} s)` : '';
      const mark = { running: '▶', succeeded: '✓', failed: '✗', cancelled: '■', pending: ' ' }[ts.state];
      log(`  ${mark} ${task} ${ts.state}${took}${ts.error ? `: ${ts.error}` : ''}`);
    }
  };
  const loop = (async () => {
    while (active) {
      report(await queryRunStatus(handle));
      await new Promise((r) => setTimeout(r, 250));
    }
    report(await queryRunStatus(handle));
  })();
  return {
    async stop() {
      active = false;
      await loop;
    },
  };
}

const runs = program.command('runs').description('list and inspect runs');
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
    const list = await withMetadata((m) =>
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
    await withMetadata(async (m) => {
      const run = await m.getRun(id);
      if (!run) throw new CliError(`no run with id "${id}" (list them with: sluice runs list)`);
      const executions = await m.listExecutions(id);
      const artifacts = await m.listRunArtifacts(id);
      print(opts.json ? JSON.stringify({ run, executions, artifacts }, null, 2) : formatRun(run, executions, artifacts));
    });
  });

program
  .command('lineage')
  .description('show where an artifact came from and what used it')
  .argument('<artifact-id>')
  .option('--depth <n>', 'execution hops to follow each way', '10')
  .addOption(new Option('--direction <dir>', 'which way to walk').choices(['upstream', 'downstream', 'both']).default('both'))
  .option('--json', 'print JSON')
  .action(async (id: string, opts: { depth: string; direction: 'upstream' | 'downstream' | 'both'; json?: boolean }) => {
    const depth = Number(opts.depth);
    if (!Number.isInteger(depth) || depth < 0 || depth > 100) throw new CliError(`--depth must be an integer from 0 to 100, got "${opts.depth}"`);
    await withMetadata(async (m) => {
      if (!(await m.getArtifact(id))) throw new CliError(`no artifact with id "${id}" (sluice runs show <run-id> lists a run's artifacts)`);
      const graph = await m.lineage(id, { direction: opts.direction, depth });
      print(opts.json ? JSON.stringify(graph, null, 2) : formatLineage(graph));
    });
  });

function reportError(e: unknown): void {
  if (e instanceof PipelineValidationError) {
    process.stderr.write(`error: invalid pipeline (${e.issues.length} problem${e.issues.length === 1 ? '' : 's'})\n`);
    for (const issue of e.issues) process.stderr.write(`  - ${formatIssue(issue)}\n`);
  } else if (e instanceof CliError || e instanceof SluiceError || (e instanceof Error && /Error$/.test(e.name) && e.name !== 'Error' && e.name !== 'TypeError')) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
  } else {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.SLUICE_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('(set SLUICE_DEBUG=1 to see the stack trace)\n');
  }
  process.exitCode = e instanceof CliError ? e.exitCode : 1;
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  reportError(e);
}
