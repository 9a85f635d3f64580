/**
 * `sluice pipelines diff <name>@<v1> <name>@<v2> [--json]`: what changed between two stored versions
 * of a pipeline (sluice/ir's diffPipelines): tasks added, removed, changed (component, inputs,
 * options), edges rewired, pipeline inputs and outputs. A version is `v<N>` (v1 the oldest), its id
 * or a digest prefix. The server's API when one is reachable, else the metadata store.
 */
import type { Command } from 'commander';
import { canonicalJson, diffPipelines, type PipelineDiff, type PipelineDiffEdge } from '../../../dsl/ir/index';
import { resolveVersionRef, type PipelineVersionSummary } from '../../stores/metadata/index';
import { CliError } from '../CliError';
import { onTypedTarget, print } from './typedApi';

interface VersionRef {
  pipeline: string;
  version: string;
}

function parseRef(text: string): VersionRef {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) throw new CliError(`"${text}": name a version as <pipeline>@<version>, e.g. iris@v1 (v<N>, a version id or a digest prefix)`);
  return { pipeline: text.slice(0, at), version: text.slice(at + 1) };
}

const json = (v: unknown): string => (v === null || v === undefined ? '(none)' : canonicalJson(v));
const edge = (e: PipelineDiffEdge): string => (e.output === null ? `${e.from} → ${e.to} (after)` : `${e.from}.${e.output} → ${e.to}.${e.input ?? ''}`);

export function formatPipelineDiff(diff: PipelineDiff, from: string, to: string): string {
  if (diff.identical) return `${from} and ${to} are the same pipeline (editor layout aside)`;
  const out: string[] = [`${from} → ${to}`];
  if (diff.name) out.push(`  name: ${diff.name.from} → ${diff.name.to}`);
  for (const t of diff.tasks.added) out.push(`+ task ${t.id}${t.component ? ` (${t.component})` : ` (${t.kind})`}${t.scope.length ? ` in ${t.scope.join('/')}` : ''}`);
  for (const t of diff.tasks.removed) out.push(`- task ${t.id}${t.component ? ` (${t.component})` : ` (${t.kind})`}${t.scope.length ? ` in ${t.scope.join('/')}` : ''}`);
  for (const t of diff.tasks.changed) {
    out.push(`~ task ${t.id}`);
    if (t.component) {
      const c = t.component;
      out.push(`    component ${c.from.name}@${c.from.version} (${c.from.digest.slice(0, 12)}) → ${c.to.name}@${c.to.version} (${c.to.digest.slice(0, 12)})${c.specChanged && c.from.digest === c.to.digest ? ' (ports or options)' : ''}`);
    }
    for (const i of t.inputs) out.push(`    input ${i.name}: ${json(i.from)} → ${json(i.to)}`);
    for (const o of t.options) out.push(`    ${o.name}: ${json(o.from)} → ${json(o.to)}`);
  }
  for (const e of diff.edges.removed) out.push(`- edge ${edge(e)}`);
  for (const e of diff.edges.added) out.push(`+ edge ${edge(e)}`);
  for (const [what, d] of [['input', diff.inputs], ['output', diff.outputs]] as const) {
    for (const x of d.added) out.push(`+ pipeline ${what} ${x.name}: ${json(x.to)}`);
    for (const x of d.removed) out.push(`- pipeline ${what} ${x.name}: ${json(x.from)}`);
    for (const x of d.changed) out.push(`~ pipeline ${what} ${x.name}: ${json(x.from)} → ${json(x.to)}`);
  }
  return out.join('\n');
}

export function registerPipelineCommands(program: Command): void {
  const pipelines = program.command('pipelines').description('stored pipelines and their versions');
  pipelines
    .command('diff')
    .description('what changed between two versions of a pipeline: tasks, wiring, components, inputs, options')
    .argument('<from>', '<pipeline>@<version>: v<N> (v1 the oldest), a version id or a digest prefix')
    .argument('<to>', '<pipeline>@<version>')
    .option('--json', 'print JSON')
    .action(async (fromText: string, toText: string, opts: { json?: boolean }) => {
      const from = parseRef(fromText);
      const to = parseRef(toText);
      if (from.pipeline !== to.pipeline) throw new CliError(`compare two versions of one pipeline, not "${from.pipeline}" and "${to.pipeline}"`);
      const answer = await onTypedTarget<{ from: { id: string; digest: string }; to: { id: string; digest: string }; diff: PipelineDiff }>({
        api: (api) => api.diffPipelineVersions({ params: { pipeline: from.pipeline }, query: { from: from.version, to: to.version } }),
        local: async (m) => {
          const pipeline = (await m.listPipelines()).find((p) => p.name === from.pipeline || p.id === from.pipeline);
          if (!pipeline) throw new CliError(`no stored pipeline named "${from.pipeline}"`, { code: 'not-found' });
          const versions = await m.listPipelineVersions({ pipelineId: pipeline.id });
          const pick = (ref: VersionRef): PipelineVersionSummary => {
            const found = resolveVersionRef(versions, ref.version, pipeline.name);
            if (!found.ok) throw new CliError(found.message, { code: found.code === 'not-found' ? 'not-found' : 'invalid' });
            return found.version;
          };
          const [a, b] = await Promise.all([m.getPipelineVersion(pick(from).id), m.getPipelineVersion(pick(to).id)]);
          if (!a || !b) throw new CliError(`a version of pipeline "${pipeline.name}" disappeared while reading it; try again`, { code: 'not-found' });
          return { from: a, to: b, diff: diffPipelines(a.spec, b.spec) };
        },
      });
      if (opts.json) print(JSON.stringify({ from: { id: answer.from.id, digest: answer.from.digest }, to: { id: answer.to.id, digest: answer.to.digest }, diff: answer.diff }, null, 2));
      else print(formatPipelineDiff(answer.diff, `${fromText} (${answer.from.digest.slice(0, 12)})`, `${toText} (${answer.to.digest.slice(0, 12)})`));
    });
}
