/** TuneTrialStore over drizzle: `tune_trials`. */
import { and, asc, eq, sql } from 'drizzle-orm';
import { refusingMissingReferences } from '../database';
import type { MetadataDatabase } from '../database';
import { tuneTrials } from '../schema';
import type { TuneTrialInput, TuneTrialRecord, TuneTrialStore } from './TuneTrialStore';

export class DrizzleTuneTrialStore implements TuneTrialStore {
  constructor(private readonly db: MetadataDatabase) {}

  async recordTuneTrial(t: TuneTrialInput): Promise<void> {
    const row = {
      runId: t.runId,
      study: t.study,
      number: t.number,
      state: t.state,
      params: t.params,
      value: t.value ?? null,
      prunedStep: t.prunedStep ?? null,
      reason: t.reason ?? null,
      executionId: t.executionId,
      startedAt: t.startedAt,
      finishedAt: t.finishedAt ?? null,
    };
    await refusingMissingReferences(
      () => `cannot record trial ${t.number} of study "${t.study}": no run ${t.runId}`,
      () =>
        this.db
          .insert(tuneTrials)
          .values(row)
          .onConflictDoUpdate({
            target: [tuneTrials.runId, tuneTrials.study, tuneTrials.number],
            set: {
              state: sql`excluded.state`,
              params: sql`excluded.params`,
              value: sql`excluded.value`,
              prunedStep: sql`excluded.pruned_step`,
              reason: sql`excluded.reason`,
              executionId: sql`excluded.execution_id`,
              startedAt: sql`excluded.started_at`,
              finishedAt: sql`excluded.finished_at`,
            },
          }),
    );
  }

  async listTuneTrials(runId: string, study?: string): Promise<TuneTrialRecord[]> {
    const conditions = [eq(tuneTrials.runId, runId)];
    if (study !== undefined) conditions.push(eq(tuneTrials.study, study));
    return this.db
      .select({
        runId: tuneTrials.runId,
        study: tuneTrials.study,
        number: tuneTrials.number,
        state: tuneTrials.state,
        params: tuneTrials.params,
        value: tuneTrials.value,
        prunedStep: tuneTrials.prunedStep,
        reason: tuneTrials.reason,
        executionId: tuneTrials.executionId,
        startedAt: tuneTrials.startedAt,
        finishedAt: tuneTrials.finishedAt,
      })
      .from(tuneTrials)
      .where(and(...conditions))
      .orderBy(asc(tuneTrials.study), asc(tuneTrials.number));
  }
}
