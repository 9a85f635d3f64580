/** ArtifactRecordStore over drizzle: `artifacts`. */
import { and, asc, eq, gte } from 'drizzle-orm';
import { anyOf } from '../database';
import type { SQL } from 'drizzle-orm';
import { insertAndRead } from '../database';
import type { MetadataDatabase } from '../database';
import { artifacts } from '../schema';
import type { ArtifactRecord, ArtifactRecordStore } from './ArtifactRecordStore';

/** The columns of an ArtifactRecord, for every query that hands artifacts out (lineage, cache hits). */
export const ARTIFACT_COLUMNS = {
  id: artifacts.id,
  type: artifacts.type,
  name: artifacts.name,
  uri: artifacts.uri,
  sha256: artifacts.sha256,
  size: artifacts.size,
  properties: artifacts.properties,
  createdAt: artifacts.createdAt,
};

export class DrizzleArtifactRecordStore implements ArtifactRecordStore {
  constructor(private readonly db: MetadataDatabase) {}

  async recordArtifact(a: Omit<ArtifactRecord, 'createdAt'>): Promise<ArtifactRecord> {
    return insertAndRead(
      `artifact ${a.id}`,
      async () => {
        await this.db
          .insert(artifacts)
          .values({ id: a.id, type: a.type, name: a.name, uri: a.uri, sha256: a.sha256, size: a.size, properties: a.properties })
          .onConflictDoNothing({ target: artifacts.id });
      },
      () => getArtifactIn(this.db, a.id),
    );
  }

  async getArtifact(id: string): Promise<ArtifactRecord | undefined> {
    return getArtifactIn(this.db, id);
  }

  async listArtifacts(filter: { type?: string; name?: string; createdFrom?: Date; limit?: number }): Promise<ArtifactRecord[]> {
    const conditions: SQL[] = [];
    if (filter.type !== undefined) conditions.push(eq(artifacts.type, filter.type));
    if (filter.name !== undefined) conditions.push(eq(artifacts.name, filter.name));
    if (filter.createdFrom !== undefined) conditions.push(gte(artifacts.createdAt, filter.createdFrom));
    const query = this.db.select(ARTIFACT_COLUMNS).from(artifacts).where(and(...conditions)).orderBy(asc(artifacts.createdAt), asc(artifacts.id));
    return filter.limit === undefined ? query : query.limit(filter.limit);
  }
}

export async function getArtifactIn(db: MetadataDatabase, id: string): Promise<ArtifactRecord | undefined> {
  const [artifact] = await db.select(ARTIFACT_COLUMNS).from(artifacts).where(eq(artifacts.id, id));
  return artifact;
}

/**
 * Inserts artifact rows in one statement (a stored row with the same id is kept) and reads them
 * back as stored, in one more: recordArtifact for several at once, on a transaction.
 */
export async function recordArtifactsIn(db: MetadataDatabase, records: readonly Omit<ArtifactRecord, 'createdAt'>[]): Promise<Map<string, ArtifactRecord>> {
  if (records.length === 0) return new Map();
  await db
    .insert(artifacts)
    .values(records.map((a) => ({ id: a.id, type: a.type, name: a.name, uri: a.uri, sha256: a.sha256, size: a.size, properties: a.properties })))
    .onConflictDoNothing({ target: artifacts.id });
  const stored = await db.select(ARTIFACT_COLUMNS).from(artifacts).where(anyOf(artifacts.id, records.map((a) => a.id)));
  return new Map(stored.map((a) => [a.id, a]));
}
