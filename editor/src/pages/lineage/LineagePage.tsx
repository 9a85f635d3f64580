/**
 * The lineage explorer: from an artifact, a model or a run, its neighbourhood of artifacts and
 * executions, N hops each way (the "Hops" selector, `?hops=n` in the hash), grown lazily: a "+N" on
 * a frontier node loads one more hop that way. A breadcrumb trail remembers where the user moved the
 * centre; the side panel shows the evidence of the selected node; search highlights nodes; runs can
 * be collapsed into one node each; far zoomed out, nodes simplify.
 *
 * Stable hooks for end-to-end tests:
 *   data-testid="lineage-node-artifact-<artifactId>"   data-name="<type> <name>"  (e.g. "Model train-classifier.model")
 *   data-testid="lineage-node-execution-<executionId>" data-name="<task name>"    (e.g. "train-classifier")
 *   data-testid="lineage-node-run-<runId>"             a collapsed run
 *   "+N" buttons named "Load N more upstream of <name>" / "… downstream of <name>"
 *   "show" buttons named "Load the N cached execution(s) that reused <name>" (reuse unfolded)
 *   data-testid="lineage-evidence"                     the side panel of the selected node
 *   inputs labelled "Hops" and "Search nodes"; the trail is nav "Breadcrumb"
 *   data-testid="lineage-status"                       data-state="loading|ready|error"
 */
import { Background, Controls, ReactFlow, ReactFlowProvider, useReactFlow, type Edge, type NodeMouseHandler } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useReducer, useState, type ReactElement } from 'react';
import { ApiError, api } from '../../api/client';
import { href, navigate } from '../../app/route';
import {
  emptyLineage,
  expandPath,
  expansionPath,
  frontier,
  mergeLineage,
  nodeName,
  runsInGraph,
  searchNodes,
  viewGraph,
  type Expansion,
  type LineageAnswer,
  type LineageState,
} from '../../lineage/graph';
import { layoutLineage } from '../../lineage/layoutLineage';
import { parseTrail, pushTrail, type TrailEntry } from '../../lineage/trail';
import { EvidencePanel } from './EvidencePanel';
import { lineageNodeTypes, type LineageFlowNode } from './LineageNode';

type Kind = 'artifact' | 'run' | 'model';
const TRAIL_KEY = 'sluice.lineage.trail';
const HOP_CHOICES = [1, 2, 3, 4, 5, 6, 8, 10];
/** Expansions per round when growing a run's graph by hops: a wide frontier must not fire hundreds of requests. */
const EXPAND_LIMIT = 40;
const EDGE_LABEL_LIMIT = 30;

type Action = { type: 'reset'; root: string } | { type: 'merge'; answer: LineageAnswer };
const reducer = (state: LineageState, a: Action): LineageState => (a.type === 'reset' ? emptyLineage(a.root) : mergeLineage(state, a.answer));

const message = (e: unknown): string => (e instanceof ApiError || e instanceof Error ? e.message : String(e));

function readTrail(): TrailEntry[] {
  try {
    return parseTrail(sessionStorage.getItem(TRAIL_KEY));
  } catch {
    return [];
  }
}
function writeTrail(trail: TrailEntry[]): void {
  try {
    sessionStorage.setItem(TRAIL_KEY, JSON.stringify(trail));
  } catch {
    // Private mode without storage: the trail lives for this page only.
  }
}

export function LineagePage(props: { kind: Kind; id: string; query: URLSearchParams }): ReactElement {
  return (
    <ReactFlowProvider>
      <Explorer {...props} />
    </ReactFlowProvider>
  );
}

function Explorer({ kind, id, query }: { kind: Kind; id: string; query: URLSearchParams }): ReactElement {
  const requestedHops = Number(query.get('hops'));
  const hops = Number.isInteger(requestedHops) && requestedHops > 0 && requestedHops <= 100 ? requestedHops : kind === 'run' ? 1 : 3;
  const [state, dispatch] = useReducer(reducer, id, emptyLineage);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<string | null>(null);
  const [expanding, setExpanding] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [positions, setPositions] = useState<Map<string, { x: number; y: number }>>(new Map());
  const [trail, setTrail] = useState<TrailEntry[]>(readTrail);
  const flow = useReactFlow();

  const fetchAnswer = useCallback((path: string) => api.get<LineageAnswer>(path), []);

  // The start: an artifact's walk both ways (one request); a run's graph, then hops beyond it.
  useEffect(() => {
    let live = true;
    dispatch({ type: 'reset', root: id });
    setStatus('loading');
    setError(null);
    setSelected(null);
    void (async () => {
      try {
        if (kind === 'run') {
          let current = mergeLineage(emptyLineage(id), await fetchAnswer(`/api/runs/${encodeURIComponent(id)}/lineage`));
          if (!live) return;
          dispatch({ type: 'merge', answer: { ...toAnswer(current), root: id } });
          for (let hop = 1; hop < hops + 1 && live; hop++) {
            const edge = frontier(current).slice(0, EXPAND_LIMIT);
            if (edge.length === 0) break;
            const answers = await Promise.all(edge.flatMap((f) => f.directions.map((d) => fetchAnswer(expansionPath(f, d)))));
            if (!live) return;
            for (const a of answers) {
              current = mergeLineage(current, a);
              dispatch({ type: 'merge', answer: a });
            }
          }
        } else {
          const answer = await fetchAnswer(`/api/artifacts/${encodeURIComponent(id)}/lineage?direction=both&depth=${hops}`);
          if (!live) return;
          dispatch({ type: 'merge', answer });
        }
        if (live) setStatus('ready');
      } catch (e) {
        if (!live) return;
        setStatus('error');
        setError(message(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [kind, id, hops, fetchAnswer]);

  // Record where we are in the trail once the root's name is known.
  const rootName = useMemo(() => {
    if (kind === 'run') {
      const run = state.runs[id];
      return run ? `${run.pipelineName} run ${run.id}` : `run ${id}`;
    }
    const node = state.nodes[id];
    return node ? nodeName(node) : id;
  }, [kind, id, state.nodes, state.runs]);
  useEffect(() => {
    if (status !== 'ready') return;
    setTrail((t) => {
      const next = pushTrail(t, { kind, id, name: rootName });
      writeTrail(next);
      return next;
    });
  }, [status, kind, id, rootName]);

  /** Loads one hop from a node, or the cached executions folded into it; a node not in the graph yet (a reuse's original) by its execution id. */
  const expand = useCallback(
    (nodeId: string, expansion: Expansion) => {
      const node = state.nodes[nodeId] ?? { kind: 'execution' as const, id: nodeId };
      setExpanding(nodeId);
      setError(null);
      const what = expansion === 'reused' ? 'the reuses' : `more ${expansion}`;
      fetchAnswer(expandPath(node, expansion))
        .then((answer) => dispatch({ type: 'merge', answer }))
        .catch((e: unknown) => setError(`Could not load ${what} of ${state.nodes[nodeId] ? nodeName(node) : nodeId}: ${message(e)}`))
        .finally(() => setExpanding(null));
    },
    [state.nodes, fetchAnswer],
  );

  const view = useMemo(() => viewGraph(state, collapsed), [state, collapsed]);
  const structureKey = useMemo(() => view.nodes.map((n) => n.id).join('\n') + '\u0000' + view.edges.map((e) => e.id).join('\n'), [view]);
  useEffect(() => {
    let live = true;
    layoutLineage(view.nodes, view.edges)
      .then((p) => live && setPositions(p))
      .catch((e: unknown) => live && setError(`Could not lay out the graph: ${message(e)}`));
    return () => {
      live = false;
    };
    // Keyed on the structure: a selection or a search keystroke must not lay the graph out again.
  }, [structureKey]);

  const matches = useMemo(() => searchNodes(state, search), [state, search]);
  const matchCount = view.nodes.filter((n) => matches.has(n.refId)).length;
  const nodes: LineageFlowNode[] = useMemo(
    () =>
      view.nodes.map((v) => ({
        id: v.id,
        type: 'lineage',
        position: positions.get(v.id) ?? { x: 0, y: 0 },
        data: {
          view: v,
          match: matches.has(v.refId),
          dimmed: search.trim() !== '' && !matches.has(v.refId),
          selected: selected === v.id,
          loading: expanding !== null,
          onExpand: expand,
        },
        selected: selected === v.id,
        draggable: false,
        connectable: false,
        // Hidden until laid out, so nodes do not flash at the origin.
        ...(positions.has(v.id) ? {} : { style: { visibility: 'hidden' as const } }),
      })),
    [view, positions, matches, search, selected, expanding, expand],
  );
  // Port names on edges help in a small graph and bury a large one (the evidence panel names them too).
  const edges: Edge[] = useMemo(
    () =>
      view.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        ...(view.edges.length <= EDGE_LABEL_LIMIT ? { label: e.label } : {}),
        className: e.kind === 'reuse' ? 'lineage-edge is-reuse' : 'lineage-edge',
      })),
    [view],
  );

  // Fit the view when a layout lands (the graph grew or the start changed).
  useEffect(() => {
    if (positions.size === 0) return;
    const t = setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1.2, duration: 200 }), 30);
    return () => clearTimeout(t);
  }, [positions, flow]);

  const onNodeClick: NodeMouseHandler = (_e, node) => setSelected(node.id);
  const focusFirstMatch = (): void => {
    const first = view.nodes.find((n) => matches.has(n.refId));
    if (!first) return;
    setSelected(first.id);
    void flow.fitView({ nodes: [{ id: first.id }], maxZoom: 1.2, duration: 200 });
  };
  const setHops = (n: number): void => navigate(`${href.lineage(kind, id)}?hops=${n}`);
  const runs = runsInGraph(state);
  const toggleRun = (runId: string): void =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (next.has(runId)) next.delete(runId);
      else next.add(runId);
      if (selected !== null && (selected === `run:${runId}` || !next.has(runId))) setSelected(null);
      return next;
    });

  return (
    <main className="page lineage-page">
      <div className="lineage-toolbar">
        <nav aria-label="Breadcrumb" className="breadcrumb">
          <ol>
            {trail.map((t, i) => (
              <li key={`${t.kind}:${t.id}`}>
                {t.id === id && i === trail.length - 1 ? (
                  <span aria-current="page">{t.name}</span>
                ) : (
                  <a href={href.lineage(t.kind, t.id)}>{t.name}</a>
                )}
              </li>
            ))}
            {!trail.some((t) => t.id === id) && (
              <li>
                <span aria-current="page">{rootName}</span>
              </li>
            )}
          </ol>
        </nav>
        <h1 className="sr-only">Lineage of {rootName}</h1>
        <label>
          Hops{' '}
          <select value={hops} onChange={(e) => setHops(Number(e.target.value))}>
            {[...new Set([...HOP_CHOICES, hops])].sort((a, b) => a - b).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search nodes{' '}
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') focusFirstMatch();
            }}
            placeholder="name, type, task…"
          />
        </label>
        {search.trim() !== '' && (
          <span role="status" className="muted">
            {matchCount} match{matchCount === 1 ? '' : 'es'}
          </span>
        )}
        <span className="muted" data-testid="lineage-status" data-state={status} role="status">
          {status === 'loading' ? 'Loading…' : status === 'ready' ? `${Object.keys(state.nodes).length} nodes` : 'failed'}
          {expanding !== null ? ' · loading more…' : ''}
        </span>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
          {status === 'error' && (
            <>
              {' '}
              <a href={href.runs()}>Back to the runs</a>
            </>
          )}
        </p>
      )}
      {runs.length > 1 && (
        <fieldset className="run-groups">
          <legend>Collapse by run</legend>
          {runs.map(({ run, count }) => (
            <label key={run.id}>
              <input type="checkbox" checked={collapsed.has(run.id)} onChange={() => toggleRun(run.id)} /> {'pipelineName' in run ? `${run.pipelineName} ` : ''}run {run.id} ({count})
            </label>
          ))}
        </fieldset>
      )}
      <div className="lineage-body">
        <section className="lineage-graph" aria-label="Lineage graph">
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={lineageNodeTypes}
            onNodeClick={onNodeClick}
            onPaneClick={() => setSelected(null)}
            nodesDraggable={false}
            nodesConnectable={false}
            edgesFocusable={false}
            onlyRenderVisibleElements
            minZoom={0.05}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={16} />
            <Controls showInteractive={false} />
          </ReactFlow>
        </section>
        {selected !== null && (
          <EvidencePanel key={selected} state={state} selected={selected} loading={expanding !== null} onExpand={expand} onClose={() => setSelected(null)} />
        )}
      </div>
      {/* The same nodes as a list, for keyboard and screen-reader users. */}
      <details className="node-list">
        <summary>Nodes as a list ({view.nodes.length})</summary>
        <ul>
          {view.nodes.map((v) => (
            <li key={v.id}>
              <button type="button" onClick={() => setSelected(v.id)}>
                {v.kind} {v.name}
              </button>
            </li>
          ))}
        </ul>
      </details>
    </main>
  );
}

/** The graph as an answer (to seed the reducer from a state built outside it). */
function toAnswer(s: LineageState): LineageAnswer {
  return {
    root: s.root,
    nodes: Object.values(s.nodes),
    edges: Object.values(s.edges),
    truncated: false,
    neighbours: Object.entries(s.neighbours).map(([id, n]) => ({ id, ...n })),
    runs: Object.values(s.runs),
  };
}
