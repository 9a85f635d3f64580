/**
 * The contract every MetadataStore backend must keep, as one vitest suite that each backend's test
 * file runs (pglite.test.ts, postgres.test.ts): every concern's own suite (<concern>/*.contract.ts)
 * on one shared store, and the migrations. Tests use fresh ids, so they also prove that the store
 * filters correctly among other rows.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeApiTokenStoreContract } from './apiTokens/apiTokenStore.contract';
import { describeArtifactRecordStoreContract } from './artifacts/artifactRecordStore.contract';
import { METADATA_MIGRATIONS_FOLDER } from './DrizzleMetadataStore';
import { describeExecutionStoreContract } from './executions/executionStore.contract';
import { describeExperimentStoreContract } from './experiments/experimentStore.contract';
import { artifactInput, pipelineSpec, uid } from './fixtures.contract';
import { describeLineageStoreContract } from './lineage/lineageStore.contract';
import { describeLoopItemStoreContract } from './loopItems/loopItemStore.contract';
import type { MetadataStore } from './MetadataStore';
import { describeMetricStoreContract } from './metrics/metricStore.contract';
import { describePipelineStoreContract } from './pipelines/pipelineStore.contract';
import { describeRegistryStoreContract } from './registry/registryStore.contract';
import { describeRolloutStoreContract } from './rollouts/rolloutStore.contract';
import { describeRunStoreContract } from './runs/runStore.contract';
import { describeTaskLogStoreContract } from './taskLogs/taskLogStore.contract';

/** A fresh, empty database of the backend, for tests of the migrations themselves. */
export interface FreshDatabase {
  /** A store on this database, migrated with the migrations in `migrationsFolder`; closing the store keeps the data. */
  open(migrationsFolder: string): Promise<MetadataStore>;
  /** Runs SQL statements on it directly (a migration test shaping an old schema). */
  exec(sql: string): Promise<void>;
  /** Drops or closes the database. */
  close(): Promise<void>;
}

/** Each concern's contract suite, given the store under test; a new concern adds its suite here. */
export const CONCERN_CONTRACTS: readonly ((storeUnderTest: () => MetadataStore) => void)[] = [
  describePipelineStoreContract,
  describeRunStoreContract,
  describeExecutionStoreContract,
  describeArtifactRecordStoreContract,
  describeLineageStoreContract,
  describeMetricStoreContract,
  describeTaskLogStoreContract,
  describeLoopItemStoreContract,
  describeExperimentStoreContract,
  describeApiTokenStoreContract,
  describeRegistryStoreContract,
  describeRolloutStoreContract,
];

export function describeMetadataStoreContract(
  name: string,
  open: () => Promise<MetadataStore>,
  freshDatabase: () => Promise<FreshDatabase>,
): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let store: MetadataStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('applies migrations idempotently', async () => {
      await store.migrate();
      await store.migrate();
    });

    for (const describeConcern of CONCERN_CONTRACTS) describeConcern(() => store);

    it('keeps the model registry, alias history included, across closing and reopening the database', async () => {
      const db = await freshDatabase();
      try {
        const before = await db.open(METADATA_MIGRATIONS_FOLDER);
        const { id } = await before.recordArtifact({ ...artifactInput(`m-${uid()}`), type: 'Model' });
        await before.registerModelVersion({ model: 'iris', artifactId: id, createdBy: 'alice' });
        await before.moveModelAlias({ model: 'iris', alias: 'champion', version: 1, actor: 'alice', note: 'first blessed model' });
        const history = await before.listModelAliasEvents('iris');
        await before.close();
        const after = await db.open(METADATA_MIGRATIONS_FOLDER);
        try {
          expect(await after.listModelAliasEvents('iris')).toEqual(history);
          expect((await after.getRegisteredModel('iris'))?.aliases).toEqual({ champion: 1 });
        } finally {
          await after.close();
        }
      } finally {
        await db.close();
      }
    });

    describe('migrations', () => {
      it('0003_reuse_events turns output events of cached executions into reuse links: one producer per artifact', async () => {
        const db = await freshDatabase();
        const folder = await migrationsBefore('0003_reuse_events');
        try {
          // Rows as the engine wrote them before: the cached executions of a second run recorded
          // output events to the first run's artifacts.
          const old = await db.open(folder);
          // Today's store code writes the old rows: the columns that later migrations add to the
          // tables it writes exist while it does, and are gone again before the migrations run.
          await db.exec(LATER_COLUMNS.map(([table, column, type]) => `ALTER TABLE "${table}" ADD COLUMN "${column}" ${type};`).join('\n'));
          const spec = pipelineSpec(`p${uid()}`);
          const version = await old.registerPipelineVersion(spec, 'd');
          const runs = ['first', 'second'];
          for (const run of runs) await old.createRun({ id: run, pipelineVersionId: version.id, params: {}, trigger: { kind: 'cli' }, workflowId: run });
          for (const [run, status] of [['first', 'succeeded'], ['second', 'cached']] as const) {
            for (const [task, input, output] of [['load', null, 'dataset'], ['train', 'dataset', 'model']] as const) {
              const id = `${run}.${task}`;
              await old.startExecution({ id, runId: run, taskId: task, componentName: task, componentDigest: 'd', attempt: 1, params: {} });
              if (input) await old.recordEvent({ executionId: id, artifactId: `first.${task === 'train' ? 'load' : task}.${input}`, kind: 'input', port: input });
              if (status === 'succeeded') await old.recordArtifact(artifactInput(`first.${task}.${output}`));
              await old.recordEvent({ executionId: id, artifactId: `first.${task}.${output}`, kind: 'output', port: output });
              await old.finishExecution(id, { status, ...(status === 'cached' ? { cachedFrom: `first.${task}` } : {}) });
            }
          }
          expect((await old.listEvents({ artifactId: 'first.train.model' })).map((e) => `${e.executionId}:${e.kind}`)).toEqual(['first.train:output', 'second.train:output']);
          await old.close();
          await db.exec(LATER_COLUMNS.map(([table, column]) => `ALTER TABLE "${table}" DROP COLUMN "${column}";`).join('\n'));

          const migrated = await db.open(METADATA_MIGRATIONS_FOLDER);
          try {
            const g = await migrated.lineage('first.train.model', { direction: 'upstream', depth: 5 });
            expect(g.nodes.map((n) => n.id).sort()).toEqual(['first.load', 'first.load.dataset', 'first.train', 'first.train.model']);
            expect(g.edges.map((e) => `${e.from}>${e.to}:${e.kind}`).sort()).toEqual([
              'first.load.dataset>first.train:input',
              'first.load>first.load.dataset:output',
              'first.train>first.train.model:output',
            ]);
            expect(g.nodes.find((n) => n.id === 'first.train')?.reusedBy).toEqual({ executions: 1, runs: 1 });
            expect(await migrated.listEvents({ executionId: 'second.train' })).toEqual([
              { executionId: 'second.train', artifactId: 'first.load.dataset', kind: 'input', port: 'dataset' },
              { executionId: 'second.train', artifactId: 'first.train.model', kind: 'reused', port: 'model' },
            ]);
            expect((await migrated.listRunArtifacts('second')).map((a) => [a.id, a.reused])).toEqual([
              ['first.load.dataset', true],
              ['first.train.model', true],
            ]);
            expect((await migrated.listRunArtifacts('first')).map((a) => [a.id, a.reused])).toEqual([
              ['first.load.dataset', false],
              ['first.train.model', false],
            ]);
          } finally {
            await migrated.close();
          }
        } finally {
          await db.close();
          await rm(folder, { recursive: true, force: true });
        }
      });
    });
  });
}

/** A copy of the checked-in migrations without `tag` and those after it: a database as older Sluice left it. */
/** Columns added after 0003_reuse_events to tables the 0003 test writes through the store (table, column, type). */
const LATER_COLUMNS: readonly (readonly [string, string, string])[] = [
  ['pipelines', 'archived_at', 'timestamp with time zone'],
  ['pipeline_versions', 'draft', 'boolean DEFAULT false NOT NULL'],
];

async function migrationsBefore(tag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-migrations-'));
  const journal = JSON.parse(await readFile(join(METADATA_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === tag);
  if (cut < 0) throw new Error(`no migration "${tag}" in ${METADATA_MIGRATIONS_FOLDER}`);
  const kept = journal.entries.slice(0, cut);
  await mkdir(join(dir, 'meta'));
  await writeFile(join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries: kept }));
  const files = new Set(kept.map((e) => `${e.tag}.sql`));
  for (const file of await readdir(METADATA_MIGRATIONS_FOLDER)) {
    if (files.has(file)) await copyFile(join(METADATA_MIGRATIONS_FOLDER, file), join(dir, file));
  }
  return dir;
}
