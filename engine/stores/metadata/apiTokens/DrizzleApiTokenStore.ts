/** ApiTokenStore over drizzle: `api_tokens`. */
import { and, asc, eq, sql } from 'drizzle-orm';
import { insertAndRead } from '../database';
import type { MetadataDatabase } from '../database';
import { apiTokens } from '../schema';
import type { ApiRole, ApiTokenRecord, ApiTokenStore } from './ApiTokenStore';

export class DrizzleApiTokenStore implements ApiTokenStore {
  constructor(private readonly db: MetadataDatabase) {}

  async createApiToken(t: { id: string; name: string; role: ApiRole; secretHash: string }): Promise<ApiTokenRecord> {
    // No ON CONFLICT: ids are random, so a taken one is a bug to hear about, not a retry to absorb.
    return insertAndRead(
      `API token ${t.id}`,
      async () => {
        await this.db.insert(apiTokens).values({ id: t.id, name: t.name, role: t.role, secretHash: t.secretHash });
      },
      async () => (await this.findApiToken(t.id))?.token,
    );
  }

  async findApiToken(id: string): Promise<{ token: ApiTokenRecord; secretHash: string } | undefined> {
    const [row] = await this.db.select().from(apiTokens).where(eq(apiTokens.id, id));
    if (!row) return undefined;
    const { secretHash, ...token } = row;
    return { token, secretHash };
  }

  async listApiTokens(): Promise<ApiTokenRecord[]> {
    return this.db
      .select({
        id: apiTokens.id,
        name: apiTokens.name,
        role: apiTokens.role,
        createdAt: apiTokens.createdAt,
        lastUsedAt: apiTokens.lastUsedAt,
        revokedAt: apiTokens.revokedAt,
      })
      .from(apiTokens)
      .orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
  }

  async revokeApiToken(id: string): Promise<boolean> {
    const revoked = await this.db
      .update(apiTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiTokens.id, id), sql`${apiTokens.revokedAt} is null`))
      .returning({ id: apiTokens.id });
    return revoked.length > 0;
  }

  async touchApiToken(id: string, at: Date = new Date()): Promise<void> {
    await this.db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id));
  }
}
