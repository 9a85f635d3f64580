/**
 * Lineage: the events that link executions and artifacts (read, wrote, reused), and the graph they
 * make, walked with recursive CTEs.
 */
import type { ArtifactRecord } from '../artifacts/ArtifactRecordStore';
import type { ExecutionRecord } from '../executions/ExecutionStore';

/**
 * How an execution is linked to an artifact. 'input': it read the artifact; 'output': it wrote it
 * (an artifact has exactly one); 'reused': a cached execution handed out, at its output port, an
 * artifact that another execution wrote (the reuse relation, never a second producer).
 */
export type EventKind = 'input' | 'output' | 'reused';

export interface EventRecord {
  executionId: string;
  artifactId: string;
  kind: EventKind;
  port: string;
}

/** How often a node was reused from the cache: by how many cached executions, in how many runs. */
export interface ReuseCount {
  executions: number;
  runs: number;
}

export interface LineageNode {
  kind: 'artifact' | 'execution';
  id: string;
  /** Hops from the starting artifact (0 for itself). */
  depth: number;
  artifact?: ArtifactRecord;
  execution?: ExecutionRecord;
  /**
   * The cached executions folded into this node (lineage() fills it in). An execution: those that
   * reused its result (`cachedFrom` = it). An artifact: those linked to it by any event (they
   * handed it out, or were given it).
   */
  reusedBy?: ReuseCount;
}

export interface LineageEdge {
  /**
   * Upstream → downstream: artifact → execution for inputs, execution → artifact for outputs and
   * for reuses (the cached execution → the artifact it handed out).
   */
  from: string;
  to: string;
  kind: EventKind;
  port: string;
}

/**
 * A node's neighbours in the whole store, counted as lineage walks them. An artifact: upstream its
 * producer, downstream the executions that ran on it. An execution: upstream the artifacts it read,
 * downstream those it wrote or (cached) handed out. `reusedBy` as in LineageNode.
 */
export interface LineageNeighbours {
  id: string;
  upstream: number;
  downstream: number;
  reusedBy: ReuseCount;
}

export interface LineageGraph {
  root: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** True when the depth bound cut the walk short. */
  truncated: boolean;
}

export interface LineageStore {
  /** Idempotent on (executionId, artifactId, kind, port). */
  recordEvent(e: EventRecord): Promise<void>;
  listEvents(filter: { executionId?: string; artifactId?: string; runId?: string }): Promise<EventRecord[]>;
  /** The events between these artifacts and these executions (a graph's edges), in one query. */
  listEventsBetween(nodes: { artifactIds: readonly string[]; executionIds: readonly string[] }): Promise<EventRecord[]>;
  /**
   * Artifacts a run produced or reused (output and reused events of its executions); `reused` says
   * which were written by an execution of another run or task and handed out from the cache.
   */
  listRunArtifacts(runId: string): Promise<(ArtifactRecord & { taskId: string; port: string; reused: boolean })[]>;
  /**
   * The lineage graph around an artifact: upstream (what produced it, from what) and/or downstream
   * (what consumed it, producing what), at most `depth` execution hops each way. Recursive CTEs.
   * Only executions that ran are walked: a cached execution is folded into the nodes it reused
   * (their `reusedBy`), so reuse never adds producers or grows the graph. Edges are the input and
   * output events between the returned nodes. An unknown artifact gives an empty graph.
   */
  lineage(artifactId: string, options: { direction: 'upstream' | 'downstream' | 'both'; depth: number }): Promise<LineageGraph>;
  /** Neighbour counts of these nodes, as lineage() walks them (lazy loading), in one query each kind. */
  countLineageNeighbours(nodes: { artifactIds: readonly string[]; executionIds: readonly string[] }): Promise<LineageNeighbours[]>;
  /**
   * The cached executions folded into a node (its `reusedBy`), oldest first: those that reused an
   * execution, or those linked to an artifact. At most `limit` (default all).
   */
  listReusingExecutions(target: { executionId: string } | { artifactId: string }, options?: { limit?: number }): Promise<ExecutionRecord[]>;
}
