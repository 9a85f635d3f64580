/** Tuning studies of a run (`p.tune`): trials as recorded, and changes to a running study (engine/runs/studies.ts). */
import { WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { controlStudy, readStudies, StudyError } from '../runs/index';
import { requireRun, type ApiContext } from './context';
import { ApiProblem, notFound } from './problem';
import { implement, type ApiRoute } from './routing';

export function studyRoutes(ctx: ApiContext): ApiRoute[] {
  return [
    implement('getRunStudies', {
      handler: async ({ params }) => {
        const run = await requireRun(ctx, params.runId);
        return { body: { studies: await readStudies(ctx.metadata, ctx.client, run) } };
      },
    }),
    implement('controlStudy', {
      handler: async ({ params, body }) => {
        const run = await requireRun(ctx, params.runId);
        const { study, ...change } = body;
        if (Object.keys(change).length === 0) throw new ApiProblem('bad-request', 'nothing to change: give parallelTrials, maxTrials or stop', { errors: [{ path: '/body', message: 'no change' }] });
        try {
          const view = await controlStudy(ctx.metadata, ctx.client, run, study, change);
          const [report] = (await readStudies(ctx.metadata, undefined, run)).filter((s) => s.study === view.study);
          return {
            body: {
              study: view.study,
              trials: report?.trials ?? [],
              best: view.best ?? null,
              control: { parallelTrials: view.parallelTrials, maxTrials: view.maxTrials, stopRequested: view.stopRequested },
            },
          };
        } catch (e) {
          if (e instanceof StudyError) {
            if (e.code === 'no-study') throw notFound(e.message, study !== undefined ? '/body/study' : '/params/runId');
            throw new ApiProblem('conflict', e.message, { errors: study !== undefined || e.code === 'ambiguous-study' ? [{ path: '/body/study', message: e.message }] : [] });
          }
          if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) throw new ApiProblem('unavailable', `run ${run.id}: no worker answered within 15 s (is a control worker on task queue "${ctx.taskQueuePrefix}" running?)`);
          throw e;
        }
      },
    }),
  ];
}
