/**
 * The metadata store contract on a real PostgreSQL server. scripts/ensure-postgres.sh provides the
 * server (SLUICE_TEST_DATABASE_URL, or a private cluster it installs and starts); where it cannot,
 * the suite is skipped with its reason. Each run of this file gets a database of its own.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresServer } from '../../../test/support/postgres';
import { describeMetadataStoreContract } from './metadataStore.contract';
import { createPostgresMetadataStore, openMetadataStore } from './openMetadataStore';

// Runs at collection time: the answer decides describe vs skip (the reason is printed).
const serverUrl = postgresServer().url;

(serverUrl ? describe : describe.skip)('PostgreSQL', () => {
  const drops: (() => Promise<void>)[] = [];

  /** A fresh database on the server, dropped after this file. */
  async function freshDatabase(): Promise<string> {
    const db = await createTestDatabase(serverUrl ?? '');
    drops.push(db.drop);
    return db.url;
  }

  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  describeMetadataStoreContract(
    'PostgreSQL',
    async () => openMetadataStore({ databaseUrl: await freshDatabase() }),
    async () => {
      const databaseUrl = await freshDatabase();
      return {
        // Each store has a pool of its own, ended when the store closes; the database stays until afterAll.
        async open(migrationsFolder) {
          const store = createPostgresMetadataStore(new pg.Pool({ connectionString: databaseUrl }), { migrationsFolder });
          await store.migrate();
          return store;
        },
        async exec(sql) {
          const pool = new pg.Pool({ connectionString: databaseUrl });
          try {
            await pool.query(sql);
          } finally {
            await pool.end();
          }
        },
        close: async () => undefined,
      };
    },
  );

  it('lets several processes open a fresh database at once: the migrations run one at a time', async () => {
    const databaseUrl = await freshDatabase();
    const stores = await Promise.all([1, 2, 3, 4].map(() => openMetadataStore({ databaseUrl })));
    try {
      const [first] = stores;
      expect(first?.description).toMatch(/^PostgreSQL at 127\.0\.0\.1:\d+\/sluice_test_/);
      expect(await first?.listPipelines()).toEqual([]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

describe('openMetadataStore with a database URL', () => {
  it('names the host and gives advice, never the password, when it cannot connect', async () => {
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    const error = await openMetadataStore({ databaseUrl: 'postgres://alice:s3cret-pw@127.0.0.1:1/sluice' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'MetadataStoreError', code: 'connection', retryable: true });
    const message = (error as Error).message;
    expect(message).toContain('127.0.0.1:1');
    expect(message).toContain('database "sluice"');
    expect(message).toMatch(/check/i);
    expect(message).not.toContain('s3cret-pw');
  });

  it('refuses a URL that is not PostgreSQL', async () => {
    await expect(openMetadataStore({ databaseUrl: 'mysql://u:p@db/x' })).rejects.toMatchObject({ code: 'invalid_url' });
    await expect(openMetadataStore({ databaseUrl: 'not a url' })).rejects.toMatchObject({ code: 'invalid_url' });
  });
});
