/**
 * `sluice dev`: the whole embedded stack in one command — Temporal dev server (persisted in
 * .sluice/temporal.db), PGlite, local artifacts, a CPU worker (and a GPU worker when `nvidia-smi`
 * finds a GPU or SLUICE_GPUS declares some), the HTTP API on one port, the model server (Open
 * Inference Protocol, engine/serving) on another; it prints the runtime report
 * (GPUs, TensorFlow.js backend, ONNX Runtime providers) first. Ctrl-C stops everything; starting again keeps all runs,
 * schedules and artifacts. `--run <pipeline>` runs a pipeline once it is up (what `npm run up`
 * does with the iris example); `--once` stops after that run.
 *
 * `sluice serve`: only the API, against a shared Temporal server, PostgreSQL and artifact store
 * (the docker-compose `api` service); workers run as their own processes.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { register } from 'prom-client';
import { serveEditor, startApiServer, type RunningApiServer } from '../../server/index';
import { startModelServer, type RunningModelServer } from '../../serving/index';
import { addModelServerOptions, modelServerSettings, parsePort, type ModelServerFlags } from './modelServer';
import { openArtifactStore } from '../../stores/artifacts/index';
import { DEFAULT_TASK_QUEUE_PREFIX, submitRun } from '../../runs/index';
import { resolveRunParams } from '../../runs/index';
import { createLogger } from '../../logging';
import { openMetadataStore } from '../../stores/metadata/index';
import { stateDir } from '../../paths';
import { EmbeddedStack } from '../../stack/index';
import { annotateStateOwner } from '../../stack/index';
import type { ResourceClass } from '../../temporal/worker/index';
import { CliError } from '../CliError';
import { collect, nameValuePairs } from '../flags';
import { artifactToTrace, followRun, runPageUrl } from '../follow';
import { loadPipeline } from '../loadPipeline';
import { collectRuntimeReport, formatRuntimeReport, GpuSettingError, runtimeSummary } from '../../../workers/runtime/index';
import { ComponentRegistry, MODEL_SERVER_URL_ENV, type MlflowTracking } from '../../temporal/activities/index';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** Resolves on the first SIGINT/SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(sig);
    };
    const onInt = (): void => on('SIGINT');
    const onTerm = (): void => on('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}

/**
 * What to do once the example has run (`npm run up` ends with it): look at the run, change the
 * pipeline, use the CLI.
 */
export function nextSteps(o: { runUrl: string; run: { id: string }; traced: string | undefined; file: string }): string {
  const { traced } = o;
  return [
    'next:',
    `  1. open the run in the editor (graph, logs, metrics, artifacts, lineage): ${o.runUrl}`,
    `  2. change the pipeline and run it again (unchanged steps come from the cache): edit ${o.file}, then npx sluice run ${o.file}`,
    `  3. from another terminal: npx sluice runs show ${o.run.id}${traced ? ` · npx sluice lineage ${traced}` : ''} · npx sluice --help`,
  ].join('\n');
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`--port must be a port number, got "${text}"`);
  return n;
}

export function registerDevCommands(program: Command): void {
  addModelServerOptions(program
    .command('dev')
    .description('run the whole stack locally: Temporal dev server, metadata store, artifacts, workers, the HTTP API on one port and the model server on another')
    .option('--host <host>', 'address to listen on (auth is required off loopback)', '127.0.0.1')
    .option('--port <port>', 'API port', '8080')
    .option('-m, --module <file>', 'extra module with components for the workers (repeatable)', collect, [])
    .option('--run <pipeline>', 'run this pipeline once the stack is up, printing its outcome')
    .option('-p, --param <name=value>', 'parameter for --run (repeatable)', collect, [])
    .option('--once', 'stop after the --run pipeline has finished (exit status: its outcome)')
    .option('--temporal-ui', "serve the Temporal dev server's Web UI (the run view links each run to its workflow there)")
    .option('--model-server-port <port>', 'port of the model server (Open Inference Protocol; "off": none; the default 8000, when taken, falls back to a free port)', '8000'))
    .action(async (o: ModelServerFlags & { host: string; port: string; module: string[]; run?: string; param: string[]; once?: boolean; temporalUi?: boolean; modelServerPort: string }, cmd: Command) => {
      if (o.once && !o.run) throw new CliError('--once needs --run <pipeline>');
      const servingSettings = o.modelServerPort === 'off' ? undefined : { ...modelServerSettings(o), port: parsePort('--model-server-port', o.modelServerPort) };
      const logger = createLogger({ stderr: true, level: process.env.SLUICE_LOG_LEVEL ?? 'warn' });
      const registry = new ComponentRegistry();
      await registry.importModule('sluice/components');
      for (const m of o.module) await registry.importModule(m);
      const loaded = o.run ? await loadPipeline(o.run, {}) : undefined;
      if (loaded?.moduleExports) registry.addModule(loaded.moduleExports);
      const params = loaded
        ? resolveRunParams(loaded.spec, nameValuePairs(o.param), { fromText: true })
        : {};

      // A GPU worker too when nvidia-smi finds GPUs (or SLUICE_GPUS declares them); never a crash without.
      const runtime = await collectRuntimeReport().catch((e: unknown) => {
        throw e instanceof GpuSettingError ? new CliError(e.message) : e;
      });
      const gpu = runtime.gpus.devices.length > 0;
      const resourceClasses: ResourceClass[] = gpu ? ['cpu', 'gpu'] : ['cpu'];
      print(`starting Sluice (state in ${path.relative(process.cwd(), stateDir()) || '.'})…`);
      // Command components' MLflow clients track into this server, once it listens.
      let apiUrl: string | undefined;
      const token = process.env.SLUICE_TOKEN;
      const mlflowTracking = (): MlflowTracking | undefined => (apiUrl ? { uri: `${apiUrl}/mlflow`, ...(token ? { token } : {}) } : undefined);
      const stack = await EmbeddedStack.start({ registry, logger, resourceClasses, gpus: runtime.gpus.devices, runtime: runtimeSummary(runtime), mlflowTracking, temporalUi: o.temporalUi === true });
      print(formatRuntimeReport(runtime, stack.workers.taskQueues));
      let api: RunningApiServer | undefined;
      const authOn = process.env.SLUICE_AUTH === 'on' || !['127.0.0.1', 'localhost', '::1'].includes(o.host);
      let modelServer: RunningModelServer | undefined;
      try {
        api = await startApiServer({
          metadata: stack.metadata,
          artifacts: stack.artifacts,
          client: stack.client,
          registry,
          taskQueuePrefix: stack.taskQueuePrefix,
          // The workers of this process record task metrics on the default registry: serve them too.
          metricsRegistry: register,
          // startApiServer refuses a non-loopback address while auth is off.
          auth: { enabled: authOn },
          logger,
          host: o.host,
          port: port(o.port),
          extend: (app) => serveEditor(app),
          ...(stack.temporalUiUrl ? { temporalUiUrl: stack.temporalUiUrl } : {}),
        });
        apiUrl = api.url;
        await annotateStateOwner(stack.stateDir, { apiUrl: api.url });
        print(`Sluice is up: ${api.url}`);
        print(`  editor ${api.url}/${loaded ? `#/pipelines/${encodeURIComponent(loaded.spec.name)}` : ''}`);
        print(`  API ${api.url}/api · reference ${api.url}/api/docs · metrics ${api.url}/metrics`);
        if (servingSettings) {
          // Loopback, with the API's tokens when its auth is on; requests are sampled into the stores.
          const serve = (port: number) =>
            startModelServer({
              ...servingSettings,
              requestLog: { ...servingSettings.requestLog, records: stack.metadata },
              ...(authOn ? { auth: { metadata: stack.metadata } } : {}),
              port,
              source: stack.metadata,
              artifacts: stack.artifacts,
              logger,
              host: '127.0.0.1',
            });
          try {
            modelServer = await serve(servingSettings.port);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
            // The default port taken (another sluice dev, say): any free one, printed below.
            if (cmd.getOptionValueSource('modelServerPort') !== 'default') throw new CliError(`the model server's port ${servingSettings.port} is in use: pick another with --model-server-port (or "off")`);
            modelServer = await serve(0);
          }
          // The rollout workflow's activities (in this process's workers) read the gates from its /metrics.
          process.env[MODEL_SERVER_URL_ENV] ??= modelServer.url;
          print(`  model server ${modelServer.url}/v2 (Open Inference Protocol: POST ${modelServer.url}/v2/models/<model>@champion/infer) · metrics ${modelServer.url}/metrics`);
        }
        print(`  Temporal ${stack.temporalAddress} · workers: ${resourceClasses.join(', ')}${gpu ? ` (${runtime.gpus.devices.length} GPU${runtime.gpus.devices.length === 1 ? '' : 's'})` : ' (no GPU: GPU tasks wait for a gpu worker)'} · ${registry.size} components · sluice workers lists them`);
        if (o.temporalUi && !stack.temporalUiUrl) print('  Temporal Web UI: not served (TEMPORAL_ADDRESS names an external server; use its own UI)');
        if (stack.temporalUiUrl) print(`  Temporal Web UI ${stack.temporalUiUrl}`);

        let exitCode = 0;
        if (loaded) {
          const submitted = await submitRun({
            client: stack.client,
            metadata: stack.metadata,
            spec: loaded.spec,
            params,
            trigger: { kind: 'cli', file: path.relative(process.cwd(), loaded.file) },
            taskQueuePrefix: stack.taskQueuePrefix,
          });
          const runUrl = runPageUrl(api.url, submitted.runId);
          print(`run ${submitted.runId} of pipeline "${loaded.spec.name}" started (${Object.keys(loaded.spec.dag.tasks).length} tasks)`);
          print(`  watch it: ${runUrl}`);
          const run = await followRun(stack.metadata, submitted, { runUrl, hints: false });
          exitCode = run.status === 'succeeded' ? 0 : 1;
          if (!o.once) {
            const traced = artifactToTrace(run, await stack.metadata.listRunArtifacts(run.id))?.id;
            print(nextSteps({ runUrl, run, traced, file: path.relative(process.cwd(), loaded.file) }));
          }
        }
        if (!o.once) {
          print('press Ctrl-C to stop (runs, artifacts and history are kept for the next start)');
          await untilSignal();
          print('stopping…');
        }
        process.exitCode = exitCode;
      } finally {
        await modelServer?.close();
        await api?.close();
        await stack.stop();
      }
    });

  program
    .command('serve')
    .description('run the HTTP API only, against TEMPORAL_ADDRESS, DATABASE_URL and SLUICE_ARTIFACTS (workers run separately)')
    .option('--host <host>', 'address to listen on (auth is required off loopback)', '127.0.0.1')
    .option('--port <port>', 'API port', '8080')
    .option('-m, --module <file>', 'module whose components the catalog lists (repeatable)', collect, [])
    .action(async (o: { host: string; port: string; module: string[] }) => {
      const address = process.env.TEMPORAL_ADDRESS;
      const databaseUrl = process.env.DATABASE_URL;
      if (!address) throw new CliError('sluice serve needs TEMPORAL_ADDRESS (host:port of the Temporal server)');
      if (!databaseUrl) throw new CliError('sluice serve needs DATABASE_URL (PostgreSQL shared with the workers)');
      const logger = createLogger({ level: process.env.SLUICE_LOG_LEVEL ?? 'info' });
      const metadata = await openMetadataStore({ databaseUrl });
      const artifacts = await openArtifactStore({ root: process.env.SLUICE_ARTIFACTS ?? path.join(stateDir(), 'artifacts') });
      const connection = await Connection.connect({ address });
      const registry = new ComponentRegistry();
      await registry.importModule('sluice/components');
      for (const m of o.module) await registry.importModule(m);
      try {
        const api = await startApiServer({
          metadata,
          artifacts,
          client: new Client({ connection }),
          registry,
          taskQueuePrefix: process.env.SLUICE_TASK_QUEUE_PREFIX ?? DEFAULT_TASK_QUEUE_PREFIX,
          auth: { enabled: process.env.SLUICE_AUTH !== 'off' },
          logger,
          host: o.host,
          port: port(o.port),
          extend: (app) => serveEditor(app),
        });
        logger.info({ url: api.url }, 'Sluice API listening');
        print(`Sluice API listening on ${api.url}`);
        await untilSignal();
        await api.close();
      } finally {
        await connection.close();
        await metadata.close();
      }
    });
}
