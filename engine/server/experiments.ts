/** Experiments: named groups of runs, to compare them (their runs list filters like GET /api/runs). */
import { randomUUID } from 'node:crypto';
import type { ExperimentRecord } from '../stores/metadata/index';
import { MetadataStoreError } from '../stores/metadata/index';
import type { ApiContext } from './context';
import { ApiProblem, conflict, jsonPointer, notFound } from './problem';
import { implement, type ApiRoute } from './routing';

export function experimentRoutes(ctx: ApiContext): ApiRoute[] {
  const requireExperiment = async (ref: string): Promise<ExperimentRecord> => {
    const found = await ctx.metadata.getExperiment(ref);
    if (!found) throw notFound(`no experiment with id or name "${ref}" (GET /api/experiments lists them)`, '/params/experiment');
    return found;
  };

  return [
    implement('createExperiment', {
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
    implement('listExperiments', {
      handler: async ({ query }) => ({ body: { experiments: await ctx.metadata.listExperiments({ includeArchived: query.archived === 'true' }) } }),
    }),
    implement('updateExperiment', {
      handler: async ({ params, body }) => {
        const experiment = await requireExperiment(params.experiment);
        try {
          const updated = await ctx.metadata.updateExperiment(experiment.id, {
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.description !== undefined ? { description: body.description } : {}),
            ...(body.archived !== undefined ? { archived: body.archived } : {}),
          });
          if (!updated) throw notFound(`experiment "${experiment.name}" was deleted meanwhile`, '/params/experiment');
          return { body: { experiment: updated } };
        } catch (e) {
          if (e instanceof MetadataStoreError && e.code === 'conflict') {
            throw new ApiProblem('conflict', e.message, { errors: [{ path: '/body/name', message: 'name taken' }] });
          }
          throw e;
        }
      },
    }),
    implement('getExperiment', {
      handler: async ({ params }) => {
        const experiment = await requireExperiment(params.experiment);
        return { body: { experiment, runs: await ctx.metadata.listRuns({ experimentId: experiment.id, limit: 1000 }) } };
      },
    }),
    implement('addExperimentRuns', {
      handler: async ({ params, body }) => {
        const experiment = await requireExperiment(params.experiment);
        const missing: number[] = [];
        for (const [i, id] of body.runIds.entries()) if (!(await ctx.metadata.getRun(id))) missing.push(i);
        if (missing.length) {
          throw new ApiProblem('not-found', `no run with id ${missing.map((i) => `"${body.runIds[i]}"`).join(', ')}; nothing was added`, {
            errors: missing.map((i) => ({ path: jsonPointer(['body', 'runIds', i]), message: 'no such run' })),
          });
        }
        try {
          await ctx.metadata.addRunsToExperiment(experiment.id, body.runIds);
        } catch (e) {
          if (e instanceof MetadataStoreError && e.code === 'conflict') throw conflict(e.message);
          throw e;
        }
        return { body: { experiment: await requireExperiment(experiment.id) } };
      },
    }),
    implement('removeExperimentRun', {
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
