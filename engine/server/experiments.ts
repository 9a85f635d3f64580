/** Experiments: named groups of runs, to compare them (their runs list filters like GET /api/runs). */
import { randomUUID } from 'node:crypto';
import type { ExperimentRecord } from '../stores/metadata/index';
import { MetadataStoreError } from '../stores/metadata/index';
import type { ApiContext } from './context';
import { z } from './openapi';
import { ApiProblem, conflict, jsonPointer, notFound } from './problem';
import { defineRoute, type ApiRoute } from './routing';
import { experimentSchema, idSchema, runSchema } from './schemas';

const experimentParams = z.strictObject({ experiment: idSchema.openapi({ description: 'Experiment id or name' }) });

export function experimentRoutes(ctx: ApiContext): ApiRoute[] {
  const requireExperiment = async (ref: string): Promise<ExperimentRecord> => {
    const found = await ctx.metadata.getExperiment(ref);
    if (!found) throw notFound(`no experiment with id or name "${ref}" (GET /api/experiments lists them)`, '/params/experiment');
    return found;
  };

  return [
    defineRoute({
      method: 'post',
      path: '/api/experiments',
      access: 'editor',
      operationId: 'createExperiment',
      summary: 'Create an experiment (a named group of runs)',
      tags: ['experiments'],
      body: z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9][\w .-]{0,99}$/, 'must start with a letter or digit and hold letters, digits, " ", ".", "-", "_" (max 100)'),
        description: z.string().max(10_000).optional(),
      }),
      responses: {
        201: { description: 'Created', schema: z.object({ experiment: experimentSchema }) },
        409: { description: 'An experiment with this name exists' },
      },
      handler: async ({ body }) => {
        try {
          const experiment = await ctx.metadata.createExperiment({ id: randomUUID(), name: body.name, description: body.description ?? null });
          return { status: 201, headers: { Location: `/api/experiments/${experiment.id}` }, body: { experiment } };
        } catch (e) {
          if (e instanceof MetadataStoreError && e.code === 'conflict') throw conflict(e.message);
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/experiments',
      access: 'viewer',
      operationId: 'listExperiments',
      summary: 'Experiments, by name',
      tags: ['experiments'],
      responses: { 200: { description: 'Experiments', schema: z.object({ experiments: z.array(experimentSchema) }) } },
      handler: async () => ({ body: { experiments: await ctx.metadata.listExperiments() } }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/experiments/:experiment',
      access: 'viewer',
      operationId: 'getExperiment',
      summary: 'An experiment and its runs, newest first',
      tags: ['experiments'],
      params: experimentParams,
      responses: { 200: { description: 'The experiment', schema: z.object({ experiment: experimentSchema, runs: z.array(runSchema) }) } },
      handler: async ({ params }) => {
        const experiment = await requireExperiment(params.experiment);
        return { body: { experiment, runs: await ctx.metadata.listRuns({ experimentId: experiment.id, limit: 1000 }) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/experiments/:experiment/runs',
      access: 'editor',
      operationId: 'addExperimentRuns',
      summary: 'Add runs to an experiment (idempotent)',
      tags: ['experiments'],
      params: experimentParams,
      body: z.strictObject({ runIds: z.array(idSchema).min(1).max(1000) }),
      responses: { 200: { description: 'The experiment after the change', schema: z.object({ experiment: experimentSchema }) } },
      handler: async ({ params, body }) => {
        const experiment = await requireExperiment(params.experiment);
        const missing: number[] = [];
        for (const [i, id] of body.runIds.entries()) if (!(await ctx.metadata.getRun(id))) missing.push(i);
        if (missing.length) {
          throw new ApiProblem('not-found', `no run with id ${missing.map((i) => `"${body.runIds[i]}"`).join(', ')}; nothing was added`, {
            errors: missing.map((i) => ({ path: jsonPointer(['body', 'runIds', i]), message: 'no such run' })),
          });
        }
        await ctx.metadata.addRunsToExperiment(experiment.id, body.runIds);
        return { body: { experiment: await requireExperiment(experiment.id) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/experiments/:experiment/runs/:runId',
      access: 'editor',
      operationId: 'removeExperimentRun',
      summary: 'Take a run out of an experiment (the run stays)',
      tags: ['experiments'],
      params: experimentParams.extend({ runId: idSchema }),
      responses: { 204: { description: 'Removed' } },
      handler: async ({ params }) => {
        const experiment = await requireExperiment(params.experiment);
        if (!(await ctx.metadata.removeRunFromExperiment(experiment.id, params.runId))) {
          throw notFound(`run "${params.runId}" is not in experiment "${experiment.name}"`, '/params/runId');
        }
        return { status: 204 };
      },
    }),
  ];
}
