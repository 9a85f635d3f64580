/** `sluice runs`: list, show, and (runControl.ts, compare.ts) control and compare runs. */
import { Option, type Command } from 'commander';
import { CliError } from '../CliError';
import { formatRun, formatRunList } from '../format';
import { withReader } from '../metadataAccess';
import { registerRunCompareCommand } from './compare';
import { registerRunControlCommands } from './runControl';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

export function registerRunsCommands(program: Command): void {
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
}
