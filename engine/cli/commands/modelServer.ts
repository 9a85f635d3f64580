/**
 * `sluice model-server`: the model server (engine/serving) as its own process. It reads the
 * registry from the metadata store (DATABASE_URL, else the state directory's PGlite, whose lock it
 * then holds) and model files from the artifact store (SLUICE_ARTIFACTS), like the other processes.
 * `sluice dev` starts the same server in its own process, with the default settings
 * (`--model-server-port`).
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { isLoopbackHost } from '../../server/index';
import { DEFAULT_REQUEST_LOG, startModelServer, type ModelServerOptions, type RunningModelServer } from '../../serving/index';
import { openArtifactStore } from '../../stores/artifacts/index';
import { createLogger } from '../../logging';
import { sluiceVersion, stateDir } from '../../paths';
import { CliError } from '../CliError';
import { withMetadata } from '../metadataAccess';

export interface ModelServerFlags {
  maxBatchSize: string;
  maxQueueDelayMs: string;
  maxConcurrentBatches: string;
  provider: 'auto' | 'cpu' | 'cuda';
  gpu: string;
  threads: string;
  pollMs: string;
  defaultAlias: string;
  logSample: string;
  logFlushRows: string;
  logFlushMs: string;
  logMaxBufferedRows: string;
}

function count(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} must be an integer ≥ ${min}, got "${text}"`);
  return n;
}

export function parsePort(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`${flag} must be a port number, got "${text}"`);
  return n;
}

/** The serving options of `sluice model-server` and `sluice dev`. */
export function addModelServerOptions(cmd: Command): Command {
  return cmd
    .option('--max-batch-size <rows>', 'rows one ONNX Runtime run takes at most (dynamic batching)', '64')
    .option('--max-queue-delay-ms <ms>', 'how long a request waits for others to share its run (0: only while the version is busy)', '0')
    .option('--max-concurrent-batches <n>', 'runs in flight at once per model version', '2')
    .addOption(new Option('--provider <provider>', 'ONNX Runtime execution provider: auto (CUDA when usable), cpu, cuda').choices(['auto', 'cpu', 'cuda']).default('auto'))
    .option('--gpu <ordinal>', 'CUDA device for the cuda provider', '0')
    .option('--threads <n>', "ONNX Runtime intra-op threads per session; 0: its default", '0')
    .option('--poll-ms <ms>', 'how often the registry is read again (alias moves are served within this)', '1000')
    .option('--default-alias <alias>', 'the alias a bare model name means (else its latest version)', 'champion')
    .option('--log-sample <rate>', 'share of answered requests logged (inputs, outputs, model, version, time) to the artifact store as Datasets; 0: off', String(DEFAULT_REQUEST_LOG.sampleRate))
    .option('--log-flush-rows <rows>', 'a request-log Dataset is written once it holds this many rows', String(DEFAULT_REQUEST_LOG.maxRows))
    .option('--log-flush-ms <ms>', 'request-log Datasets are written at least this often (and on shutdown)', String(DEFAULT_REQUEST_LOG.flushMs))
    .option('--log-max-buffered-rows <rows>', 'logged rows held at most while the stores are slow; beyond, samples are dropped and counted', String(DEFAULT_REQUEST_LOG.maxBufferedRows));
}

function rate(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n >= 0 && n <= 1)) throw new CliError(`${flag} must be a number from 0 to 1, got "${text}"`);
  return n;
}

/** Auth of a standalone model server, as `sluice serve`'s: on off loopback unless SLUICE_AUTH=off; SLUICE_AUTH=on turns it on anywhere. */
export function modelServerAuthEnabled(host: string, setting = process.env.SLUICE_AUTH): boolean {
  return setting === 'on' || (setting !== 'off' && !isLoopbackHost(host));
}

/** Server options from the flags. */
export function modelServerSettings(f: ModelServerFlags): Omit<ModelServerOptions, 'source' | 'artifacts' | 'logger'> {
  return {
    batching: {
      maxBatchSize: count('--max-batch-size', f.maxBatchSize, 1),
      maxQueueDelayMs: count('--max-queue-delay-ms', f.maxQueueDelayMs, 0),
      maxConcurrentBatches: count('--max-concurrent-batches', f.maxConcurrentBatches, 1),
    },
    session: { provider: f.provider, gpu: count('--gpu', f.gpu, 0), threads: count('--threads', f.threads, 0) },
    pollMs: count('--poll-ms', f.pollMs, 10),
    defaultAlias: f.defaultAlias,
    requestLog: {
      sampleRate: rate('--log-sample', f.logSample),
      maxRows: count('--log-flush-rows', f.logFlushRows, 1),
      flushMs: count('--log-flush-ms', f.logFlushMs, 1),
      maxBufferedRows: count('--log-max-buffered-rows', f.logMaxBufferedRows, 1),
    },
    // From the package root paths.ts finds (a path relative to this file breaks once bundled into dist/).
    serverVersion: sluiceVersion(),
  };
}

/** Resolves on the first SIGINT/SIGTERM. */
const untilSignal = (): Promise<void> =>
  new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

export function registerModelServerCommand(program: Command): void {
  addModelServerOptions(
    program
      .command('model-server')
      .description('serve registered models over the Open Inference Protocol (KServe v2): /v2/models/<name>[@alias]/infer, metrics at /metrics')
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--port <port>', 'port', '8000'),
  )
    .addHelpText(
      'after',
      '\nEnvironment: DATABASE_URL (PostgreSQL; else the PGlite database in the state directory), SLUICE_ARTIFACTS (default .sluice/artifacts), SLUICE_LOG_LEVEL, SLUICE_AUTH (on: API tokens required, as the API; the default off loopback; off: none).',
    )
    .action(async (o: ModelServerFlags & { host: string; port: string }) => {
      const settings = modelServerSettings(o);
      const port = parsePort('--port', o.port);
      const logger = createLogger({ stderr: true, name: 'sluice-model-server', level: process.env.SLUICE_LOG_LEVEL ?? 'info' });
      const artifacts = await openArtifactStore({ root: process.env.SLUICE_ARTIFACTS ?? path.join(stateDir(), 'artifacts') });
      await withMetadata(async (metadata) => {
        let server: RunningModelServer;
        try {
          server = await startModelServer({
            ...settings,
            requestLog: { ...settings.requestLog, records: metadata },
            ...(modelServerAuthEnabled(o.host) ? { auth: { metadata } } : {}),
            source: metadata,
            artifacts,
            logger,
            host: o.host,
            port,
          });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${port} is in use: pick another with --port`);
          throw e;
        }
        process.stdout.write(
          `model server listening on ${server.url} (Open Inference Protocol: ${server.url}/v2/models/<model>[@alias]/infer · metrics ${server.url}/metrics · ${modelServerAuthEnabled(o.host) ? 'API tokens required' : 'no auth'} · logging ${settings.requestLog?.sampleRate ? `${settings.requestLog.sampleRate * 100}% of requests` : 'off'})\n`,
        );
        await untilSignal();
        process.stderr.write('stopping the model server…\n');
        await server.close();
      });
    });
}
