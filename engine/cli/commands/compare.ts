/**
 * `sluice runs compare <id> <id>… [--json]`: parameters side by side (rows that differ marked `≠`),
 * final metrics with the best run per row marked `*` (higher is better unless the key reads as a
 * loss or an error; --lower-is-better / --higher-is-better say otherwise), and "pipeline changed"
 * when the runs are of different pipeline versions. The server's GET /api/runs/compare when one is
 * reachable, else the same comparison (engine/runs/compareRuns.ts) on the metadata store.
 */
import type { Command } from 'commander';
import { compareRuns, CompareRunsError, type RunComparison } from '../../runs/index';
import type { Json } from '../../stores/metadata/index';
import { CliError } from '../CliError';
import { collect } from '../flags';
import { formatValue } from '../format';
import { onTypedTarget, print } from './typedApi';

const cell = (v: Json | undefined): string => (v === null || v === undefined ? '—' : formatValue(v));
const number = (v: number | null): string => (v === null ? '—' : String(Number(v.toPrecision(6))));

/** The comparison as a table: a header of run ids, then params and metrics rows. */
export function formatComparison(cmp: Pick<RunComparison, 'runs' | 'pipelineChanged' | 'params' | 'metrics'>): string {
  const lines: string[] = [];
  if (cmp.pipelineChanged) {
    const versions = [...new Set(cmp.runs.map((r) => `${r.pipelineName}@${r.pipelineDigest.slice(0, 12)}`))];
    lines.push(`pipeline changed: these runs are of ${versions.length} pipeline versions (${versions.join(', ')})`);
  }
  const rows: string[][] = [['', ...cmp.runs.map((r) => r.id)], ['status', ...cmp.runs.map((r) => r.status)]];
  const marks: string[] = ['', ''];
  if (cmp.params.length) {
    rows.push(['params', ...cmp.runs.map(() => '')]);
    marks.push('');
    for (const p of cmp.params) {
      rows.push([p.key, ...p.values.map((v) => cell(v))]);
      marks.push(p.differs ? '≠' : '');
    }
  }
  if (cmp.metrics.length) {
    rows.push(['metrics (final)', ...cmp.runs.map(() => '')]);
    marks.push('');
    for (const m of cmp.metrics) {
      rows.push([`${m.key} ${m.direction === 'higher' ? '↑' : '↓'}`, ...m.values.map((v, i) => `${number(v)}${m.best.includes(i) ? ' *' : ''}`)]);
      marks.push('');
    }
  }
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  rows.forEach((r, i) => {
    const section = r.slice(1).every((x) => x === '') && i > 1;
    const text = section ? r[0] ?? '' : r.map((x, c) => x.padEnd(widths[c] ?? 0)).join('  ');
    lines.push(`${(marks[i] ?? '').padEnd(1)} ${text}`.trimEnd());
  });
  lines.push('≠ parameters that differ   * best value (↑ higher is better, ↓ lower is better)');
  return lines.join('\n');
}

export function registerRunCompareCommand(runs: Command): void {
  runs
    .command('compare')
    .description('compare runs side by side: parameters (differences marked), final metrics (best marked), pipeline version changes')
    .argument('<run-ids...>', 'two or more run ids')
    .option('--lower-is-better <key>', 'a metric where lower is better (repeatable)', collect, [])
    .option('--higher-is-better <key>', 'a metric where higher is better (repeatable)', collect, [])
    .option('--json', 'print JSON (also the metric series keys and the version digests)')
    .action(async (ids: string[], opts: { lowerIsBetter: string[]; higherIsBetter: string[]; json?: boolean }) => {
      if (ids.length < 2) throw new CliError('compare at least two runs: sluice runs compare <run-id> <run-id>…');
      if (ids.length > 50) throw new CliError(`compare at most 50 runs at once, not ${ids.length}`);
      const overrides = { lowerIsBetter: opts.lowerIsBetter, higherIsBetter: opts.higherIsBetter };
      const cmp = await onTypedTarget<RunComparison>({
        api: (api) =>
          api.compareRuns({
            query: {
              ids: ids.join(','),
              ...(opts.lowerIsBetter.length ? { lowerIsBetter: opts.lowerIsBetter.join(',') } : {}),
              ...(opts.higherIsBetter.length ? { higherIsBetter: opts.higherIsBetter.join(',') } : {}),
            },
          }),
        local: async (m) => {
          try {
            return await compareRuns(m, ids, overrides);
          } catch (e) {
            if (e instanceof CompareRunsError) throw new CliError(`${e.message} (sluice runs list shows them)`, { code: 'not-found' });
            throw e;
          }
        },
      });
      print(opts.json ? JSON.stringify(cmp, null, 2) : formatComparison(cmp));
    });
}
