/**
 * The ApiTokenStore contract: API tokens.
 * Part of the MetadataStore contract (../metadataStore.contract.ts runs it on every backend); it
 * gets the backend's shared store and uses fresh ids, so it also proves filtering among other rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { uid } from '../fixtures.contract';
import type { MetadataStore } from '../MetadataStore';

export function describeApiTokenStoreContract(storeUnderTest: () => MetadataStore): void {
  describe('API tokens', () => {
    let store: MetadataStore;
    beforeAll(() => {
      store = storeUnderTest();
    });

    it('stores API tokens by id with the hash of their secret, and revokes them once', async () => {
      const id = uid();
      const token = await store.createApiToken({ id, name: 'ci', role: 'editor', secretHash: 'ab'.repeat(32) });
      expect(token).toMatchObject({ id, name: 'ci', role: 'editor', lastUsedAt: null, revokedAt: null });
      expect(token).not.toHaveProperty('secretHash');
      expect(await store.findApiToken(id)).toEqual({ token, secretHash: 'ab'.repeat(32) });
      await store.touchApiToken(id, new Date('2030-01-01T00:00:00Z'));
      expect((await store.findApiToken(id))?.token.lastUsedAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
      expect((await store.listApiTokens()).map((t) => t.id)).toContain(id);
      expect(await store.revokeApiToken(id)).toBe(true);
      expect(await store.revokeApiToken(id)).toBe(false);
      expect((await store.findApiToken(id))?.token.revokedAt).toBeInstanceOf(Date);
      expect(await store.findApiToken(`missing-${uid()}`)).toBeUndefined();
      await expect(store.createApiToken({ id: uid(), name: 'x', role: 'root' as 'admin', secretHash: 'x' })).rejects.toThrow();
    });
  });
}
