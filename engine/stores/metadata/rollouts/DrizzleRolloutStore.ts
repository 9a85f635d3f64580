/** RolloutStore over drizzle: `model_rollouts` and `model_rollout_decisions`. */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { MetadataStoreError } from '../errors';
import { insertAndRead, sqlState } from '../database';
import type { MetadataDatabase } from '../database';
import { modelRolloutDecisions, modelRollouts, modelVersions } from '../schema';
import type {
  ModelRolloutRecord,
  RolloutDecisionInput,
  RolloutDecisionRecord,
  RolloutStore,
  StartModelRolloutInput,
  UpdateModelRolloutInput,
} from './RolloutStore';

const ROLLOUT_COLUMNS = {
  id: modelRollouts.id,
  model: modelRollouts.model,
  mode: modelRollouts.mode,
  baselineVersion: modelRollouts.baselineVersion,
  candidateVersion: modelRollouts.candidateVersion,
  weight: modelRollouts.weight,
  step: modelRollouts.step,
  state: modelRollouts.state,
  plan: modelRollouts.plan,
  reason: modelRollouts.reason,
  workflowId: modelRollouts.workflowId,
  createdBy: modelRollouts.createdBy,
  createdAt: modelRollouts.createdAt,
  updatedAt: modelRollouts.updatedAt,
  finishedAt: modelRollouts.finishedAt,
};

const DECISION_COLUMNS = {
  id: modelRolloutDecisions.id,
  rolloutId: modelRolloutDecisions.rolloutId,
  step: modelRolloutDecisions.step,
  weight: modelRolloutDecisions.weight,
  action: modelRolloutDecisions.action,
  figures: modelRolloutDecisions.figures,
  reason: modelRolloutDecisions.reason,
  createdAt: modelRolloutDecisions.createdAt,
};

function checkWeight(weight: number): void {
  if (!Number.isFinite(weight) || weight < 0 || weight > 100) throw new MetadataStoreError('invalid', `a rollout weight is a percent from 0 to 100; got ${weight}`);
}

export class DrizzleRolloutStore implements RolloutStore {
  constructor(private readonly db: MetadataDatabase) {}

  async startModelRollout(input: StartModelRolloutInput): Promise<{ rollout: ModelRolloutRecord; created: boolean }> {
    checkWeight(input.weight);
    const existing = await this.getModelRollout(input.id);
    if (existing) return { rollout: existing, created: false };
    for (const version of [input.baselineVersion, input.candidateVersion]) {
      const [found] = await this.db
        .select({ version: modelVersions.version })
        .from(modelVersions)
        .where(and(eq(modelVersions.model, input.model), eq(modelVersions.version, version)));
      if (!found) throw new MetadataStoreError('not_found', `model "${input.model}" has no version ${version} (sluice models show ${input.model} lists its versions)`);
    }
    try {
      const [row] = await this.db
        .insert(modelRollouts)
        .values({
          id: input.id,
          model: input.model,
          mode: input.mode,
          baselineVersion: input.baselineVersion,
          candidateVersion: input.candidateVersion,
          weight: input.weight,
          plan: input.plan,
          workflowId: input.workflowId ?? null,
          createdBy: input.createdBy,
        })
        .onConflictDoNothing({ target: modelRollouts.id })
        .returning(ROLLOUT_COLUMNS);
      if (row) return { rollout: row, created: true };
    } catch (error) {
      if (sqlState(error) === '23505') {
        const running = await this.getActiveModelRollout(input.model);
        throw new MetadataStoreError(
          'conflict',
          `model "${input.model}" has a running rollout already${running ? ` (${running.id}, v${running.baselineVersion} → v${running.candidateVersion} at ${running.weight}%)` : ''}: end it first (sluice rollout abort ${input.model})`,
          { cause: error },
        );
      }
      throw error;
    }
    // A concurrent twin with the same id won.
    const twin = await this.getModelRollout(input.id);
    if (!twin) throw new Error(`rollout ${input.id} vanished right after it was written`);
    return { rollout: twin, created: false };
  }

  async getModelRollout(id: string): Promise<ModelRolloutRecord | undefined> {
    const [row] = await this.db.select(ROLLOUT_COLUMNS).from(modelRollouts).where(eq(modelRollouts.id, id));
    return row;
  }

  async getActiveModelRollout(model: string): Promise<ModelRolloutRecord | undefined> {
    const [row] = await this.db
      .select(ROLLOUT_COLUMNS)
      .from(modelRollouts)
      .where(and(eq(modelRollouts.model, model), eq(modelRollouts.state, 'running')));
    return row;
  }

  async listModelRollouts(model: string): Promise<ModelRolloutRecord[]> {
    return this.db.select(ROLLOUT_COLUMNS).from(modelRollouts).where(eq(modelRollouts.model, model)).orderBy(desc(modelRollouts.createdAt), desc(modelRollouts.id));
  }

  async updateModelRollout(id: string, update: UpdateModelRolloutInput): Promise<ModelRolloutRecord> {
    if (update.weight !== undefined) checkWeight(update.weight);
    const ending = update.state !== undefined && update.state !== 'running';
    const [row] = await this.db
      .update(modelRollouts)
      .set({
        ...(update.weight !== undefined ? { weight: update.weight } : {}),
        ...(update.step !== undefined ? { step: update.step } : {}),
        ...(update.state !== undefined ? { state: update.state } : {}),
        ...(update.reason !== undefined ? { reason: update.reason } : {}),
        ...(ending ? { finishedAt: sql`now()` } : {}),
        updatedAt: sql`now()`,
      })
      .where(and(eq(modelRollouts.id, id), eq(modelRollouts.state, 'running')))
      .returning(ROLLOUT_COLUMNS);
    if (row) return row;
    const current = await this.getModelRollout(id);
    if (!current) throw new MetadataStoreError('not_found', `no rollout ${id}`);
    // A retried end (the activity ran twice) finds the rollout ended the same way: nothing to do.
    if (update.state !== undefined && update.state === current.state) return current;
    throw new MetadataStoreError('conflict', `rollout ${id} of model "${current.model}" has ended (${current.state}${current.reason ? `: ${current.reason}` : ''}); start a new one`);
  }

  async recordRolloutDecision(input: RolloutDecisionInput): Promise<RolloutDecisionRecord> {
    const requestKey = input.requestKey ?? null;
    return insertAndRead(
      `decision on rollout ${input.rolloutId}`,
      async () => {
        try {
          const [row] = await this.db
            .insert(modelRolloutDecisions)
            .values({ rolloutId: input.rolloutId, step: input.step, weight: input.weight, action: input.action, figures: input.figures, reason: input.reason, requestKey })
            .onConflictDoNothing()
            .returning(DECISION_COLUMNS);
          return row;
        } catch (error) {
          if (sqlState(error) === '23503') throw new MetadataStoreError('not_found', `no rollout ${input.rolloutId} to record a decision on`, { cause: error });
          throw error;
        }
      },
      async () => {
        if (requestKey === null) return undefined;
        const [row] = await this.db
          .select(DECISION_COLUMNS)
          .from(modelRolloutDecisions)
          .where(and(eq(modelRolloutDecisions.rolloutId, input.rolloutId), eq(modelRolloutDecisions.requestKey, requestKey)));
        return row;
      },
    );
  }

  async listRolloutDecisions(rolloutId: string): Promise<RolloutDecisionRecord[]> {
    return this.db.select(DECISION_COLUMNS).from(modelRolloutDecisions).where(eq(modelRolloutDecisions.rolloutId, rolloutId)).orderBy(asc(modelRolloutDecisions.id));
  }
}
