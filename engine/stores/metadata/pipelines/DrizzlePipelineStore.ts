/** PipelineStore over drizzle: `pipelines` and `pipeline_versions`. */
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq } from 'drizzle-orm';
import type { PipelineSpec } from '../../../../dsl/ir/schema';
import { insertAndRead } from '../database';
import type { MetadataDatabase } from '../database';
import { pipelines, pipelineVersions } from '../schema';
import type { PipelineRecord, PipelineStore, PipelineVersionRecord, PipelineVersionSummary } from './PipelineStore';

export class DrizzlePipelineStore implements PipelineStore {
  constructor(private readonly db: MetadataDatabase) {}

  async registerPipelineVersion(spec: PipelineSpec, digest: string, options: { draft?: boolean } = {}): Promise<PipelineVersionRecord> {
    return this.db.transaction((tx) => registerPipelineVersionIn(tx, spec, digest, options));
  }

  async updatePipelineVersionLayout(id: string, spec: PipelineSpec): Promise<PipelineVersionRecord> {
    await this.db.update(pipelineVersions).set({ spec }).where(eq(pipelineVersions.id, id));
    const version = await this.getPipelineVersion(id);
    if (!version) throw new Error(`no pipeline version ${id} to update the layout of`);
    return version;
  }

  async getPipelineVersion(id: string): Promise<PipelineVersionRecord | undefined> {
    return getPipelineVersionIn(this.db, id);
  }

  async listPipelines(): Promise<PipelineRecord[]> {
    return this.db
      .select({ id: pipelines.id, name: pipelines.name, createdAt: pipelines.createdAt, archivedAt: pipelines.archivedAt })
      .from(pipelines)
      .orderBy(asc(pipelines.name));
  }

  async setPipelineArchived(id: string, archived: boolean): Promise<PipelineRecord | undefined> {
    const [row] = await this.db
      .update(pipelines)
      .set({ archivedAt: archived ? new Date() : null })
      .where(eq(pipelines.id, id))
      .returning({ id: pipelines.id, name: pipelines.name, createdAt: pipelines.createdAt, archivedAt: pipelines.archivedAt });
    return row;
  }

  async listPipelineVersions(filter: { pipelineId?: string } = {}): Promise<PipelineVersionSummary[]> {
    return this.db
      .select({
        id: pipelineVersions.id,
        pipelineId: pipelineVersions.pipelineId,
        pipelineName: pipelines.name,
        digest: pipelineVersions.digest,
        draft: pipelineVersions.draft,
        createdAt: pipelineVersions.createdAt,
      })
      .from(pipelineVersions)
      .innerJoin(pipelines, eq(pipelines.id, pipelineVersions.pipelineId))
      .where(filter.pipelineId === undefined ? undefined : eq(pipelineVersions.pipelineId, filter.pipelineId))
      .orderBy(desc(pipelineVersions.createdAt), desc(pipelineVersions.id));
  }
}

/**
 * The pipeline row and the version row, inside the caller's transaction (the runs store registers
 * a submitted run's version in the transaction that writes the run): a version the database
 * refuses leaves no pipeline without versions. Idempotent upserts (see insertAndRead).
 */
export async function registerPipelineVersionIn(db: MetadataDatabase, spec: PipelineSpec, digest: string, options: { draft?: boolean } = {}): Promise<PipelineVersionRecord> {
  const pipeline = await insertAndRead(
    `pipeline "${spec.name}"`,
    async () => {
      await db.insert(pipelines).values({ id: randomUUID(), name: spec.name }).onConflictDoNothing({ target: pipelines.name });
    },
    async () => (await db.select({ id: pipelines.id }).from(pipelines).where(eq(pipelines.name, spec.name)))[0],
  );
  return insertAndRead(
    `version ${digest} of pipeline "${spec.name}"`,
    async () => {
      await db
        .insert(pipelineVersions)
        .values({ id: randomUUID(), pipelineId: pipeline.id, digest, spec, draft: options.draft ?? false })
        .onConflictDoNothing({ target: [pipelineVersions.pipelineId, pipelineVersions.digest] });
    },
    async () => (await selectVersions(db).where(and(eq(pipelineVersions.pipelineId, pipeline.id), eq(pipelineVersions.digest, digest))))[0],
  );
}

/** A version by id, on the given database or transaction. */
export async function getPipelineVersionIn(db: MetadataDatabase, id: string): Promise<PipelineVersionRecord | undefined> {
  const [version] = await selectVersions(db).where(eq(pipelineVersions.id, id));
  return version;
}

function selectVersions(db: MetadataDatabase) {
  return db
    .select({
      id: pipelineVersions.id,
      pipelineId: pipelineVersions.pipelineId,
      pipelineName: pipelines.name,
      digest: pipelineVersions.digest,
      spec: pipelineVersions.spec,
      draft: pipelineVersions.draft,
      createdAt: pipelineVersions.createdAt,
    })
    .from(pipelineVersions)
    .innerJoin(pipelines, eq(pipelines.id, pipelineVersions.pipelineId));
}
