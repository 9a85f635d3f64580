/**
 * Lineage: the graph of events (artifact → execution for inputs, execution → artifact for outputs)
 * around an artifact (depth-bounded, recursive CTEs in the store), or the whole graph of one run.
 */
import type { ArtifactRecord, LineageEdge, LineageNode } from '../metadata/MetadataStore';
import { requireRun, type ApiContext } from './context';
import { z } from './openapi';
import { notFound } from './problem';
import { defineRoute, type ApiRoute } from './routing';
import { artifactIdParams, lineageGraphSchema, queryInt, runIdParams } from './schemas';

export function lineageRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/artifacts/:artifactId/lineage',
      access: 'viewer',
      operationId: 'getArtifactLineage',
      summary: 'Where an artifact came from and what used it',
      tags: ['lineage'],
      params: artifactIdParams,
      query: z.strictObject({
        depth: queryInt(0, 100).optional().openapi({ description: 'Execution hops each way (default 10)' }),
        direction: z.enum(['upstream', 'downstream', 'both']).optional().openapi({ description: 'Default both' }),
      }),
      responses: { 200: { description: 'The graph; `truncated` when the depth cut it short', schema: lineageGraphSchema } },
      handler: async ({ params, query }) => {
        if (!(await ctx.metadata.getArtifact(params.artifactId))) {
          throw notFound(`no artifact with id "${params.artifactId}" (GET /api/runs/{runId} lists a run's artifacts)`, '/params/artifactId');
        }
        return { body: await ctx.metadata.lineage(params.artifactId, { direction: query.direction ?? 'both', depth: query.depth ?? 10 }) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/runs/:runId/lineage',
      access: 'viewer',
      operationId: 'getRunLineage',
      summary: "A run's graph: its executions, the artifacts they read and wrote, and the events between them",
      tags: ['lineage'],
      params: runIdParams,
      responses: { 200: { description: 'The graph (root: the run id; artifacts from other runs that it read included)', schema: lineageGraphSchema } },
      handler: async ({ params }) => {
        const run = await requireRun(ctx, params.runId);
        const [executions, events, produced] = await Promise.all([
          ctx.metadata.listExecutions(run.id),
          ctx.metadata.listEvents({ runId: run.id }),
          ctx.metadata.listRunArtifacts(run.id),
        ]);
        const artifacts = new Map<string, ArtifactRecord>();
        for (const { taskId: _t, port: _p, ...a } of produced) artifacts.set(a.id, a);
        for (const e of events) {
          if (artifacts.has(e.artifactId)) continue;
          const a = await ctx.metadata.getArtifact(e.artifactId);
          if (a) artifacts.set(a.id, a);
        }
        const nodes: LineageNode[] = [
          ...executions.map((execution): LineageNode => ({ kind: 'execution', id: execution.id, depth: 0, execution })),
          ...[...artifacts.values()].map((artifact): LineageNode => ({ kind: 'artifact', id: artifact.id, depth: 0, artifact })),
        ];
        const edges: LineageEdge[] = events.map((e) =>
          e.kind === 'input'
            ? { from: e.artifactId, to: e.executionId, kind: e.kind, port: e.port }
            : { from: e.executionId, to: e.artifactId, kind: e.kind, port: e.port },
        );
        return { body: { root: run.id, nodes, edges, truncated: false } };
      },
    }),
  ];
}
