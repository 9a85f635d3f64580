/**
 * Starts a real embedded stack for a test file: an in-memory Temporal dev server, the metadata
 * store on PGlite or on a fresh PostgreSQL database, a local artifact store in a temp dir, and
 * workers serving a task-queue prefix of their own.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AnyPipeline } from '../../dsl/index';
import { compile } from '../../dsl/index';
import { submitRun, waitForRun, type SubmittedRun } from '../../engine/runs/submitRun';
import { createLogger } from '../../engine/logging';
import type { RunRecord } from '../../engine/stores/metadata/MetadataStore';
import { ComponentRegistry } from '../../engine/temporal/activities/ComponentRegistry';
import { EmbeddedStack, type EmbeddedStackOptions } from '../../engine/stack/EmbeddedStack';
import { createTestDatabase, postgresServer } from './postgres';

export type Backend = 'pglite' | 'postgres';

export interface TestStack {
  stack: EmbeddedStack;
  /** Compiles, submits and waits: returns the finished run record. */
  run(p: AnyPipeline, params?: Record<string, unknown>): Promise<RunRecord>;
  start(p: AnyPipeline, params?: Record<string, unknown>): Promise<SubmittedRun>;
  stop(): Promise<void>;
}

/** Backends available here; PostgreSQL is skipped (with the reason printed) where it cannot run. */
export function backends(): Backend[] {
  return postgresServer().url ? ['pglite', 'postgres'] : ['pglite'];
}

export async function startTestStack(
  backend: Backend,
  modules: Record<string, unknown>[] = [],
  options: Pick<EmbeddedStackOptions, 'reconcile' | 'mlflowTracking'> = {},
): Promise<TestStack> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-test-'));
  let dropDb: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  if (backend === 'postgres') {
    const server = postgresServer().url;
    if (!server) throw new Error('PostgreSQL is not available');
    const db = await createTestDatabase(server);
    databaseUrl = db.url;
    dropDb = db.drop;
  }
  const registry = new ComponentRegistry();
  for (const m of modules) registry.addModule(m);
  const stack = await EmbeddedStack.start({
    stateDir: dir,
    ephemeralTemporal: true,
    temporalAddress: undefined,
    ...(databaseUrl ? { databaseUrl } : { databaseUrl: '' }),
    registry,
    taskQueuePrefix: `test-${path.basename(dir)}`,
    logger: createLogger({ level: process.env.SLUICE_LOG_LEVEL ?? 'silent' }),
    ...options,
  });
  const start = (p: AnyPipeline, params: Record<string, unknown> = {}): Promise<SubmittedRun> => {
    registry.addModule({ p });
    return submitRun({
      client: stack.client,
      metadata: stack.metadata,
      spec: compile(p).spec,
      params,
      taskQueuePrefix: stack.taskQueuePrefix,
    });
  };
  return {
    stack,
    start,
    async run(p, params) {
      const submitted = await start(p, params);
      return waitForRun(stack.metadata, submitted);
    },
    async stop() {
      await stack.stop();
      await dropDb?.();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
