/**
 * The evidence behind the selected lineage node, with people's names: an artifact's preview,
 * properties, producer and readers; an execution's task, run, parameters, code digest, metrics and
 * a link to its logs; a collapsed run's summary. "Explore from here" re-centres the explorer.
 */
import { useEffect, useState, type ReactElement } from 'react';
import type { LineageEdge, MetricSeries, ReuseCount } from 'sluice/api';
import { api } from '../../api/client';
import { href } from '../../app/route';
import { madeBy, nodeName, reuseCount, reuseEntries, reuseLabel, runOf, type LineageState, type ReuseEntry } from '../../lineage/graph';
import { ArtifactPreview } from '../../previews/ArtifactPreview';
import { ValueTable } from '../../previews/ValueTable';
import { MetricsView } from '../run/MetricsView';

/** Neighbours of a node by edge, named: "train (input train)". */
function Links({ state, id, direction, only }: { state: LineageState; id: string; direction: 'upstream' | 'downstream'; only?: LineageEdge[] }): ReactElement | null {
  const edges = only ?? Object.values(state.edges).filter((e) => (direction === 'upstream' ? e.to === id && e.kind !== 'reused' : e.from === id));
  if (edges.length === 0) return null;
  return (
    <ul className="evidence-links">
      {edges.map((e) => {
        const other = state.nodes[direction === 'upstream' ? e.from : e.to];
        if (!other) return null;
        return (
          <li key={`${e.from}|${e.to}|${e.port}`}>
            {other.kind === 'artifact' ? (
              <a href={href.lineage('artifact', other.id)}>{nodeName(other)}</a>
            ) : (
              <a href={href.run(other.execution?.runId ?? '', other.execution?.taskId)}>{nodeName(other)}</a>
            )}{' '}
            <span className="muted">({e.kind === 'reused' ? 'handed out from the cache' : e.kind} {e.port})</span>
          </li>
        );
      })}
    </ul>
  );
}

/**
 * "Reused by N runs", folded; opened, the cached steps from GET /api/artifacts/:id/reuse, each a
 * link to its run's task.
 */
function ReusedBy({ artifactId, count }: { artifactId: string; count: ReuseCount }): ReactElement | null {
  const [open, setOpen] = useState(false);
  const [entries, setEntries] = useState<{ list: ReuseEntry[]; truncated: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open || entries) return;
    let live = true;
    api
      .getArtifactReuse({ params: { artifactId }, query: { limit: 200 } })
      .then((r) => live && setEntries({ list: reuseEntries(r, artifactId), truncated: r.truncated }))
      .catch((e: unknown) => live && setError(`Could not list the reuse: ${e instanceof Error ? e.message : String(e)}`));
    return () => {
      live = false;
    };
  }, [open, entries, artifactId]);
  const label = reuseLabel(count);
  if (!label) return null;
  return (
    <details className="reused-by" data-testid="lineage-reused-by" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        {label[0]?.toUpperCase()}
        {label.slice(1)} <span className="muted">(cached steps that handed it out instead of running)</span>
      </summary>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {open && !entries && !error && <p className="muted">Loading…</p>}
      {entries && (
        <ul className="evidence-links">
          {entries.list.map((r) => (
            <li key={r.executionId}>
              <a href={href.run(r.runId, r.taskId)}>
                {r.runName} → {r.taskId}
              </a>
            </li>
          ))}
          {entries.truncated && <li className="muted">… and more (the first {entries.list.length} shown)</li>}
        </ul>
      )}
    </details>
  );
}

function ExecutionMetrics({ runId, taskId }: { runId: string; taskId: string }): ReactElement | null {
  const [series, setSeries] = useState<MetricSeries[] | null>(null);
  useEffect(() => {
    let live = true;
    api
      .getRunMetrics({ params: { runId } })
      .then((r) => live && setSeries(r.series.filter((s) => s.taskId === taskId)))
      .catch(() => live && setSeries([]));
    return () => {
      live = false;
    };
  }, [runId, taskId]);
  if (!series || series.length === 0) return null;
  return (
    <section aria-label="Metrics">
      <h3>Metrics</h3>
      <MetricsView series={series} />
    </section>
  );
}

export function EvidencePanel({ state, selected, onClose }: { state: LineageState; selected: string; onClose: () => void }): ReactElement {
  const closeButton = (
    <button type="button" className="close" onClick={onClose} aria-label="Close the evidence panel">
      ×
    </button>
  );
  if (selected.startsWith('run:')) {
    const runId = selected.slice(4);
    const run = state.runs[runId];
    return (
      <aside className="evidence" aria-label="Evidence">
        {closeButton}
        <h2>{run ? `${run.pipelineName} run ${run.id}` : `run ${runId}`}</h2>
        {run && <p className="muted">{run.status} · created {new Date(run.createdAt).toLocaleString()}</p>}
        <p>
          <a href={href.run(runId)}>Open the run</a> · <a href={href.lineage('run', runId)}>Explore from this run</a>
        </p>
      </aside>
    );
  }
  const node = state.nodes[selected];
  if (!node) return <aside className="evidence">{closeButton}</aside>;
  const runId = runOf(state, node.id);
  const run = runId !== undefined ? state.runs[runId] : undefined;
  const runName = run ? `${run.pipelineName} run ${run.id}` : runId !== undefined ? `run ${runId}` : undefined;
  if (node.artifact) {
    const made = madeBy(state, node.id);
    const producer = made[0];
    const producerTask = producer ? state.nodes[producer.from]?.execution?.taskId : undefined;
    const reused = reuseCount(state, node.id);
    return (
      <aside className="evidence" aria-label="Evidence" data-testid="lineage-evidence">
        {closeButton}
        <h2>{nodeName(node)}</h2>
        <p>
          {runName !== undefined && runId !== undefined && (
            <>
              from <a href={href.run(runId, producerTask)}>{producerTask ? `${producerTask} in ${runName}` : runName}</a> ·{' '}
            </>
          )}
          <a href={href.lineage(node.artifact.type === 'Model' ? 'model' : 'artifact', node.id)}>Explore from here</a>
        </p>
        <h3>Made by</h3>
        <Links state={state} id={node.id} direction="upstream" only={made} />
        <h3>Read by</h3>
        <Links state={state} id={node.id} direction="downstream" />
        {reused && <ReusedBy key={node.id} artifactId={node.id} count={reused} />}
        <ArtifactPreview artifactId={node.id} showLineageLink={false} />
      </aside>
    );
  }
  const e = node.execution;
  if (!e) return <aside className="evidence">{closeButton}</aside>;
  return (
    <aside className="evidence" aria-label="Evidence" data-testid="lineage-evidence">
      {closeButton}
      <h2>{e.taskId}</h2>
      <p className="muted">
        component {e.componentName} · {e.status}
        {e.attempt > 1 ? ` · attempt ${e.attempt}` : ''}
      </p>
      <p>
        in <a href={href.run(e.runId)}>{runName ?? e.runId}</a> · <a href={href.run(e.runId, e.taskId)}>Logs</a> ·{' '}
        <a href={href.lineage('run', e.runId)}>Explore from this run</a>
      </p>
      {e.error && <pre className="task-error">{e.error}</pre>}
      {e.cachedFrom && <p className="muted">Outputs reused from execution {e.cachedFrom}.</p>}
      <h3>Read</h3>
      <Links state={state} id={node.id} direction="upstream" />
      <h3>Wrote</h3>
      <Links state={state} id={node.id} direction="downstream" />
      <ValueTable caption="Parameters" values={e.params} />
      <ValueTable caption="Output values" values={e.outputParams} />
      <table className="data-table">
        <caption>Code and cache</caption>
        <tbody>
          <tr>
            <th scope="row">code digest</th>
            <td>
              <code>{e.componentDigest}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">cache key</th>
            <td>
              <code>{e.cacheKey ?? '–'}</code>
            </td>
          </tr>
          <tr>
            <th scope="row">ran</th>
            <td>
              {new Date(e.startedAt).toLocaleString()}
              {e.finishedAt ? ` → ${new Date(e.finishedAt).toLocaleTimeString()}` : ''}
            </td>
          </tr>
        </tbody>
      </table>
      <ExecutionMetrics runId={e.runId} taskId={e.taskId} />
    </aside>
  );
}
