/**
 * `sluice model-server`: the model server (engine/serving) as its own process. It reads the
 * registry from the metadata store (DATABASE_URL, else the state directory's PGlite, whose lock it
 * then holds) and model files from the artifact store (SLUICE_ARTIFACTS), like the other processes.
 * `sluice dev` starts the same server in its own process, with the default settings
 * (`--model-server-port`).
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { startModelServer, type ModelServerOptions, type RunningModelServer } from '../../serving/index';
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
    .option('--default-alias <alias>', 'the alias a bare model name means (else its latest version)', 'champion');
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
    .addHelpText('after', '\nEnvironment: DATABASE_URL (PostgreSQL; else the PGlite database in the state directory), SLUICE_ARTIFACTS (default .sluice/artifacts), SLUICE_LOG_LEVEL.')
    .action(async (o: ModelServerFlags & { host: string; port: string }) => {
      const settings = modelServerSettings(o);
      const port = parsePort('--port', o.port);
      const logger = createLogger({ stderr: true, name: 'sluice-model-server', level: process.env.SLUICE_LOG_LEVEL ?? 'info' });
      const artifacts = await openArtifactStore({ root: process.env.SLUICE_ARTIFACTS ?? path.join(stateDir(), 'artifacts') });
      await withMetadata(async (metadata) => {
        let server: RunningModelServer;
        try {
          server = await startModelServer({ ...settings, source: metadata, artifacts, logger, host: o.host, port });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`port ${port} is in use: pick another with --port`);
          throw e;
        }
        process.stdout.write(`model server listening on ${server.url} (Open Inference Protocol: ${server.url}/v2/models/<model>[@alias]/infer · metrics ${server.url}/metrics)\n`);
        await untilSignal();
        process.stderr.write('stopping the model server…\n');
        await server.close();
      });
    });
}
