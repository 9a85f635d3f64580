/**
 * The evidence behind the selected lineage node, with people's names: an artifact's preview,
 * properties, producer, readers and reuses; an execution's task, run, parameters, code digest,
 * metrics, a link to its logs, and what it reused or who reused it; a collapsed run's summary.
 * "Explore from here" re-centres the explorer.
 */
import { useEffect, useState, type ReactElement } from 'react';
import { api } from '../../api/client';
import { href } from '../../app/route';
import { hiddenNeighbours, nodeName, reuseNote, runOf, type Expansion, type LineageEdgeDto, type LineageNodeDto, type LineageState } from '../../lineage/graph';
import { ArtifactPreview } from '../../previews/ArtifactPreview';
import { ValueTable } from '../../previews/ValueTable';
import type { MetricSeries } from '../../runview/apiTypes';
import { MetricsView } from '../run/MetricsView';

const EDGE_WORDS: Record<LineageEdgeDto['kind'], string> = { input: 'input', output: 'output', reused: 'reused' };

/** A node as a link: an artifact to its lineage, an execution to its task in its run. */
function NodeLink({ state, node }: { state: LineageState; node: LineageNodeDto }): ReactElement {
  if (node.kind === 'artifact') return <a href={href.lineage('artifact', node.id)}>{nodeName(node)}</a>;
  const run = node.execution ? state.runs[node.execution.runId] : undefined;
  return (
    <a href={href.run(node.execution?.runId ?? '', node.execution?.taskId)}>
      {nodeName(node)}
      {node.execution?.status === 'cached' ? ` in ${run ? `${run.pipelineName} run ${run.id}` : `run ${node.execution.runId}`}` : ''}
    </a>
  );
}

/** Neighbours of a node by edge, named: "train (input train)"; only the edges `keep` accepts. */
function Links({
  state,
  id,
  direction,
  keep = () => true,
}: {
  state: LineageState;
  id: string;
  direction: 'upstream' | 'downstream';
  keep?: (e: LineageEdgeDto, other: LineageNodeDto) => boolean;
}): ReactElement | null {
  const links = Object.values(state.edges).flatMap((e) => {
    const other = state.nodes[direction === 'upstream' ? e.from : e.to];
    return (direction === 'upstream' ? e.to === id : e.from === id) && other && keep(e, other) ? [{ e, other }] : [];
  });
  if (links.length === 0) return null;
  return (
    <ul className="evidence-links">
      {links.map(({ e, other }) => (
        <li key={`${e.from}|${e.to}|${e.kind}|${e.port}`}>
          <NodeLink state={state} node={other} /> <span className="muted">({EDGE_WORDS[e.kind]} {e.port})</span>
        </li>
      ))}
    </ul>
  );
}

/** The reuse folded into a node: "↺ reused by 3 runs", the loaded cached executions, a button to load the rest. */
function Reuse({
  state,
  node,
  loading,
  onExpand,
}: {
  state: LineageState;
  node: LineageNodeDto;
  loading: boolean;
  onExpand: (id: string, expansion: Expansion) => void;
}): ReactElement | null {
  const note = reuseNote(state, node);
  if (!note || node.execution?.cachedFrom) return null;
  const hidden = hiddenNeighbours(state, node.id).reused;
  const present = Object.values(state.nodes).filter(
    (n) =>
      n.execution?.status === 'cached' &&
      (node.kind === 'execution' ? n.execution.cachedFrom === node.id : Object.values(state.edges).some((e) => (e.from === n.id && e.to === node.id) || (e.to === n.id && e.from === node.id))),
  );
  return (
    <section aria-label="Reused">
      <h3>Reused</h3>
      <p>
        ↺ {note}{' '}
        {hidden > 0 && (
          <button type="button" className="small" disabled={loading} onClick={() => onExpand(node.id, 'reused')}>
            Show {hidden === 1 ? 'the cached execution' : `the ${hidden} cached executions`}
          </button>
        )}
      </p>
      {present.length > 0 && (
        <ul className="evidence-links">
          {present.map((n) => (
            <li key={n.id}>
              <NodeLink state={state} node={n} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ExecutionMetrics({ runId, taskId }: { runId: string; taskId: string }): ReactElement | null {
  const [series, setSeries] = useState<MetricSeries[] | null>(null);
  useEffect(() => {
    let live = true;
    api
      .get<{ series: MetricSeries[] }>(`/api/runs/${encodeURIComponent(runId)}/metrics`)
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

export function EvidencePanel({
  state,
  selected,
  loading,
  onExpand,
  onClose,
}: {
  state: LineageState;
  selected: string;
  loading: boolean;
  onExpand: (id: string, expansion: Expansion) => void;
  onClose: () => void;
}): ReactElement {
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
    const producer = Object.values(state.edges).find((e) => e.to === node.id && e.kind === 'output');
    const producerTask = producer ? state.nodes[producer.from]?.execution?.taskId : undefined;
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
        <Links state={state} id={node.id} direction="upstream" keep={(e) => e.kind === 'output'} />
        <h3>Read by</h3>
        <Links state={state} id={node.id} direction="downstream" keep={(_e, other) => other.execution?.status !== 'cached'} />
        <Reuse state={state} node={node} loading={loading} onExpand={onExpand} />
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
      {e.cachedFrom && <ReusedFrom state={state} from={e.cachedFrom} loading={loading} onExpand={onExpand} />}
      <h3>Read</h3>
      <Links state={state} id={node.id} direction="upstream" />
      <h3>{e.cachedFrom ? 'Handed out from the cache' : 'Wrote'}</h3>
      <Links state={state} id={node.id} direction="downstream" />
      <Reuse state={state} node={node} loading={loading} onExpand={onExpand} />
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

/** A cached execution's original: named and linked when loaded, else a button that loads it into the graph. */
function ReusedFrom({
  state,
  from,
  loading,
  onExpand,
}: {
  state: LineageState;
  from: string;
  loading: boolean;
  onExpand: (id: string, expansion: Expansion) => void;
}): ReactElement {
  const original = state.nodes[from];
  return (
    <p>
      ↺ Ran nothing: reused the result of{' '}
      {original ? (
        <>
          <NodeLink state={state} node={original} /> <span className="muted">({reuseNote(state, original) || 'its original'})</span>
        </>
      ) : (
        <>
          execution <code>{from}</code>{' '}
          <button type="button" className="small" disabled={loading} onClick={() => onExpand(from, 'downstream')}>
            Show it in the graph
          </button>
        </>
      )}
    </p>
  );
}
