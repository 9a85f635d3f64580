/** RunStore over drizzle: `runs` (joined to `pipelines` for the name). */
import { and, count, desc, eq, gte, lt, notInArray, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { insertAndRead, refusingMissingReferences, rowExists } from '../database';
import type { MetadataDatabase } from '../database';
import { MetadataStoreError } from '../errors';
import type { Json } from '../Json';
import { getPipelineVersionIn, registerPipelineVersionIn } from '../pipelines/DrizzlePipelineStore';
import type { PipelineVersionRecord } from '../pipelines/PipelineStore';
import { experimentRuns, pipelines, runs } from '../schema';
import type { RunFilter, RunRecord, RunStatus, RunStore } from './RunStore';

const FINAL_RUN_STATUSES: RunStatus[] = ['succeeded', 'failed', 'cancelled'];

export class DrizzleRunStore implements RunStore {
  constructor(private readonly db: MetadataDatabase) {}

  async recordSubmittedRun(input: Parameters<RunStore['recordSubmittedRun']>[0]): Promise<{ version: PipelineVersionRecord; run: RunRecord }> {
    // One transaction across pipelines, runs and experiments (on PGlite every statement inside
    // must use `tx`: the connection is held).
    const submit = () =>
      this.db.transaction(async (tx) => {
        const version = await registerPipelineVersionIn(tx, input.spec, input.digest);
        const run = await insertRunAndRead(tx, { ...input.run, pipelineId: version.pipelineId, pipelineVersionId: version.id });
        if (input.experimentId !== undefined) {
          await tx.insert(experimentRuns).values({ experimentId: input.experimentId, runId: input.run.id }).onConflictDoNothing();
        }
        return { version, run };
      });
    if (input.experimentId === undefined) return submit();
    return refusingMissingReferences(
      () => `cannot add run ${input.run.id} to experiment ${input.experimentId}: no such experiment`,
      submit,
    );
  }

  async createRun(run: Parameters<RunStore['createRun']>[0]): Promise<RunRecord> {
    const version = await getPipelineVersionIn(this.db, run.pipelineVersionId);
    if (!version) {
      throw new MetadataStoreError(
        'not_found',
        `cannot create run ${run.id}: pipeline version ${run.pipelineVersionId} is not registered ` +
          '(register it with registerPipelineVersion first)',
      );
    }
    return insertRunAndRead(this.db, { ...run, pipelineId: version.pipelineId });
  }

  async updateRun(id: string, patch: Parameters<RunStore['updateRun']>[1]): Promise<void> {
    const final = FINAL_RUN_STATUSES.includes(patch.status);
    const updated = await this.db
      .update(runs)
      .set({
        status: patch.status,
        // drizzle leaves out keys whose value is undefined: only the given fields change.
        error: patch.error,
        failedTask: patch.failedTask,
        outputs: patch.outputs,
        startedAt:
          patch.startedAt ?? (patch.status === 'running' ? sql`coalesce(${runs.startedAt}, now())` : undefined),
        finishedAt: patch.finishedAt ?? (final ? sql`coalesce(${runs.finishedAt}, now())` : undefined),
      })
      // The guard that keeps a finished run final, also against a late or re-delivered update.
      .where(and(eq(runs.id, id), notInArray(runs.status, FINAL_RUN_STATUSES)))
      .returning({ id: runs.id });
    if (updated.length === 0 && !(await rowExists(this.db, runs, runs.id, id))) {
      throw new MetadataStoreError('not_found', `cannot update run ${id}: no such run (create it with createRun first)`);
    }
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return getRunIn(this.db, id);
  }

  async listRuns(filter: RunFilter = {}): Promise<RunRecord[]> {
    const conditions: SQL[] = [];
    if (filter.pipelineName !== undefined) conditions.push(eq(pipelines.name, filter.pipelineName));
    if (filter.status !== undefined) conditions.push(eq(runs.status, filter.status));
    if (filter.triggerKind !== undefined) conditions.push(sql`${runs.trigger}->>'kind' = ${filter.triggerKind}`);
    if (filter.createdFrom !== undefined) conditions.push(gte(runs.createdAt, filter.createdFrom));
    if (filter.createdTo !== undefined) conditions.push(lt(runs.createdAt, filter.createdTo));
    if (filter.experimentId !== undefined) {
      conditions.push(
        sql`exists (select 1 from ${experimentRuns} where ${experimentRuns.runId} = ${runs.id} and ${experimentRuns.experimentId} = ${filter.experimentId})`,
      );
    }
    if (filter.after !== undefined) {
      // The list order is (created_at desc, seq desc): "after" is strictly smaller in that pair.
      conditions.push(
        sql`(${runs.createdAt}, ${runs.seq}) < (select c.created_at, c.seq from ${runs} c where c.id = ${filter.after})`,
      );
    }
    const query = selectRuns(this.db)
      .where(and(...conditions))
      .orderBy(desc(runs.createdAt), desc(runs.seq));
    return filter.limit === undefined ? query : query.limit(filter.limit);
  }

  async countRunsByStatus(): Promise<Record<RunStatus, number>> {
    const rows = await this.db.select({ status: runs.status, n: count() }).from(runs).groupBy(runs.status);
    const out: Record<RunStatus, number> = { pending: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of rows) out[row.status] = Number(row.n);
    return out;
  }
}

/** Idempotent: a run id written before (an activity's retry) is left as it is; returns the stored run. */
function insertRunAndRead(
  db: MetadataDatabase,
  run: { id: string; pipelineId: string; pipelineVersionId: string; params: Record<string, Json>; trigger: Record<string, Json>; workflowId: string },
): Promise<RunRecord> {
  return insertAndRead(
    `run ${run.id}`,
    async () => {
      await db
        .insert(runs)
        .values({
          id: run.id,
          pipelineId: run.pipelineId,
          pipelineVersionId: run.pipelineVersionId,
          params: run.params,
          trigger: run.trigger,
          workflowId: run.workflowId,
        })
        .onConflictDoNothing({ target: runs.id });
    },
    () => getRunIn(db, run.id),
  );
}

async function getRunIn(db: MetadataDatabase, id: string): Promise<RunRecord | undefined> {
  const [run] = await selectRuns(db).where(eq(runs.id, id));
  return run;
}

/** Runs with their pipeline's name, as RunRecords (also the tracking concern's search). */
export function selectRuns(db: MetadataDatabase) {
  return db
    .select({
      id: runs.id,
      pipelineVersionId: runs.pipelineVersionId,
      pipelineName: pipelines.name,
      status: runs.status,
      params: runs.params,
      trigger: runs.trigger,
      workflowId: runs.workflowId,
      failedTask: runs.failedTask,
      error: runs.error,
      outputs: runs.outputs,
      createdAt: runs.createdAt,
      startedAt: runs.startedAt,
      finishedAt: runs.finishedAt,
    })
    .from(runs)
    .innerJoin(pipelines, eq(pipelines.id, runs.pipelineId));
}
