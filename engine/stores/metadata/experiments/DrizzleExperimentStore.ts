/** ExperimentStore over drizzle: `experiments` and `experiment_runs`. */
import { and, asc, eq, sql } from 'drizzle-orm';
import { insertAndRead, refusingMissingReferences } from '../database';
import type { MetadataDatabase } from '../database';
import { MetadataStoreError } from '../errors';
import { experimentRuns, experiments } from '../schema';
import type { ExperimentRecord, ExperimentStore } from './ExperimentStore';

export class DrizzleExperimentStore implements ExperimentStore {
  constructor(private readonly db: MetadataDatabase) {}

  async createExperiment(e: { id: string; name: string; description?: string | null }): Promise<ExperimentRecord> {
    return insertAndRead(
      `experiment ${e.id}`,
      async () => {
        const inserted = await this.db
          .insert(experiments)
          .values({ id: e.id, name: e.name, description: e.description ?? null })
          .onConflictDoNothing()
          .returning({ id: experiments.id });
        // Unlike the other writes, a twin is refused: an experiment is created by a person, once.
        if (inserted.length === 0) {
          const existing = await this.getExperiment(e.name);
          throw new MetadataStoreError(
            'conflict',
            `an experiment named "${e.name}" already exists${existing ? ` (id ${existing.id})` : ''}; choose another name`,
          );
        }
      },
      () => this.getExperiment(e.id),
    );
  }

  async getExperiment(idOrName: string): Promise<ExperimentRecord | undefined> {
    const found = await this.#selectExperiments().where(sql`${experiments.id} = ${idOrName} or ${experiments.name} = ${idOrName}`);
    // An id wins over a name (another experiment may be named like this one's id).
    return found.find((e) => e.id === idOrName) ?? found[0];
  }

  async listExperiments(): Promise<ExperimentRecord[]> {
    return this.#selectExperiments().orderBy(asc(experiments.name));
  }

  async addRunsToExperiment(experimentId: string, runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    await refusingMissingReferences(
      () => `cannot add runs to experiment ${experimentId}: the experiment or one of the runs does not exist`,
      async () => {
        await this.db
          .insert(experimentRuns)
          .values([...new Set(runIds)].map((runId) => ({ experimentId, runId })))
          .onConflictDoNothing();
      },
    );
  }

  async removeRunFromExperiment(experimentId: string, runId: string): Promise<boolean> {
    const removed = await this.db
      .delete(experimentRuns)
      .where(and(eq(experimentRuns.experimentId, experimentId), eq(experimentRuns.runId, runId)))
      .returning({ runId: experimentRuns.runId });
    return removed.length > 0;
  }

  #selectExperiments() {
    return this.db
      .select({
        id: experiments.id,
        name: experiments.name,
        description: experiments.description,
        createdAt: experiments.createdAt,
        runCount: sql<number>`(select count(*) from ${experimentRuns} where ${experimentRuns.experimentId} = ${experiments.id})`.mapWith(Number),
      })
      .from(experiments);
  }
}
