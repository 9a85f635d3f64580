/**
 * `sluice workers`: the workers polling the task queues, with their roles, GPUs and ML runtimes —
 * from the server's API when one is reachable (target.ts), else straight from the Temporal server
 * at TEMPORAL_ADDRESS.
 */
import { Client, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { DEFAULT_TASK_QUEUE_PREFIX } from '../../runs/index';
import type { Workers } from '../../contract/index';
import { CliError } from '../CliError';
import { onTarget } from '../target';
import { listWorkers } from '../../temporal/worker/index';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

/** The same answer as GET /api/workers, from the Temporal server itself. */
async function fromTemporal(prefix: string): Promise<Workers> {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    throw new CliError('no Sluice API to ask (start `sluice dev`, or set SLUICE_URL) and no TEMPORAL_ADDRESS: set one of them to list the workers');
  }
  let connection: Connection;
  try {
    connection = await Connection.connect({ address });
  } catch (e) {
    throw new CliError(`cannot connect to the Temporal server at ${address} (TEMPORAL_ADDRESS): ${(e as Error).message}`);
  }
  try {
    const view = await listWorkers(new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' }), prefix);
    return { queues: view.queues, workers: view.workers.map((w) => ({ ...w, lastSeen: w.lastSeen?.toISOString() ?? null })) };
  } finally {
    await connection.close();
  }
}

export function formatWorkers(answer: Workers, now = Date.now()): string {
  const lines = ['queues:'];
  for (const q of answer.queues) lines.push(`  ${q.name.padEnd(24)} ${q.role.padEnd(7)} ${q.pollers} worker${q.pollers === 1 ? '' : 's'} (${q.idlePollers} idle)`);
  lines.push('', answer.workers.length ? 'workers:' : 'workers: none is polling (start one: sluice worker --queue control --queue cpu)');
  for (const w of answer.workers) {
    const seen = w.lastSeen ? `${Math.max(0, Math.round((now - new Date(w.lastSeen).getTime()) / 1000))} s ago` : 'never';
    const facts = [
      w.roles.join('+'),
      w.gpus.length ? `gpus ${w.gpus.join(',')}` : undefined,
      w.tfjs ? `tfjs ${w.tfjs}` : undefined,
      w.onnx?.length ? `onnx ${w.onnx.join(',')}` : undefined,
      w.polling ? `polling (${seen})` : `not polling for ${seen}: busy on every task slot, or gone`,
    ].filter(Boolean);
    lines.push(`  ${w.process}  ${facts.join(' · ')}`);
  }
  return lines.join('\n');
}

export function registerWorkersCommand(program: Command): void {
  program
    .command('workers')
    .description('list the workers polling the task queues: roles, GPUs, ML runtimes (via the API of `sluice dev`/SLUICE_URL, or TEMPORAL_ADDRESS)')
    .option('--task-queue-prefix <prefix>', 'prefix of the task queues, when asking Temporal directly (default $SLUICE_TASK_QUEUE_PREFIX or "sluice")')
    .option('--json', 'print JSON')
    .action(async (opts: { taskQueuePrefix?: string; json?: boolean }) => {
      const answer = await onTarget({
        api: (api) => api.client.listWorkers(),
        local: () => fromTemporal(opts.taskQueuePrefix ?? process.env.SLUICE_TASK_QUEUE_PREFIX ?? DEFAULT_TASK_QUEUE_PREFIX),
      });
      print(opts.json ? JSON.stringify(answer, null, 2) : formatWorkers(answer));
    });
}
