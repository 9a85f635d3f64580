/** Human-readable output of the CLI: run summaries, task tables and lineage trees, from the API's wire types. */
import type { Execution, JsonValue, LineageNode, ReuseCount, Run, RunArtifact } from '../contract/index';
import type { LineageGraph } from './reader';

/** Instants are RFC 3339 text, as the API sends them. */
export function duration(from: string | null | undefined, to: string | null | undefined): string {
  if (!from || !to) return '';
  const ms = Date.parse(to) - Date.parse(from);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatValue(v: JsonValue): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

export function formatParams(params: Record<string, JsonValue>): string {
  const entries = Object.entries(params);
  return entries.length ? entries.map(([k, v]) => `${k}=${formatValue(v)}`).join(' ') : '(none)';
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

export function formatRunList(runs: Run[]): string {
  if (runs.length === 0) return 'no runs yet (start one with: sluice run <pipeline.ts>)';
  return table([
    ['RUN', 'PIPELINE', 'STATUS', 'CREATED', 'DURATION', 'TRIGGER'],
    ...runs.map((r) => [
      r.id,
      r.pipelineName,
      r.status,
      new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19),
      duration(r.startedAt ?? r.createdAt, r.finishedAt),
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- `trigger` is typed as free-form JSON; its `kind` is a string by convention (see RunRecord.trigger). A typed trigger would make this unnecessary.
      String(r.trigger.kind ?? ''),
    ]),
  ]);
}

export function formatRun(
  run: Run,
  executions: Execution[],
  artifacts: RunArtifact[],
): string {
  const lines = [
    `run ${run.id}  pipeline ${run.pipelineName}  ${run.status}`,
    `  params:   ${formatParams(run.params)}`,
    `  created:  ${new Date(run.createdAt).toISOString()}${run.finishedAt ? `  took ${duration(run.startedAt ?? run.createdAt, run.finishedAt)}` : ''}`,
    `  workflow: ${run.workflowId}`,
  ];
  if (run.error) lines.push(`  error:    ${run.error}`);
  if (executions.length) {
    lines.push('', table([
      ['TASK', 'COMPONENT', 'STATUS', 'ATTEMPT', 'DURATION', 'NOTE'],
      ...executions.map((e) => [
        e.taskId,
        e.componentName,
        e.status,
        String(e.attempt),
        duration(e.startedAt, e.finishedAt),
        e.cachedFrom ? `reused ${e.cachedFrom}` : (e.error ?? ''),
      ]),
    ]).replace(/^/gm, '  '));
  }
  if (artifacts.length) {
    lines.push('', '  artifacts:');
    for (const a of artifacts) lines.push(`    ${a.id}  ${a.type}  ${a.taskId}.${a.port}${a.reused ? ' (reused)' : ''}  ${a.size} B  ${a.uri}`);
  }
  return lines.join('\n');
}

/** "reused by 2 runs" (the runs whose cached executions were folded into the node); empty when never reused. */
export function formatReuse(count: ReuseCount | undefined): string {
  if (!count || count.executions === 0) return '';
  return `reused by ${count.runs} run${count.runs === 1 ? '' : 's'}`;
}

function describeExecution(e: Execution, reuse = ''): string {
  const notes = [`task ${e.taskId}`, `run ${e.runId}`, e.status, ...(e.cachedFrom ? [`reused from ${e.cachedFrom}`] : []), ...(reuse ? [reuse] : [])];
  return `${e.componentName} (${notes.join(', ')}) params: ${formatParams(e.params)}`;
}

function describeNode(n: LineageNode | undefined): string {
  if (!n) return '?';
  const reuse = formatReuse(n.reusedBy);
  if (n.artifact) return `${n.artifact.type} ${n.artifact.name} [${n.artifact.id}] sha256:${n.artifact.sha256.slice(0, 12)}${reuse ? ` (${reuse})` : ''}`;
  if (n.execution) return describeExecution(n.execution, reuse);
  return n.id;
}

/**
 * The lineage graph as two indented trees: where the artifact came from, and what used it. Reuse is
 * folded into the nodes ("reused by 2 runs"); `reuses` (node id → the cached executions folded into
 * it, as `sluice lineage --reuse` fetches them) unfolds it under each node.
 */
export function formatLineage(graph: LineageGraph, reuses?: ReadonlyMap<string, Execution[]>): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const out: string[] = [describeNode(byId.get(graph.root))];

  /** The cached executions folded into a node, under it; one shown under its original execution is not repeated under an artifact. */
  const unfold = (id: string, prefix: string): void => {
    const node = byId.get(id);
    const listed = reuses?.get(id);
    if (!node || !listed) return;
    const shown = node.kind === 'artifact' ? listed.filter((e) => !(e.cachedFrom && byId.has(e.cachedFrom))) : listed;
    for (const e of shown) out.push(`${prefix}↺ reused by ${describeExecution(e)}`);
    const more = (node.reusedBy?.executions ?? 0) - listed.length;
    if (more > 0) out.push(`${prefix}↺ … and ${more} more`);
  };

  const walk = (id: string, dir: 'up' | 'down', prefix: string, seen: Set<string>): void => {
    const next = graph.edges
      .filter((e) => (dir === 'up' ? e.to === id : e.from === id))
      .map((e) => ({ edge: e, other: dir === 'up' ? e.from : e.to }));
    next.forEach(({ edge, other }, i) => {
      const last = i === next.length - 1;
      const node = byId.get(other);
      const verb =
        node?.kind === 'execution'
          ? dir === 'up'
            ? `produced (${edge.port}) by`
            : `read (${edge.port}) by`
          : dir === 'up'
            ? `from input ${edge.port}:`
            : `wrote ${edge.port}:`;
      out.push(`${prefix}${last ? '└─ ' : '├─ '}${verb} ${describeNode(node)}`);
      const inner = `${prefix}${last ? '   ' : '│  '}`;
      unfold(other, inner);
      if (!seen.has(other)) walk(other, dir, inner, new Set([...seen, other]));
    });
  };
  unfold(graph.root, '  ');
  const hasUp = graph.edges.some((e) => e.to === graph.root);
  const hasDown = graph.edges.some((e) => e.from === graph.root);
  out.push('upstream:');
  if (hasUp) walk(graph.root, 'up', '  ', new Set([graph.root]));
  else out.push('  (none: not produced by a recorded execution)');
  out.push('downstream:');
  if (hasDown) walk(graph.root, 'down', '  ', new Set([graph.root]));
  else {
    const reuse = formatReuse(byId.get(graph.root)?.reusedBy);
    out.push(reuse ? `  (none ran on it; ${reuse})` : '  (none: no execution has read it yet)');
  }
  if (graph.truncated) out.push('(depth limit reached; use --depth N to see further)');
  if (!reuses && graph.nodes.some((n) => (n.reusedBy?.executions ?? 0) > 0)) out.push('(↺ results reused from the cache are folded into their originals; --reuse lists them)');
  return out.join('\n');
}
