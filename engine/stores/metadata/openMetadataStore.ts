/**
 * Opens the metadata store on the configured backend: PostgreSQL when given a postgres:// URL
 * (DATABASE_URL), else embedded PGlite with its data under `.sluice/db`. Migrations are applied
 * before the store is handed out, so callers never see an unmigrated database.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Pool } from 'pg';
import { createDrizzleMetadataStore, METADATA_MIGRATIONS_FOLDER, METADATA_MIGRATIONS_TABLE } from './DrizzleMetadataStore';
import type { DrizzleMetadataStore } from './DrizzleMetadataStore';
import { MetadataStoreError, messageOf } from './errors';
import { preparedPgliteRows } from './pglitePrepared';

export const DEFAULT_DATA_DIR = '.sluice/db';
/** The `dataDir` that keeps the embedded database in memory (tests, throwaway runs). */
export const IN_MEMORY_DATA_DIR = 'memory://';

export interface OpenMetadataStoreOptions {
  /** A postgres:// or postgresql:// URL (usually DATABASE_URL). Absent or empty: embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data directory, relative to the current directory (default `.sluice/db`); `memory://` for none. */
  dataDir?: string;
}

/** Opens the store on PostgreSQL or PGlite and applies the migrations. */
export async function openMetadataStore(options: OpenMetadataStoreOptions = {}): Promise<DrizzleMetadataStore> {
  const store = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : await openPglite(options.dataDir ?? DEFAULT_DATA_DIR);
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

/** What migrate() applies: the checked-in migrations, or (tests of a migration) an older subset of them. */
interface MigrationOptions {
  migrationsFolder?: string;
}

/**
 * A store over an existing PGlite instance (not yet migrated: call migrate()). `closeClient`
 * (default true) makes store.close() close the instance too.
 */
export function createPgliteMetadataStore(
  client: PGlite,
  options: { description?: string; closeClient?: boolean } & MigrationOptions = {},
): DrizzleMetadataStore {
  const migrationsFolder = options.migrationsFolder ?? METADATA_MIGRATIONS_FOLDER;
  const db = drizzlePglite({ client });
  const description = options.description ?? `PGlite at ${client.dataDir ?? IN_MEMORY_DATA_DIR}`;
  return createDrizzleMetadataStore({
    db,
    description,
    hotRows: preparedPgliteRows(client),
    migrate: () =>
      withMigrationError(description, () =>
        migratePglite(db, { migrationsFolder, migrationsTable: METADATA_MIGRATIONS_TABLE }),
      ),
    close: async () => {
      if (options.closeClient ?? true) await client.close();
    },
  });
}

/**
 * A store over an existing pg Pool (not yet migrated: call migrate()). `closePool` (default true)
 * makes store.close() end the pool too.
 */
export function createPostgresMetadataStore(
  pool: Pool,
  options: { description?: string; closePool?: boolean } & MigrationOptions = {},
): DrizzleMetadataStore {
  const description = options.description ?? 'PostgreSQL';
  const migrationsFolder = options.migrationsFolder ?? METADATA_MIGRATIONS_FOLDER;
  return createDrizzleMetadataStore({
    db: drizzleNodePg({ client: pool }),
    description,
    migrate: () =>
      withMigrationError(description, async () => {
        // Workers and the API server may start together: a session advisory lock makes them apply
        // the migrations one after the other (drizzle's migrator does not lock). The lock belongs
        // to one connection, so the migration runs on that same checked-out client.
        const client = await pool.connect();
        try {
          await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
          try {
            await migrateNodePg(drizzleNodePg({ client }), { migrationsFolder, migrationsTable: METADATA_MIGRATIONS_TABLE });
          } finally {
            await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
          }
        } finally {
          client.release();
        }
      }),
    close: async () => {
      if (options.closePool ?? true) await pool.end();
    },
  });
}

/** Arbitrary but fixed: identifies "Sluice metadata migrations" among advisory locks. */
const MIGRATION_LOCK_KEY = 5_318_290_417;
const CONNECT_TIMEOUT_MS = 10_000;

async function openPglite(dataDir: string): Promise<DrizzleMetadataStore> {
  const inMemory = dataDir === IN_MEMORY_DATA_DIR;
  const where = inMemory ? IN_MEMORY_DATA_DIR : resolve(dataDir);
  let client: PGlite;
  try {
    if (!inMemory) mkdirSync(where, { recursive: true });
    client = inMemory ? new PGlite() : new PGlite(where);
    await client.waitReady;
  } catch (error) {
    throw new MetadataStoreError(
      'embedded_open',
      `cannot open the embedded database (PGlite) at ${where}: ${messageOf(error)}. ` +
        'PGlite allows one process per data directory: stop any other Sluice process using it. If the ' +
        'directory was made by an incompatible PGlite version or is damaged, move it aside to start ' +
        'afresh, or set DATABASE_URL to use PostgreSQL instead.',
      { cause: error },
    );
  }
  return createPgliteMetadataStore(client, { description: `PGlite at ${where}` });
}

async function openPostgres(databaseUrl: string): Promise<DrizzleMetadataStore> {
  const target = describePostgresUrl(databaseUrl);
  const pool = new pg.Pool({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An idle pooled connection that dies (server restart, network) emits 'error' on the pool, which
  // would crash the process if unheard; the pool drops that connection and the next query opens a
  // new one, reporting any lasting problem to its caller.
  pool.on('error', () => undefined);
  const started = performance.now();
  try {
    await pool.query('select 1');
  } catch (error) {
    // pg gives a connection timeout no code: the time it took tells it.
    const timedOut = performance.now() - started >= CONNECT_TIMEOUT_MS - 50; // (timers may fire a hair early)
    await pool.end().catch(() => undefined);
    throw new MetadataStoreError(
      'connection',
      `cannot connect to PostgreSQL at ${target.where} (database "${target.database}", user "${target.user}") ` +
        `given by DATABASE_URL: ${redact(messageOf(error), target.password)}. ${connectionAdvice(error, target, timedOut)}`,
      { cause: error },
    );
  }
  return createPostgresMetadataStore(pool, { description: `PostgreSQL at ${target.where}/${target.database}` });
}

interface PostgresTarget {
  where: string;
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
}

/** The parts of the URL that are safe to show (never the password). */
function describePostgresUrl(databaseUrl: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new MetadataStoreError(
      'invalid_url',
      'DATABASE_URL is not a valid URL: expected postgres://USER:PASSWORD@HOST:PORT/DATABASE.',
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new MetadataStoreError(
      'invalid_url',
      `DATABASE_URL has the scheme "${url.protocol}" but the metadata store needs PostgreSQL: ` +
        'use postgres://USER:PASSWORD@HOST:PORT/DATABASE, or unset it to use the embedded database.',
    );
  }
  const host = decodeURIComponent(url.hostname) || 'localhost';
  const port = url.port || '5432';
  return {
    where: `${host}:${port}`,
    host,
    port,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || decodeURIComponent(url.username) || 'postgres',
    user: decodeURIComponent(url.username) || 'the current OS user',
    password: decodeURIComponent(url.password),
  };
}

function connectionAdvice(error: unknown, target: PostgresTarget, timedOut: boolean): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'ECONNREFUSED':
      return `Nothing accepts connections on ${target.where}: check that PostgreSQL is running and listens on that host and port.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `The host name "${target.host}" does not resolve: check the host in DATABASE_URL.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${target.where} cannot be reached from this machine: check the host, the network and any firewall.`;
    case '28P01':
      return 'The server refused the password: check the user and password in DATABASE_URL.';
    case '28000':
      return "The server refused this user or client address: check the user in DATABASE_URL and the server's pg_hba.conf.";
    case '3D000':
      return `The database does not exist: create it (e.g. createdb -h ${target.host} -p ${target.port} ${target.database}) or fix the name in DATABASE_URL.`;
    default:
      if (timedOut) {
        return `No answer from ${target.where} within ${CONNECT_TIMEOUT_MS / 1000} s: check the host, the port, the network and any firewall.`;
      }
      return 'Check that PostgreSQL is running and reachable, and that DATABASE_URL names the right host, port, user, password and database.';
  }
}

/** Drivers do not usually echo the password, but a message that reaches logs must never carry it. */
function redact(message: string, password: string): string {
  return password ? message.split(password).join('***') : message;
}

async function withMigrationError(description: string, migrate: () => Promise<void>): Promise<void> {
  try {
    await migrate();
  } catch (error) {
    throw new MetadataStoreError(
      'migration',
      `applying the metadata migrations (${METADATA_MIGRATIONS_FOLDER}) to ${description} failed: ${messageOf(error)}. ` +
        'If the database was changed by hand or by a newer Sluice, use a fresh database or a matching Sluice version.',
      { cause: error },
    );
  }
}
