/**
 * `npm run bench:runs`: the runs list at the API on PostgreSQL (issue 13: "10,000 runs with 20
 * metrics each: runs list page with 5 metric columns and a metric filter, p50 ≤ 50 ms at the API").
 *
 * Seeds a fresh database (on the server `scripts/ensure-postgres.sh` gives, or SLUICE_BENCH_DATABASE_URL's)
 * through the store — each run a tracked run with 20 metrics and 3 params — starts the API server
 * over it (no Temporal: the runs list never asks it), and times `GET /api/runs?filter=…&columns=…`
 * (50 runs a page) from a client over loopback; then the same ordered by a metric. Prints p50/p95
 * and ends with one line `runs list p50 X ms`. Flags: --runs N (10000), --reps N (200).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pipelineDigest, type PipelineSpec } from '../dsl/ir/index';
import { createLogger } from '../engine/logging';
import { projectRoot } from '../engine/paths';
import { createApiServer } from '../engine/server/index';
import { openMetadataStore, trackedExecutionId } from '../engine/stores/metadata/index';
import { LocalArtifactStore } from '../engine/stores/artifacts/index';
import { ComponentRegistry } from '../engine/temporal/activities/index';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '10000' }, reps: { type: 'string', default: '200' } } });
const RUNS = Number(flags.runs);
const REPS = Number(flags.reps);
const METRICS = 20;

const spec: PipelineSpec = {
  apiVersion: 'sluice/v1',
  name: 'bench-runs',
  inputs: {},
  outputs: {},
  components: { t: { name: 't', version: '1', inputs: {}, outputs: {}, impl: { kind: 'function', digest: 'a'.repeat(64) } } },
  dag: { tasks: { mlflow: { component: 't', inputs: {} } } },
};

async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.SLUICE_BENCH_DATABASE_URL ?? execFileSync('bash', [path.join(projectRoot, 'scripts', 'ensure-postgres.sh')], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
  const name = `sluice_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;

async function main(): Promise<void> {
  const db = await freshDatabase();
  const metadata = await openMetadataStore({ databaseUrl: db.url });
  try {
    const experiment = await metadata.createExperiment({ id: randomUUID(), name: 'bench' });
    const digest = pipelineDigest(spec);
    const seedStart = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < RUNS; i = next++) {
        const runId = `r${String(i).padStart(6, '0')}`;
        await metadata.createTrackedRun({ runId, experimentId: experiment.id, spec, digest, trigger: { kind: 'mlflow' }, startedAt: new Date(Date.UTC(2030, 0, 1) + i * 1000), tags: [] });
        await metadata.logToExecution(
          { runId, executionId: trackedExecutionId(runId), tracked: true },
          {
            params: [{ key: 'epochs', value: String(10 + (i % 50)) }, { key: 'lr', value: String((i % 10) / 100) }, { key: 'optimizer', value: i % 2 ? 'adam' : 'sgd' }],
            // Pseudo-random but repeatable values in [0, 1).
            metrics: Array.from({ length: METRICS }, (_, k) => ({ key: `m${k}`, value: ((i * 7919 + k * 104729) % 10007) / 10007, step: 0 })),
          },
        );
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    console.log(`seeded ${RUNS} runs × ${METRICS} metrics in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    // Planner statistics, as autovacuum would gather them on a live database.
    const analyze = new pg.Client({ connectionString: db.url });
    await analyze.connect();
    await analyze.query('ANALYZE');
    await analyze.end();

    const api = createApiServer({
      metadata,
      artifacts: new LocalArtifactStore({ root: path.join(projectRoot, '.sluice', 'bench-artifacts') }),
      // Never connected: the runs list does not ask Temporal.
      client: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
      registry: new ComponentRegistry(),
      taskQueuePrefix: 'bench',
      auth: { enabled: false },
      logger: createLogger({ level: 'silent' }),
      checkResponses: false,
    });
    const server = await api.listen({ host: '127.0.0.1', port: 0 });
    try {
      const columns = ['m0', 'm1', 'm2', 'm3', 'm4'].map((k) => `metrics.${k}`).join(',');
      const cases: [string, string][] = [
        ['filter metrics.m0 > 0.5, 5 metric columns, newest first', `filter=${encodeURIComponent('metrics.m0 > 0.5')}&columns=${columns}&limit=50`],
        ['same, ordered by metrics.m1 desc', `filter=${encodeURIComponent('metrics.m0 > 0.5')}&columns=${columns}&orderBy=${encodeURIComponent('metrics.m1 desc')}&limit=50`],
      ];
      let headline = NaN;
      for (const [label, query] of cases) {
        const url = `${server.url}/api/runs?${query}`;
        for (let i = 0; i < 10; i++) await (await fetch(url)).text(); // warm-up
        const times: number[] = [];
        let count = 0;
        for (let i = 0; i < REPS; i++) {
          const t0 = performance.now();
          const res = await fetch(url);
          const body = (await res.json()) as { runs: unknown[] };
          times.push(performance.now() - t0);
          if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
          count = body.runs.length;
        }
        times.sort((a, b) => a - b);
        console.log(`${label}: ${count} runs a page, p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms (${REPS} requests)`);
        if (Number.isNaN(headline)) headline = percentile(times, 0.5);
      }
      console.log(`runs list p50 ${headline.toFixed(1)} ms`);
    } finally {
      await server.close();
    }
  } finally {
    await metadata.close();
    await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
