/**
 * The metadata store contract on a real PostgreSQL server. scripts/ensure-postgres.sh provides the
 * server (SLUICE_TEST_DATABASE_URL, or a private cluster it installs and starts); where it cannot,
 * the suite is skipped with its reason. Each run of this file gets a database of its own.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { describeMetadataStoreContract } from './metadataStore.contract';
import { openMetadataStore } from './openMetadataStore';

const script = fileURLToPath(new URL('../../scripts/ensure-postgres.sh', import.meta.url));

/** The server URL, or why there is none. Runs at collection time: the answer decides describe vs skip. */
function ensurePostgres(): { url: string } | { reason: string } {
  try {
    const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 });
    const url = out.trim().split('\n').pop()?.trim();
    return url ? { url } : { reason: 'scripts/ensure-postgres.sh printed no URL' };
  } catch (error) {
    const e = error as { status?: number | null; stderr?: string; message: string };
    const detail = e.stderr?.trim() || e.message;
    return { reason: `scripts/ensure-postgres.sh failed (exit ${e.status ?? '?'}): ${detail}` };
  }
}

const server = ensurePostgres();
if ('reason' in server) console.warn(`Skipping the PostgreSQL metadata store tests: ${server.reason}`);

async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

('url' in server ? describe : describe.skip)('PostgreSQL', () => {
  const serverUrl = 'url' in server ? server.url : '';
  const created: string[] = [];

  /** A fresh database on the server, dropped after this file. */
  async function freshDatabase(): Promise<string> {
    const name = `sluice_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    await admin(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
    created.push(name);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  afterAll(async () => {
    for (const name of created) {
      await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  });

  describeMetadataStoreContract('PostgreSQL', async () => openMetadataStore({ databaseUrl: await freshDatabase() }));

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
