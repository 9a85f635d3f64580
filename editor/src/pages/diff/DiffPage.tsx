/**
 * Diff mode of the canvas (`#/pipelines/:name/diff?from=&to=`): two versions of a pipeline drawn
 * side by side, the older one with what was removed marked, the newer one with what was added, both
 * with what changed (tasks and wiring), and the list of changes beside them (changed parameters:
 * input bindings, options, components, pipeline inputs and outputs). The diff is the server's
 * (GET /api/pipelines/:p/diff, `dsl/ir/diff.ts`), the same the CLI prints.
 *
 * Hooks for end-to-end tests: nodes `data-testid="diff-node-<side>-<taskId>"` with `data-mark`;
 * the list `data-testid="diff-list"`.
 */
import { Background, Controls, Handle, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { memo, useEffect, useMemo, useState, type ReactElement } from 'react';
import type { PipelineVersionSummary } from 'sluice/api';
import type { PipelineDiff, PipelineSpec } from 'sluice/ir';
import { api, errorText } from '../../api/client';
import { href, navigate } from '../../app/route';
import { diffLines, diffMarks, graphEdgeKey, type NodeMark } from '../../compare/diffMarks';
import { pipelineGraph } from '../../graph/pipelineGraph';
import { useGraphLayout } from '../../layout/useGraphLayout';

type DiffNodeData = { label: string; component?: string; mark?: NodeMark; side: 'from' | 'to'; loop: boolean };
type DiffFlowNode = Node<DiffNodeData, 'diffTask'>;

const MARK_LABEL: Record<NodeMark, string> = { added: '+ added', removed: '− removed', changed: '~ changed' };

const DiffNode = memo(function DiffNode({ id, data }: NodeProps<DiffFlowNode>): ReactElement {
  return (
    <div className={`diff-node${data.loop ? ' diff-loop' : ''}${data.mark ? ` mark-${data.mark}` : ''}`} data-testid={`diff-node-${data.side}-${id}`} data-mark={data.mark ?? 'same'}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="diff-node-label">{data.label}</div>
      {data.component && <div className="diff-node-component muted">{data.component}</div>}
      {data.mark && <div className="diff-node-mark">{MARK_LABEL[data.mark]}</div>}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});
const nodeTypes = { diffTask: DiffNode };

function DiffGraph(props: { spec: PipelineSpec; side: 'from' | 'to'; nodeMarks: ReadonlyMap<string, NodeMark>; edgeMarks: ReadonlySet<string>; title: string }): ReactElement {
  const { spec, side, nodeMarks, edgeMarks } = props;
  const graph = useMemo(() => pipelineGraph(spec), [spec]);
  const { boxes, error: layoutError } = useGraphLayout(graph);
  const nodes = useMemo((): DiffFlowNode[] => {
    if (!boxes) return [];
    // Parents before children (React Flow needs a parent node earlier in the array).
    return [...graph.nodes]
      .sort((a, b) => (a.parent === undefined ? 0 : 1) - (b.parent === undefined ? 0 : 1))
      .map((n) => {
        const box = boxes.get(n.id) ?? { x: 0, y: 0, width: 220, height: 60 };
        const mark = nodeMarks.get(n.id);
        return {
          id: n.id,
          type: 'diffTask',
          position: { x: box.x, y: box.y },
          ...(n.parent !== undefined ? { parentId: n.parent, extent: 'parent' as const } : {}),
          data: { label: n.label, ...(n.component !== undefined ? { component: n.componentSpec?.name ?? n.component } : {}), ...(mark ? { mark } : {}), side, loop: n.kind === 'loop' },
          style: { width: box.width, ...(n.kind === 'loop' ? { height: box.height } : {}) },
          draggable: false,
          connectable: false,
          selectable: false,
        };
      });
  }, [graph, boxes, nodeMarks, side]);
  const focus = useMemo(() => [...nodeMarks.keys()].filter((id) => graph.nodes.some((n) => n.id === id)).map((id) => ({ id })), [graph, nodeMarks]);
  const edges = useMemo(
    (): Edge[] =>
      graph.edges.map((e) => {
        const marked = edgeMarks.has(graphEdgeKey(e));
        return {
          id: e.id,
          source: e.source,
          target: e.target,
          ...(e.sourcePort !== undefined && e.targetPort !== undefined ? { label: e.sourcePort === e.targetPort ? e.sourcePort : `${e.sourcePort} → ${e.targetPort}` } : {}),
          className: marked ? `diff-edge edge-${side === 'from' ? 'removed' : 'added'}` : 'diff-edge',
          ...(marked ? { style: { stroke: side === 'from' ? '#b42318' : '#067647', strokeWidth: 3 } } : e.kind === 'after' ? { style: { strokeDasharray: '5 4' } } : {}),
        };
      }),
    [graph, edgeMarks, side],
  );
  return (
    <section className="diff-graph" aria-label={props.title}>
      <h2>{props.title}</h2>
      {layoutError && (
        <p className="error-text" role="alert">
          Could not lay out the pipeline graph: {layoutError}
        </p>
      )}
      {!boxes && !layoutError && (
        <p className="muted" role="status">
          Laying out the graph…
        </p>
      )}
      {boxes && (
        <div className="diff-canvas">
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            nodesDraggable={false}
            nodesConnectable={false}
            edgesFocusable={false}
            // Opens on what changed, at a readable zoom (a whole pipeline is too small to read); the control's fit view shows the whole.
            fitView
            fitViewOptions={{ padding: 0.3, maxZoom: 1, ...(focus.length ? { nodes: focus } : {}) }}
            minZoom={0.1}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={16} />
            <Controls showInteractive={false} />
          </ReactFlow>
        </div>
      )}
    </section>
  );
}

/** `v3 · 1a2b3c4d · date`: versions numbered oldest first, as the API's `v<N>` names them. */
function versionLabel(v: PipelineVersionSummary, n: number): string {
  return `v${n} · ${v.digest.slice(0, 8)} · ${new Date(v.createdAt).toLocaleString()}`;
}

/** The diff with the two versions' IRs (not the API's answer: its `from`/`to` are version summaries). */
type Loaded = { diff: PipelineDiff; fromSpec: PipelineSpec; toSpec: PipelineSpec };

export function DiffPage(props: { pipeline: string; query: URLSearchParams }): ReactElement {
  const { pipeline } = props;
  const [versions, setVersions] = useState<PipelineVersionSummary[] | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api
      .getPipeline({ params: { pipeline } })
      .then((r) => live && setVersions(r.versions))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [pipeline]);
  // Newest first from the API; numbered oldest first.
  const numbered = useMemo(() => (versions ?? []).map((v, i, all) => ({ v, n: all.length - i })), [versions]);
  const from = props.query.get('from') ?? numbered[1]?.v.id;
  const to = props.query.get('to') ?? numbered[0]?.v.id;
  useEffect(() => {
    if (!from || !to) return;
    let live = true;
    setLoaded(null);
    (async () => {
      const answer = await api.diffPipelineVersions({ params: { pipeline }, query: { from, to } });
      const [a, b] = await Promise.all([answer.from, answer.to].map((v) => api.getPipelineVersion({ params: { pipeline, version: v.id } })));
      if (live && a && b) setLoaded({ diff: answer.diff, fromSpec: a.version.spec as unknown as PipelineSpec, toSpec: b.version.spec as unknown as PipelineSpec });
    })().catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [pipeline, from, to]);
  const marks = useMemo(() => (loaded ? diffMarks(loaded.diff) : null), [loaded]);
  const lines = useMemo(() => (loaded ? diffLines(loaded.diff) : []), [loaded]);
  const pick = (which: 'from' | 'to', id: string): void => navigate(href.diff(pipeline, which === 'from' ? id : (from ?? id), which === 'to' ? id : (to ?? id)));
  const choose = (which: 'from' | 'to', value: string | undefined): ReactElement => (
    <label>
      {which === 'from' ? 'Older version' : 'Newer version'}{' '}
      <select value={value ?? ''} onChange={(e) => pick(which, e.target.value)}>
        {/* A link may name a version by digest prefix or v<N>: keep it selectable. */}
        {value && !numbered.some(({ v }) => v.id === value) && <option value={value}>{value}</option>}
        {numbered.map(({ v, n }) => (
          <option key={v.id} value={v.id}>
            {versionLabel(v, n)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <main className="page diff-page">
      <h1>
        Diff of <a href={href.editor(pipeline)}>{pipeline}</a>
      </h1>
      {error && (
        <p className="error-text" role="alert">
          Could not diff the versions: {error}
        </p>
      )}
      {versions && versions.length < 2 && !props.query.get('from') && <p>This pipeline has one version: nothing to compare yet.</p>}
      {versions && versions.length >= 1 && (
        <form className="filters" aria-label="Versions to compare" onSubmit={(e) => e.preventDefault()}>
          {choose('from', from)}
          {choose('to', to)}
        </form>
      )}
      {loaded && marks && (
        <div className="diff-body">
          <div className="diff-graphs">
            <DiffGraph spec={loaded.fromSpec} side="from" nodeMarks={marks.fromNodes} edgeMarks={marks.fromEdges} title="Older version (removed in red)" />
            <DiffGraph spec={loaded.toSpec} side="to" nodeMarks={marks.toNodes} edgeMarks={marks.toEdges} title="Newer version (added in green)" />
          </div>
          <section className="diff-list" data-testid="diff-list" aria-label="Changes">
            <h2>Changes</h2>
            {loaded.diff.identical ? (
              <p>Nothing differs but the layout.</p>
            ) : (
              <ul>
                {lines.map((l, i) => (
                  <li key={i} className={`mark-${l.mark}`}>
                    <span className="diff-mark">{MARK_LABEL[l.mark]}</span> <strong>{l.subject}</strong> <code>{l.detail}</code>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      )}
    </main>
  );
}
