/**
 * `sluice worker`: a standalone worker process for a distributed deployment. It serves the queues
 * asked for (control: workflows and run bookkeeping; cpu/gpu: tasks) against a shared Temporal
 * server (TEMPORAL_ADDRESS), PostgreSQL (DATABASE_URL) and artifact store (SLUICE_ARTIFACTS), and
 * stops gracefully on SIGINT/SIGTERM: tasks still running are cancelled and retried elsewhere.
 */
import type { Command } from 'commander';
import { createLogger } from '../../logging';
import { resolveWorkerSettings, WORKER_QUEUES, WorkerSettingsError, type WorkerFlags, type WorkerSettings } from '../../../workers/index';
import { formatRuntimeReport } from '../../../workers/runtime/index';
import { startWorkerProcess, WorkerStartError, type WorkerProcess } from '../../../workers/index';
import { CliError } from '../CliError';

import { collect } from '../flags';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker process against a shared Temporal server and PostgreSQL (TEMPORAL_ADDRESS, DATABASE_URL)')
    .option('-q, --queue <queue>', `queue to serve: ${WORKER_QUEUES.join('|')} (repeatable)`, collect, [])
    .option('-m, --module <module>', 'module with component implementations, besides sluice/components (repeatable)', collect, [])
    .option('-c, --concurrency <n>', 'cpu tasks run at once (default 8); the gpu queue runs one task per GPU')
    .option('--gpus <gpus>', 'GPUs for --queue gpu: auto (nvidia-smi, the default), none, a count, or indices like 0,2 (default $SLUICE_GPUS)')
    .option('--task-queue-prefix <prefix>', 'prefix of the Temporal task queues (default $SLUICE_TASK_QUEUE_PREFIX or "sluice")')
    .addHelpText(
      'after',
      '\nEnvironment: TEMPORAL_ADDRESS (required), TEMPORAL_NAMESPACE (default "default"), DATABASE_URL (PostgreSQL, required),\n' +
        'SLUICE_ARTIFACTS (artifact directory or s3://bucket/prefix, default .sluice/artifacts; S3 settings: docs/OPERATIONS.md),\n' +
        'SLUICE_GPUS (as --gpus), SLUICE_LOG_LEVEL (default info), SLUICE_URL and SLUICE_TOKEN (the API server: command components\' MLflow clients track there).\n' +
        'At start the worker prints what it found: CPU, memory, GPUs, the TensorFlow.js backend and ONNX Runtime providers.',
    )
    .action(async (flags: WorkerFlags) => {
      let settings: WorkerSettings;
      try {
        settings = resolveWorkerSettings(flags);
      } catch (e) {
        if (e instanceof WorkerSettingsError) throw new CliError(e.message);
        throw e;
      }
      const logger = createLogger({ stderr: true, name: 'sluice-worker', level: process.env.SLUICE_LOG_LEVEL ?? 'info' });
      let worker: WorkerProcess;
      try {
        worker = await startWorkerProcess(settings, logger);
      } catch (e) {
        if (e instanceof WorkerStartError) throw new CliError(e.message);
        throw e;
      }
      let signalled: NodeJS.Signals | undefined;
      const onSignal = (signal: NodeJS.Signals): void => {
        if (signalled) {
          process.stderr.write(`${signal} again: exiting without waiting for running tasks\n`);
          process.exit(130);
        }
        signalled = signal;
        process.stderr.write(`${signal}: stopping the worker (running tasks are cancelled and retried elsewhere)…\n`);
        void worker.shutdown();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      process.stdout.write(`${formatRuntimeReport(worker.runtime, worker.taskQueues)}\n`);
      logger.info({ runtime: worker.runtime, taskQueues: worker.taskQueues }, 'worker runtime');
      process.stdout.write(
        `worker ready: queues ${worker.taskQueues.join(', ')} on ${settings.temporalAddress} (namespace ${settings.namespace}), ` +
          `${worker.components} components, pid ${process.pid}\n`,
      );
      try {
        await worker.done;
        process.stderr.write('worker stopped\n');
      } catch (e) {
        throw new CliError(`the worker failed: ${(e as Error).message}`);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
