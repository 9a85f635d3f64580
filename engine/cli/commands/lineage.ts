/** `sluice lineage`: where an artifact came from and what used it. */
import { Option, type Command } from 'commander';
import type { Execution } from '../../contract/index';
import { CliError } from '../CliError';
import { formatLineage } from '../format';
import { withReader } from '../metadataAccess';

/** Cached executions `sluice lineage --reuse` lists per node. */
const REUSE_LIST_LIMIT = 20;

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

export function registerLineageCommand(program: Command): void {
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

}
