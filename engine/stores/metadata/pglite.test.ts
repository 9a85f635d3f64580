/** The metadata store contract on embedded PGlite, in memory and on disk. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { describeMetadataStoreContract, type FreshDatabase } from './metadataStore.contract';
import { createPgliteMetadataStore, openMetadataStore } from './openMetadataStore';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-pglite-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** One in-memory PGlite; each store opened on it migrates it with the given migrations. */
async function freshDatabase(): Promise<FreshDatabase> {
  const client = new PGlite();
  await client.waitReady;
  return {
    async open(migrationsFolder) {
      const store = createPgliteMetadataStore(client, { closeClient: false, migrationsFolder });
      await store.migrate();
      return store;
    },
    exec: async (sql) => {
      await client.exec(sql);
    },
    close: () => client.close(),
  };
}

describeMetadataStoreContract('PGlite in memory', () => openMetadataStore({ dataDir: 'memory://' }), freshDatabase);
describeMetadataStoreContract('PGlite on disk', () => openMetadataStore({ dataDir: join(tempDir(), 'db') }), freshDatabase);

describe('PGlite on disk', () => {
  it('keeps the data across close and reopen, and migrating again changes nothing', async () => {
    const dataDir = join(tempDir(), 'nested', 'db');
    const first = await openMetadataStore({ dataDir });
    const version = await first.registerPipelineVersion(
      {
        apiVersion: 'sluice/v1',
        name: 'persisted',
        inputs: {},
        outputs: {},
        components: {},
        dag: { tasks: {} },
      },
      'digest',
    );
    // The model registry's alias history, too (a restart must not lose who moved what, and why).
    await first.recordArtifact({ id: 'model-1', type: 'Model', name: 'train.model', uri: 'file:///m', sha256: 'ab'.repeat(32), size: 1, properties: {} });
    await first.registerModelVersion({ model: 'iris', artifactId: 'model-1', createdBy: 'alice' });
    await first.moveModelAlias({ model: 'iris', alias: 'champion', version: 1, actor: 'alice', note: 'first blessed model' });
    const history = await first.listModelAliasEvents('iris');
    await first.close();
    await first.close(); // idempotent

    const second = await openMetadataStore({ dataDir });
    try {
      expect(await second.getPipelineVersion(version.id)).toEqual(version);
      expect(await second.listModelAliasEvents('iris')).toEqual(history);
      expect(history).toMatchObject([{ alias: 'champion', fromVersion: null, toVersion: 1, actor: 'alice', note: 'first blessed model' }]);
      expect(second.description).toBe(`PGlite at ${dataDir}`);
    } finally {
      await second.close();
    }
  });
});
