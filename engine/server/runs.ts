/**
 * Runs: submit (a stored pipeline version or an IR, with parameters), list with filters and a
 * cursor, inspect (executions, artifacts and, while running, the workflow's live status), cancel,
 * retry, approve/reject a gate. Everything a request says is checked before the first write.
 */
import { isGrpcServiceError, ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { planRetry, reconcileRun, resolveRunParams, RetryRunError, RunParamsError, submitRun } from '../runs/index';
import { MetadataStoreError, readRunAnnotations, type Json, type RunRecord } from '../stores/metadata/index';
import { approveUpdate } from '../temporal/workflows/index';
import { workflowIdFor } from '../temporal/workflows/types';
import { isFinal, liveStatus, requireRun, type ApiContext } from './context';
import { checkPipelineSpec, pipelineProblem, requireRunnable } from './pipelines';
import { PipelineValidationError } from '../../dsl/errors';
import { ApiProblem, conflict, jsonPointer, notFound, type FieldError } from './problem';
import { implement, type ApiRoute, type Principal } from './routing';
import { columnValues, parseColumnsQuery, parseFilterQuery, parseOrderQuery } from './tracking';

/** Artifact inputs name stored artifacts; a missing one is refused before the run starts. */
async function checkArtifactParams(ctx: ApiContext, spec: ReturnType<typeof checkPipelineSpec>, params: Record<string, Json>): Promise<void> {
  const errors: FieldError[] = [];
  for (const [name, port] of Object.entries(spec.inputs)) {
    const value = params[name];
    if (port.kind !== 'artifact' || typeof value !== 'string') continue;
    if (!(await ctx.metadata.getArtifact(value))) errors.push({ path: jsonPointer(['body', 'params', name]), message: `no artifact with id "${value}"` });
  }
  if (errors.length) throw new ApiProblem('invalid-params', errors.map((e) => e.message).join('; '), { errors });
}

function paramsProblem(e: RunParamsError): ApiProblem {
  const errors = e.problems.map((p) => {
    const name = /parameter "([^"]+)"/.exec(p)?.[1];
    return { path: jsonPointer(name ? ['body', 'params', name] : ['body', 'params']), message: p.replace(/; pass it with --param .*$/, '') };
  });
  return new ApiProblem('invalid-params', `cannot run pipeline "${e.pipeline}": ${errors.map((x) => x.message).join('; ')}`, { errors });
}

/** A Temporal client error → 503 naming what failed; anything else is rethrown (a 500, logged). */
function temporalProblem(e: unknown, what: string): ApiProblem {
  if (e instanceof ServiceError || isGrpcServiceError(e)) {
    return new ApiProblem('unavailable', `${what}: the Temporal server did not accept it (${e.message})`);
  }
  throw e;
}

async function resolveExperimentId(ctx: ApiContext, ref: string, pointer: string, forNewRun = false): Promise<string> {
  const experiment = await ctx.metadata.getExperiment(ref);
  if (!experiment) throw notFound(`no experiment with id or name "${ref}" (GET /api/experiments lists them)`, pointer);
  if (forNewRun && experiment.archivedAt) {
    throw new ApiProblem('conflict', `experiment "${experiment.name}" is archived; restore it (PATCH /api/experiments/${experiment.id} {"archived": false}) or choose another`, {
      errors: [{ path: pointer, message: 'archived experiment' }],
    });
  }
  return experiment.id;
}

/** Ordered pages are paged by position: `@<offset>` (a plain cursor is the last run's id). */
const OFFSET_CURSOR = /^@(\d{1,9})$/;

const by = (p: Principal): string => p.name;
const DECISION_TIMEOUT_MS = 15_000;

export function runRoutes(ctx: ApiContext): ApiRoute[] {
  const handleFor = (run: RunRecord) => ctx.client.workflow.getHandle(run.workflowId || workflowIdFor(run.id));
  /**
   * The run as Temporal has it: an open row whose workflow already closed gets its outcome recorded
   * now (the reconciler would, within its interval), so cancel and retry answer the truth.
   */
  const settledRun = async (run: RunRecord): Promise<RunRecord> => {
    if (isFinal(run)) return run;
    try {
      return (await reconcileRun({ client: ctx.client, metadata: ctx.metadata, logger: ctx.logger }, run)).run;
    } catch (e) {
      throw temporalProblem(e, `checking the workflow of run ${run.id}`);
    }
  };

  const decide = (approved: boolean): ApiRoute =>
    implement(approved ? 'approveGate' : 'rejectGate', {
      handler: async ({ params, body, principal }) => {
        const run = await requireRun(ctx, params.runId);
        if (isFinal(run)) throw conflict(`run ${run.id} already ${run.status}; only a running run has gates to decide`);
        try {
          // The workflow's update handler answers, so a worker must run it: bounded wait.
          const task = await ctx.client.withDeadline(Date.now() + DECISION_TIMEOUT_MS, () =>
            handleFor(run).executeUpdate(approveUpdate, {
              args: [{ approved, by: by(principal), ...(body.comment !== undefined ? { comment: body.comment } : {}), ...(body.task !== undefined ? { task: body.task } : {}) }],
            }),
          );
          return { body: { runId: run.id, task, approved } };
        } catch (e) {
          if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
            throw new ApiProblem('unavailable', `run ${run.id}: no worker answered within ${DECISION_TIMEOUT_MS / 1000} s (is a control worker on task queue "${ctx.taskQueuePrefix}" running?); check the gate with GET /api/runs/${run.id} before deciding again`);
          }
          if (e instanceof WorkflowUpdateFailedError) throw new ApiProblem('conflict', `run ${run.id}: ${e.cause?.message ?? e.message}`, { errors: body.task !== undefined ? [{ path: '/body/task', message: e.cause?.message ?? e.message }] : [] });
          if (e instanceof Error && e.name === 'WorkflowNotFoundError') throw conflict(`run ${run.id} is ${run.status} but its workflow is not running`);
          throw temporalProblem(e, `deciding a gate of run ${run.id}`);
        }
      },
    });

  return [
    implement('submitRun', {
      handler: async ({ body, principal }) => {
        let spec;
        if (body.pipelineVersionId !== undefined) {
          const version = await ctx.metadata.getPipelineVersion(body.pipelineVersionId);
          if (!version) throw notFound(`no pipeline version with id "${body.pipelineVersionId}" (GET /api/pipelines/<name> lists versions)`, '/body/pipelineVersionId');
          requireRunnable(version, '/body/pipelineVersionId');
          spec = version.spec;
        } else {
          spec = checkPipelineSpec(body.spec, ['body', 'spec']);
        }
        let params: Record<string, Json>;
        try {
          params = resolveRunParams(spec, body.params ?? {});
        } catch (e) {
          if (e instanceof RunParamsError) throw paramsProblem(e);
          throw e;
        }
        await checkArtifactParams(ctx, spec, params);
        const experimentId = body.experiment !== undefined ? await resolveExperimentId(ctx, body.experiment, '/body/experiment', true) : undefined;
        let submitted;
        try {
          submitted = await submitRun({
            client: ctx.client,
            metadata: ctx.metadata,
            spec,
            params,
            trigger: { kind: 'api', by: by(principal) },
            taskQueuePrefix: ctx.taskQueuePrefix,
            ...(body.cache !== undefined ? { cache: body.cache } : {}),
            ...(experimentId !== undefined ? { experimentId } : {}),
          });
        } catch (e) {
          // Checks submitRun makes itself (artifact inputs' types, run limits) are refused before it writes.
          if (e instanceof RunParamsError) throw paramsProblem(e);
          if (e instanceof PipelineValidationError) throw pipelineProblem(e.issues, body.spec !== undefined ? ['body', 'spec'] : []);
          if (e instanceof MetadataStoreError && e.code === 'not_found') throw notFound(e.message, '/body/experiment');
          if (e instanceof MetadataStoreError && e.code === 'conflict') throw new ApiProblem('conflict', e.message, { errors: [{ path: '/body/experiment', message: e.message }] });
          throw temporalProblem(e, 'starting the run');
        }
        ctx.metrics.runsSubmitted.inc({ trigger: 'api' });
        return { status: 201, headers: { Location: `/api/runs/${submitted.runId}` }, body: { run: await requireRun(ctx, submitted.runId) } };
      },
    }),
    implement('listRuns', {
      handler: async ({ query }) => {
        const filter = parseFilterQuery(query.filter);
        const order = parseOrderQuery(query.orderBy);
        const columns = parseColumnsQuery(query.columns);
        const badCursor = (why: string): ApiProblem =>
          new ApiProblem('validation', `the cursor "${query.cursor ?? ''}" ${why}; start again without a cursor`, { errors: [{ path: '/query/cursor', message: 'unknown cursor' }] });
        let offset = 0;
        if (query.cursor !== undefined) {
          const position = OFFSET_CURSOR.exec(query.cursor);
          if (order.length) {
            if (!position) throw badCursor('is not a cursor of an ordered listing');
            offset = Number(position[1]);
          } else if (!(await ctx.metadata.getRun(query.cursor))) throw badCursor('names no run');
        }
        const limit = query.limit ?? 50;
        const runs = await ctx.metadata.searchRuns({
          filter,
          order,
          ...(query.pipeline !== undefined ? { pipelineName: query.pipeline } : {}),
          ...(query.status !== undefined ? { status: query.status } : {}),
          ...(query.trigger !== undefined ? { triggerKind: query.trigger } : {}),
          ...(query.createdFrom !== undefined ? { createdFrom: query.createdFrom } : {}),
          ...(query.createdTo !== undefined ? { createdTo: query.createdTo } : {}),
          ...(query.experiment !== undefined ? { experimentId: await resolveExperimentId(ctx, query.experiment, '/query/experiment') } : {}),
          ...(query.cursor !== undefined && !order.length ? { after: query.cursor } : {}),
          offset,
          limit: limit + 1,
        });
        const page = runs.slice(0, limit);
        const more = runs.length > limit;
        const nextCursor = !more ? null : order.length ? `@${offset + limit}` : (page[page.length - 1]?.id ?? null);
        const [counts, values, experiments] = await Promise.all([
          query.taskCounts === 'true' ? ctx.metadata.countExecutionsByStatus(page.map((r) => r.id)) : Promise.resolve(undefined),
          columns.length ? columnValues(ctx, page, columns) : Promise.resolve(undefined),
          ctx.metadata.experimentRefsOf(page.map((r) => r.id)),
        ]);
        const items = page.map((run) => ({
          ...run,
          experiment: experiments.get(run.id) ?? null,
          ...(counts ? { taskCounts: counts.get(run.id) ?? {} } : {}),
          ...(values ? { columns: values.get(run.id) ?? {} } : {}),
        }));
        return { body: { runs: items, nextCursor } };
      },
    }),
    implement('getRun', {
      handler: async ({ params }) => {
        const run = await requireRun(ctx, params.runId);
        const [executions, artifacts, live, annotations] = await Promise.all([
          ctx.metadata.listExecutions(run.id),
          ctx.metadata.listRunArtifacts(run.id),
          isFinal(run) ? Promise.resolve(undefined) : liveStatus(ctx, run),
          readRunAnnotations(ctx.metadata, run.id),
        ]);
        return { body: { run, executions, artifacts, live: live ?? null, ...annotations } };
      },
    }),
    implement('cancelRun', {
      handler: async ({ params }) => {
        const run = await settledRun(await requireRun(ctx, params.runId));
        if (isFinal(run)) throw conflict(`run ${run.id} already ${run.status}; there is nothing to cancel`);
        try {
          await handleFor(run).cancel();
        } catch (e) {
          if (e instanceof Error && e.name === 'WorkflowNotFoundError') throw conflict(`run ${run.id} is ${run.status} but its workflow is not running`);
          throw temporalProblem(e, `cancelling run ${run.id}`);
        }
        return { status: 202, body: { runId: run.id, status: 'cancelling' as const } };
      },
    }),
    implement('retryRun', {
      handler: async ({ params, body, principal }) => {
        const old = await settledRun(await requireRun(ctx, params.runId));
        let plan;
        try {
          plan = await planRetry(ctx.metadata, old.id);
        } catch (e) {
          if (e instanceof RetryRunError) {
            switch (e.code) {
              case 'not-found':
                throw notFound(`${e.message} (GET /api/runs lists them)`);
              case 'not-finished':
                throw conflict(`${e.message} (POST /api/runs/${e.runId}/cancel)`);
              case 'no-version':
                throw conflict(e.message);
            }
          }
          throw e;
        }
        let submitted;
        try {
          submitted = await submitRun({
            client: ctx.client,
            metadata: ctx.metadata,
            spec: plan.spec,
            params: plan.params,
            trigger: { kind: 'retry', of: old.id, by: by(principal) },
            taskQueuePrefix: ctx.taskQueuePrefix,
            reuse: plan.reuse,
            ...(body.cache !== undefined ? { cache: body.cache } : {}),
          });
        } catch (e) {
          if (e instanceof RunParamsError) throw paramsProblem(e);
          if (e instanceof PipelineValidationError) throw pipelineProblem(e.issues, []);
          throw temporalProblem(e, `retrying run ${old.id}`);
        }
        ctx.metrics.runsSubmitted.inc({ trigger: 'retry' });
        return {
          status: 201,
          headers: { Location: `/api/runs/${submitted.runId}` },
          body: { run: await requireRun(ctx, submitted.runId), retryOf: old.id, reused: Object.keys(plan.reuse) },
        };
      },
    }),
    decide(true),
    decide(false),
  ];
}
