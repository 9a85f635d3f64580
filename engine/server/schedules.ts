/** Schedules over HTTP: the same checks and translation as `sluice schedules` (engine/automation/schedules). */
import { PipelineValidationError } from '../../dsl/errors';
import { RunParamsError } from '../runs/index';
import {
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  describeSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  ScheduleError,
  triggerSchedule,
  type ScheduleDeps,
} from '../automation/index';
import type { ApiContext } from './context';
import { ApiProblem } from './problem';
import { implement, type ApiRoute } from './routing';

/** Schedule errors as problems: bad input 422, unknown schedule 404. */
async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PipelineValidationError) throw new ApiProblem('invalid-pipeline', e.message);
    if (e instanceof RunParamsError) throw new ApiProblem('invalid-params', e.message);
    if (e instanceof ScheduleError) throw new ApiProblem(e.code === 'not-found' ? 'not-found' : 'unprocessable', e.message);
    throw e;
  }
}

export function scheduleRoutes(ctx: ApiContext): ApiRoute[] {
  const deps: ScheduleDeps & { metadata: ApiContext['metadata'] } = { client: ctx.client, metadata: ctx.metadata, taskQueuePrefix: ctx.taskQueuePrefix };
  return [
    implement('createSchedule', {
      handler: async ({ body }) => {
        const { startAt, endAt, ...rest } = body;
        const schedule = await mapped(() =>
          createSchedule(deps, { ...rest, ...(startAt ? { startAt: new Date(startAt) } : {}), ...(endAt ? { endAt: new Date(endAt) } : {}) }),
        );
        return { status: 201, headers: { Location: `/api/schedules/${schedule.id}` }, body: { schedule } };
      },
    }),
    implement('listSchedules', {
      handler: async () => ({ body: { schedules: await listSchedules(deps) } }),
    }),
    implement('getSchedule', {
      handler: async ({ params }) => ({ body: { schedule: await mapped(() => describeSchedule(deps, params.schedule)) } }),
    }),
    implement('pauseSchedule', {
      handler: async ({ params, body }) => ({ body: { schedule: await mapped(() => pauseSchedule(deps, params.schedule, body.note)) } }),
    }),
    implement('resumeSchedule', {
      handler: async ({ params, body }) => ({ body: { schedule: await mapped(() => resumeSchedule(deps, params.schedule, body.note)) } }),
    }),
    implement('triggerSchedule', {
      handler: async ({ params, body }) => {
        await mapped(() => triggerSchedule(deps, params.schedule, body.overlap));
        return { status: 202, body: { triggered: params.schedule } };
      },
    }),
    implement('backfillSchedule', {
      handler: async ({ params, body }) => {
        await mapped(() => backfillSchedule(deps, params.schedule, new Date(body.from), new Date(body.to), body.overlap));
        return { status: 202, body: { backfilling: params.schedule, from: body.from, to: body.to } };
      },
    }),
    implement('deleteSchedule', {
      handler: async ({ params }) => {
        await mapped(() => deleteSchedule(deps, params.schedule));
        return { status: 204 };
      },
    }),
  ];
}
