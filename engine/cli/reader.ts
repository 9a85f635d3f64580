/**
 * What the CLI reads about runs, in the API's wire types (engine/contract) whichever way it reads
 * them: through a server's API (the contract's client, answers checked by its schemas), or from the
 * metadata store this process opened — whose records are turned into the same wire form by the
 * contract's schemas (`toWire`), so a command prints the same thing both ways.
 */
import type { z } from 'zod';
import {
  artifactSchema,
  executionSchema,
  lineageNeighbourhoodSchema,
  logLineSchema,
  runArtifactSchema,
  runSchema,
  type Artifact,
  type Encodable,
  type Execution,
  type LineageNeighbourhood,
  type LiveStatus,
  type LogLine,
  type Run,
  type RunDetail,
  type RunStatus,
} from '../contract/index';
import type { MetadataStore } from '../stores/metadata/index';
import type { ServedApi } from './api';

/** A record of this process's store in the wire form its API route answers with. */
export function toWire<S extends z.ZodType>(schema: S, value: Encodable<z.input<S>>): z.output<S> {
  return schema.parse(JSON.parse(JSON.stringify(value)));
}

/** A lineage walk: the part of the API's answer that the store's walk gives too. */
export type LineageGraph = Pick<LineageNeighbourhood, 'root' | 'nodes' | 'edges' | 'truncated'>;
const lineageGraphSchema = lineageNeighbourhoodSchema.pick({ root: true, nodes: true, edges: true, truncated: true });

/** A run with its executions and artifacts; `live`, the workflow's own view, from a served stack while the run runs. */
export type RunView = Omit<RunDetail, 'live'> & { live?: LiveStatus };

export interface RunReader {
  listRuns(filter: { limit?: number; pipelineName?: string; status?: RunStatus }): Promise<Run[]>;
  getRun(id: string): Promise<Run | undefined>;
  runDetail(id: string): Promise<RunView | undefined>;
  getArtifact(id: string): Promise<Artifact | undefined>;
  lineage(id: string, o: { direction: 'upstream' | 'downstream' | 'both'; depth: number }): Promise<LineageGraph>;
  /** The cached executions folded into a node (its `reusedBy`). */
  listReusingExecutions(target: { artifactId: string } | { executionId: string }, o: { limit: number }): Promise<Execution[]>;
  listTaskLogs(filter: { runId: string; taskId?: string; attempt?: number; limit?: number }): Promise<LogLine[]>;
}

/** Reads through a server's API. */
export function apiReader(api: ServedApi): RunReader {
  const { client } = api;
  return {
    async listRuns(f) {
      const { runs } = await client.listRuns({
        query: { ...(f.limit !== undefined ? { limit: f.limit } : {}), ...(f.pipelineName ? { pipeline: f.pipelineName } : {}), ...(f.status ? { status: f.status } : {}) },
      });
      return runs;
    },
    async getRun(id) {
      return (await api.found((c) => c.getRun({ params: { runId: id } })))?.run;
    },
    async runDetail(id) {
      const detail = await api.found((c) => c.getRun({ params: { runId: id } }));
      if (!detail) return undefined;
      const { live, ...rest } = detail;
      return { ...rest, ...(live ? { live } : {}) };
    },
    async getArtifact(id) {
      return (await api.found((c) => c.getArtifact({ params: { artifactId: id } })))?.artifact;
    },
    async lineage(id, o) {
      return client.getArtifactLineage({ params: { artifactId: id }, query: { depth: o.depth, direction: o.direction } });
    },
    async listReusingExecutions(target, o) {
      const graph =
        'executionId' in target
          ? await client.getExecutionReuse({ params: { executionId: target.executionId }, query: { limit: o.limit } })
          : await client.getArtifactReuse({ params: { artifactId: target.artifactId }, query: { limit: o.limit } });
      // The answer is the node and, one hop away, the cached executions folded into it.
      return graph.nodes.flatMap((n) => (n.depth > 0 && n.execution ? [n.execution] : []));
    },
    async listTaskLogs(f) {
      const { lines } = await client.getRunLogs({
        params: { runId: f.runId },
        query: { ...(f.taskId !== undefined ? { task: f.taskId } : {}), ...(f.attempt !== undefined ? { attempt: f.attempt } : {}), ...(f.limit !== undefined ? { limit: f.limit } : {}) },
      });
      return lines;
    },
  };
}

/** Reads the metadata store this process opened. */
export function storeReader(m: MetadataStore): RunReader {
  return {
    async listRuns(f) {
      return (await m.listRuns(f)).map((r) => toWire(runSchema, r));
    },
    async getRun(id) {
      const run = await m.getRun(id);
      return run && toWire(runSchema, run);
    },
    async runDetail(id) {
      const run = await m.getRun(id);
      if (!run) return undefined;
      // Imported here: this module also serves `sluice run` against a server, which must not load the store (bench/cliStartup.ts).
      const { readRunAnnotations } = await import('../stores/metadata/index');
      return {
        run: toWire(runSchema, run),
        executions: (await m.listExecutions(id)).map((e) => toWire(executionSchema, e)),
        artifacts: (await m.listRunArtifacts(id)).map((a) => toWire(runArtifactSchema, { ...a, reused: a.reused ?? false })),
        ...(await readRunAnnotations(m, id)),
      };
    },
    async getArtifact(id) {
      const artifact = await m.getArtifact(id);
      return artifact && toWire(artifactSchema, artifact);
    },
    async lineage(id, o) {
      return toWire(lineageGraphSchema, await m.lineage(id, o));
    },
    async listReusingExecutions(target, o) {
      return (await m.listReusingExecutions(target, o)).map((e) => toWire(executionSchema, e));
    },
    async listTaskLogs(f) {
      return (await m.listTaskLogs(f)).map((l) => toWire(logLineSchema, l));
    },
  };
}
