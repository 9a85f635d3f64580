/**
 * `sluice migrate`: applies the checked-in metadata migrations to DATABASE_URL (or the embedded
 * database) and exits. The API server and the workers apply them too when they start (under an
 * advisory lock); this is the same step on its own, for a deployment that migrates before it rolls
 * out new versions (the Kubernetes migrations Job, deploy/kubernetes/migrate-job.yaml).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { METADATA_MIGRATIONS_FOLDER } from '../../stores/metadata/index';
import { withMetadata } from '../metadataAccess';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply the metadata migrations to DATABASE_URL (PostgreSQL) or the embedded database, then exit')
    .action(async () => {
      // withMetadata opens the store, which applies the migrations before handing it out.
      const where = await withMetadata(async (_m, { embedded }) => (embedded ? 'the embedded database (PGlite)' : 'PostgreSQL (DATABASE_URL)'));
      const journal = JSON.parse(await readFile(path.join(METADATA_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
      const last = journal.entries.at(-1)?.tag ?? 'none';
      process.stdout.write(`metadata store up to date on ${where}: ${journal.entries.length} migrations, the last ${last}\n`);
    });
}
