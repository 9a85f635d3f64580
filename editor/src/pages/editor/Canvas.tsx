/**
 * The editing canvas. React Flow runs uncontrolled: it owns node positions while dragging and the
 * selection, so a drag never re-renders the page; the IR stays the source of truth and every IR
 * change is pushed into the flow by `buildFlow` (unchanged nodes keep their objects). Edits go
 * through the pure functions of edit/ via `edit`.
 */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type IsValidConnection,
  type OnConnectEnd,
  type OnNodeDrag,
  type OnSelectionChangeFunc,
} from '@xyflow/react';
import { memo, useCallback, useEffect, useRef, useState, type DragEvent, type ReactElement, type RefObject } from 'react';
import type { PipelineSpec } from 'sluice/ir';
import { buildFlow, type FlowCache } from '../../canvas/flow';
import { nodeTypes } from '../../canvas/nodeTypes';
import { OpenReadable } from '../../canvas/OpenReadable';
import type { FlowEdge, FlowNode } from '../../canvas/types';
import type { EdgeRef } from '../../edit/bindings';
import { connect, connectionProblem, type EditResult, type PortConnection } from '../../edit/connect';
import { moveNodes } from '../../edit/nodeUi';
import { dragConnection, type Notice } from './ConnectionStatus';
import { DRAG_TYPE } from './Palette';

export type Edit = (fn: (spec: PipelineSpec) => PipelineSpec | EditResult, success?: string) => boolean;

export interface Selection {
  nodes: string[];
  edges: EdgeRef[];
}

export interface CanvasProps {
  spec: PipelineSpec;
  specRef: RefObject<PipelineSpec>;
  issues: ReadonlyMap<string, number>;
  edit: Edit;
  notify: (n: Notice) => void;
  onSelection: (s: Selection) => void;
  /** Drops a palette item (by "name@version") at a flow position. */
  onDropComponent: (key: string, position: { x: number; y: number }) => void;
  /** Ids to select once the next IR change has reached the flow (after add / paste). */
  selectNext: RefObject<string[] | null>;
}

const toPortConnection = (c: Connection | Edge): PortConnection | undefined =>
  c.sourceHandle && c.targetHandle ? { source: c.source, sourcePort: c.sourceHandle, target: c.target, targetPort: c.targetHandle } : undefined;

function withSelection<T extends { id: string; selected?: boolean }>(items: T[], ids: ReadonlySet<string>): T[] {
  return items.map((n) => (Boolean(n.selected) === ids.has(n.id) ? n : { ...n, selected: ids.has(n.id) }));
}

function CanvasView({ spec, specRef, issues, edit, notify, onSelection, onDropComponent, selectNext }: CanvasProps): ReactElement {
  const rf = useReactFlow<FlowNode, FlowEdge>();
  const cache = useRef<FlowCache>(new Map());
  const [initial] = useState(() => buildFlow(spec, cache.current, [], { issues }));

  // IR → flow, after every edit, undo or validation change.
  useEffect(() => {
    const built = buildFlow(spec, cache.current, rf.getNodes(), { issues });
    const prevEdges = new Map(rf.getEdges().map((e) => [e.id, e]));
    const edges = built.edges.map((e) => {
      const p = prevEdges.get(e.id);
      return p && p.source === e.source && p.target === e.target && p.sourceHandle === e.sourceHandle && p.targetHandle === e.targetHandle ? p : e;
    });
    const pending = selectNext.current;
    selectNext.current = null;
    if (pending) {
      const ids = new Set(pending);
      rf.setNodes(withSelection(built.nodes, ids));
      rf.setEdges(withSelection(edges, new Set()));
    } else {
      rf.setNodes(built.nodes);
      rf.setEdges(edges);
    }
  }, [spec, issues, rf, selectNext]);

  const isValidConnection = useCallback<IsValidConnection<FlowEdge>>(
    (c) => {
      const pc = toPortConnection(c);
      return pc !== undefined && connectionProblem(specRef.current, pc) === undefined;
    },
    [specRef],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const pc = toPortConnection(c);
      if (!pc) return;
      edit((s) => connect(s, pc), `Connected ${pc.source}.${pc.sourcePort} → ${pc.target}.${pc.targetPort}`);
    },
    [edit],
  );

  // A refused drop keeps its reason on the status line (the live message ends with the drag).
  const onConnectEnd = useCallback<OnConnectEnd>(
    (_event, state) => {
      if (state.isValid !== false || !state.toHandle) return;
      const pc = dragConnection(state);
      const why = pc ? connectionProblem(specRef.current, pc) : 'connect an output (right side) to an input (left side)';
      if (why) notify({ kind: 'error', text: `Not connected: ${why}` });
    },
    [notify, specRef],
  );

  const onNodeDragStop = useCallback<OnNodeDrag<FlowNode>>(
    (_event, _node, nodes) => {
      const positions = new Map(nodes.filter((n) => n.type !== 'conditionGroup').map((n) => [n.id, n.position]));
      edit((s) => moveNodes(s, positions));
    },
    [edit],
  );

  const onSelectionChange = useCallback<OnSelectionChangeFunc<FlowNode, FlowEdge>>(
    ({ nodes, edges }) => {
      onSelection({
        nodes: nodes.filter((n) => n.type !== 'conditionGroup').map((n) => n.id),
        edges: edges.flatMap((e) => (e.data ? [e.data.ref] : [])),
      });
    },
    [onSelection],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const key = e.dataTransfer.getData(DRAG_TYPE);
      if (!key) return;
      e.preventDefault();
      onDropComponent(key, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
    },
    [onDropComponent, rf],
  );

  return (
    <ReactFlow<FlowNode, FlowEdge>
      defaultNodes={initial.nodes}
      defaultEdges={initial.edges}
      nodeTypes={nodeTypes}
      onlyRenderVisibleElements
      // Opens readable (OpenReadable: whole, or its start at a readable zoom); the minimap and the
      // fit-view control show the whole.
      fitViewOptions={{ padding: 0.15, maxZoom: 1.2 }}
      minZoom={0.05}
      maxZoom={2}
      deleteKeyCode={null}
      selectionKeyCode="Shift"
      multiSelectionKeyCode={['Meta', 'Control']}
      isValidConnection={isValidConnection}
      onConnect={onConnect}
      onConnectEnd={onConnectEnd}
      onNodeDragStop={onNodeDragStop}
      onSelectionChange={onSelectionChange}
      onDragOver={onDragOver}
      onDrop={onDrop}
      connectionRadius={24}
      proOptions={{ hideAttribution: true }}
      aria-label="Pipeline canvas"
    >
      <OpenReadable />
      <Background gap={20} />
      <MiniMap pannable zoomable ariaLabel="Minimap" nodeStrokeWidth={2} />
      <Controls aria-label="Zoom controls" />
    </ReactFlow>
  );
}

export const Canvas = memo(CanvasView);
