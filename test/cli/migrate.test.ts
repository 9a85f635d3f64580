/**
 * `sluice migrate`: applies the metadata migrations and exits — what the Kubernetes migrations Job
 * (deploy/kubernetes/migrate-job.yaml) runs before the API and workers roll out. Real processes, a
 * real PGlite and (where scripts/ensure-postgres.sh provides one) a real PostgreSQL.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_MIGRATIONS_FOLDER } from '../../engine/stores/metadata/index';
import { runCliWith } from '../support/cliProcess';
import { createTestDatabase, postgresServer } from '../support/postgres';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'sluice-migrate-'));
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

const journal = async (): Promise<string[]> =>
  (JSON.parse(await readFile(path.join(METADATA_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] }).entries.map((e) => e.tag);

describe('sluice migrate', () => {
  it('migrates the embedded database and exits 0, again with nothing left to apply', async () => {
    const tags = await journal();
    for (let i = 0; i < 2; i++) {
      const r = await runCliWith({ home }, 'migrate');
      expect(r.code).toBe(0);
      expect(r.out).toContain(`${tags.length} migrations, the last ${tags.at(-1)}`);
    }
  });

  const server = postgresServer();
  it.skipIf(!server.url)('migrates the PostgreSQL database of DATABASE_URL', async () => {
    const db = await createTestDatabase(server.url as string);
    try {
      const r = await runCliWith({ home, env: { DATABASE_URL: db.url } }, 'migrate');
      expect(r.code).toBe(0);
      expect(r.out).toContain('PostgreSQL');
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const applied = await client.query('select count(*)::int as n from drizzle.sluice_metadata_migrations');
        expect(applied.rows[0]).toEqual({ n: (await journal()).length });
      } finally {
        await client.end();
      }
    } finally {
      await db.drop();
    }
  });

  it('says what is wrong with an unreachable database, with exit status 1 or 3 and no stack', async () => {
    const r = await runCliWith({ home, env: { DATABASE_URL: 'postgres://sluice:x@127.0.0.1:1/sluice' } }, 'migrate');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/127\.0\.0\.1:1/);
    expect(r.out).not.toMatch(/^\s+at /m);
  });
});
