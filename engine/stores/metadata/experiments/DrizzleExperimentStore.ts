/** ExperimentStore over drizzle: `experiments` and `experiment_runs`. */
import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { insertAndRead, refusingMissingReferences, sqlState } from '../database';
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

  async listExperiments(options: { includeArchived?: boolean } = {}): Promise<ExperimentRecord[]> {
    const query = this.#selectExperiments();
    return (options.includeArchived ? query : query.where(isNull(experiments.archivedAt))).orderBy(asc(experiments.name));
  }

  async updateExperiment(id: string, patch: { name?: string; description?: string | null; archived?: boolean }): Promise<ExperimentRecord | undefined> {
    const set = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      // Archiving again keeps the first instant.
      ...(patch.archived !== undefined ? { archivedAt: patch.archived ? sql`coalesce(${experiments.archivedAt}, now())` : null } : {}),
    };
    if (Object.keys(set).length) {
      if (patch.name !== undefined) {
        const [taken] = await this.db.select({ id: experiments.id }).from(experiments).where(and(eq(experiments.name, patch.name), ne(experiments.id, id)));
        if (taken) throw new MetadataStoreError('conflict', `an experiment named "${patch.name}" already exists (id ${taken.id}); choose another name`);
      }
      try {
        await this.db.update(experiments).set(set).where(eq(experiments.id, id));
      } catch (e) {
        // Another rename to the same name won the race.
        if (sqlState(e) === '23505') throw new MetadataStoreError('conflict', `an experiment named "${patch.name ?? ''}" already exists; choose another name`, { cause: e });
        throw e;
      }
    }
    const [updated] = await this.#selectExperiments().where(eq(experiments.id, id));
    return updated;
  }

  async addRunsToExperiment(experimentId: string, runIds: string[]): Promise<void> {
    if (runIds.length === 0) return;
    const ids = [...new Set(runIds)];
    await refusingMissingReferences(
      () => `cannot add runs to experiment ${experimentId}: the experiment or one of the runs does not exist`,
      () =>
        this.db.transaction(async (tx) => {
          const [experiment] = await tx.select({ archivedAt: experiments.archivedAt, name: experiments.name }).from(experiments).where(eq(experiments.id, experimentId));
          if (experiment?.archivedAt) throw new MetadataStoreError('conflict', `experiment "${experiment.name}" is archived; restore it before adding runs`);
          // A run belongs to at most one experiment: adding it here takes it out of any other.
          await tx.delete(experimentRuns).where(and(inArray(experimentRuns.runId, ids), ne(experimentRuns.experimentId, experimentId)));
          await tx
            .insert(experimentRuns)
            .values(ids.map((runId) => ({ experimentId, runId })))
            .onConflictDoNothing();
        }),
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
        archivedAt: experiments.archivedAt,
        runCount: sql<number>`(select count(*) from ${experimentRuns} where ${experimentRuns.experimentId} = ${experiments.id})`.mapWith(Number),
      })
      .from(experiments);
  }
}
