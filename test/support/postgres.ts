/**
 * A real PostgreSQL for tests: scripts/ensure-postgres.sh installs (Debian) and starts a private
 * server when it can. Each caller gets a fresh database, dropped afterwards.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../../engine/paths';

let cached: { url?: string; reason?: string } | undefined;

/** The server URL, or a reason why PostgreSQL is not available here. */
export function postgresServer(): { url?: string; reason?: string } {
  if (cached) return cached;
  try {
    const out = execFileSync('bash', [path.join(projectRoot, 'scripts', 'ensure-postgres.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 15 * 60_000,
    });
    const url = out.trim().split('\n').pop();
    cached = url ? { url } : { reason: 'ensure-postgres.sh printed no URL' };
  } catch (e) {
    const err = e as { status?: number; stderr?: string; message: string };
    cached = { reason: `PostgreSQL unavailable (ensure-postgres.sh exit ${err.status ?? '?'}): ${err.stderr?.trim() || err.message}` };
  }
  if (cached.reason) console.warn(`skipping PostgreSQL-backed tests: ${cached.reason}`);
  return cached;
}

/** Creates a fresh database and returns its URL and a function that drops it. */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sluice_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
