/** Schedules over HTTP: the same checks and translation as `sluice schedules` (engine/automation/schedules). */
import { PipelineValidationError } from '../../dsl/errors';
import { RunParamsError } from '../runs/index';
import {
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  describeSchedule,
  listSchedules,
  OVERLAP_POLICIES,
  pauseSchedule,
  resumeSchedule,
  ScheduleError,
  triggerSchedule,
  type ScheduleDeps,
} from '../automation/index';
import type { ApiContext } from './context';
import { z } from './openapi';
import { ApiProblem } from './problem';
import { defineRoute, type ApiRoute } from './routing';
import { pipelineSpecBodySchema } from './pipelines';
import { jsonValueSchema } from './schemas';

const scheduleSchema = z
  .object({
    id: z.string(),
    pipeline: z.string(),
    pipelineVersionId: z.string(),
    cron: z.array(z.string()),
    every: z.array(z.string()),
    timezone: z.string().optional(),
    overlap: z.string(),
    paused: z.boolean(),
    note: z.string().optional(),
    nextRuns: z.array(z.string()),
    recentRuns: z.array(z.object({ nominalTime: z.string(), workflowId: z.string() })),
  })
  .openapi('Schedule');
const idParams = z.strictObject({ schedule: z.string().min(1).max(100) });
const noteBody = z.strictObject({ note: z.string().max(500).optional() });

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
  const one = { 200: { description: 'The schedule', schema: z.object({ schedule: scheduleSchema }) } };
  return [
    defineRoute({
      method: 'post',
      path: '/api/schedules',
      access: 'editor',
      operationId: 'createSchedule',
      summary: 'Create a schedule (cron or intervals) for a pipeline version or IR',
      tags: ['schedules'],
      body: z.strictObject({
        id: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,99}$/).optional(),
        pipelineVersionId: z.string().optional(),
        spec: pipelineSpecBodySchema.optional(),
        params: z.record(z.string(), jsonValueSchema).optional(),
        cron: z.array(z.string().min(1).max(200)).max(20).optional(),
        every: z.array(z.string().max(20)).max(20).optional(),
        timezone: z.string().max(100).optional(),
        startAt: z.iso.datetime().optional(),
        endAt: z.iso.datetime().optional(),
        jitter: z.string().max(20).optional(),
        overlap: z.enum(OVERLAP_POLICIES).optional(),
        catchupWindow: z.string().max(20).optional(),
        pauseOnFailure: z.boolean().optional(),
        paused: z.boolean().optional(),
        note: z.string().max(500).optional(),
      }),
      responses: { 201: { description: 'Created', schema: z.object({ schedule: scheduleSchema }) } },
      handler: async ({ body }) => {
        const { startAt, endAt, ...rest } = body;
        const schedule = await mapped(() =>
          createSchedule(deps, { ...rest, ...(startAt ? { startAt: new Date(startAt) } : {}), ...(endAt ? { endAt: new Date(endAt) } : {}) }),
        );
        return { status: 201, headers: { Location: `/api/schedules/${schedule.id}` }, body: { schedule } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/schedules',
      access: 'viewer',
      operationId: 'listSchedules',
      summary: 'Schedules',
      tags: ['schedules'],
      responses: { 200: { description: 'Schedules', schema: z.object({ schedules: z.array(scheduleSchema) }) } },
      handler: async () => ({ body: { schedules: await listSchedules(deps) } }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/schedules/:schedule',
      access: 'viewer',
      operationId: 'getSchedule',
      summary: 'A schedule with its next and recent runs',
      tags: ['schedules'],
      params: idParams,
      responses: one,
      handler: async ({ params }) => ({ body: { schedule: await mapped(() => describeSchedule(deps, params.schedule)) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/schedules/:schedule/pause',
      access: 'editor',
      operationId: 'pauseSchedule',
      summary: 'Pause a schedule, with a note',
      tags: ['schedules'],
      params: idParams,
      body: noteBody,
      responses: one,
      handler: async ({ params, body }) => ({ body: { schedule: await mapped(() => pauseSchedule(deps, params.schedule, body.note)) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/schedules/:schedule/resume',
      access: 'editor',
      operationId: 'resumeSchedule',
      summary: 'Resume a paused schedule, with a note',
      tags: ['schedules'],
      params: idParams,
      body: noteBody,
      responses: one,
      handler: async ({ params, body }) => ({ body: { schedule: await mapped(() => resumeSchedule(deps, params.schedule, body.note)) } }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/schedules/:schedule/trigger',
      access: 'editor',
      operationId: 'triggerSchedule',
      summary: 'Run the schedule now',
      tags: ['schedules'],
      params: idParams,
      body: z.strictObject({ overlap: z.enum(OVERLAP_POLICIES).optional() }),
      responses: { 202: { description: 'Triggered' } },
      handler: async ({ params, body }) => {
        await mapped(() => triggerSchedule(deps, params.schedule, body.overlap));
        return { status: 202, body: { triggered: params.schedule } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/schedules/:schedule/backfill',
      access: 'editor',
      operationId: 'backfillSchedule',
      summary: 'Run what the schedule would have run in a time range',
      tags: ['schedules'],
      params: idParams,
      body: z.strictObject({ from: z.iso.datetime(), to: z.iso.datetime(), overlap: z.enum(OVERLAP_POLICIES).optional() }),
      responses: { 202: { description: 'Backfill started' } },
      handler: async ({ params, body }) => {
        await mapped(() => backfillSchedule(deps, params.schedule, new Date(body.from), new Date(body.to), body.overlap));
        return { status: 202, body: { backfilling: params.schedule, from: body.from, to: body.to } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/schedules/:schedule',
      access: 'editor',
      operationId: 'deleteSchedule',
      summary: 'Delete a schedule (its runs stay)',
      tags: ['schedules'],
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params }) => {
        await mapped(() => deleteSchedule(deps, params.schedule));
        return { status: 204 };
      },
    }),
  ];
}
