/**
 * `npm run bench:runs`: the runs list at the API on PostgreSQL (issue 13: "10,000 runs with 20
 * metrics each: runs list page with 5 metric columns and a metric filter, p50 ≤ 50 ms at the API"),
 * the headline being the page sorted by a metric.
 *
 * Seeds a fresh database (on --postgres URL, SLUICE_BENCH_DATABASE_URL, SLUICE_TEST_DATABASE_URL, or
 * the server `scripts/ensure-postgres.sh` gives) with bulk inserts shaped as the store writes tracked
 * runs — each run with 20 metrics (× --steps steps) and 3 params — starts the API server over it (no
 * Temporal: the runs list never asks it), and times `GET /api/runs?filter=…&columns=…` (50 runs a
 * page) from a client over loopback, ordered by a metric; then newest first, and its second page. Prints
 * p50/p95 with the load average and ends with one line `runs list p50 X ms`. Flags: --runs N
 * (10000), --reps N (200), --steps N (1), --postgres URL, --keep (leave the database for EXPLAIN).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
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

const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '10000' }, reps: { type: 'string', default: '200' }, steps: { type: 'string', default: '1' }, postgres: { type: 'string' }, keep: { type: 'boolean', default: false } },
});
const RUNS = Number(flags.runs);
const STEPS = Number(flags.steps);
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
  const server = flags.postgres ?? process.env.SLUICE_BENCH_DATABASE_URL ?? process.env.SLUICE_TEST_DATABASE_URL ?? execFileSync('bash', [path.join(projectRoot, 'scripts', 'ensure-postgres.sh')], { encoding: 'utf8' }).trim().split('\n').pop() ?? '';
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

const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;

async function main(): Promise<void> {
  const db = await freshDatabase();
  const metadata = await openMetadataStore({ databaseUrl: db.url });
  try {
    const experiment = await metadata.createExperiment({ id: randomUUID(), name: 'bench' });
    const digest = pipelineDigest(spec);
    const seedStart = performance.now();
    // One run through the store makes the pipeline and version rows; the rest are bulk inserts
    // (generate_series), shaped as the store writes them: the list query is what is measured.
    await metadata.createTrackedRun({ runId: 'seed', experimentId: experiment.id, spec, digest, trigger: { kind: 'mlflow' }, startedAt: new Date(Date.UTC(2029, 0, 1)), tags: [] });
    const seed = new pg.Client({ connectionString: db.url });
    await seed.connect();
    try {
      const suffix = trackedExecutionId('');
      const runId = `'r' || lpad(i::text, 6, '0')`;
      const at = `timestamptz '2030-01-01T00:00:00Z' + i * interval '1 second'`;
      await seed.query('BEGIN');
      await seed.query(
        `insert into runs (id, pipeline_id, pipeline_version_id, status, params, trigger, workflow_id, created_at, started_at, finished_at)
         select ${runId}, r.pipeline_id, r.pipeline_version_id, 'succeeded',
           jsonb_build_object('epochs', (10 + i % 50)::text, 'lr', ((i % 10) / 100.0)::text, 'optimizer', case when i % 2 = 1 then 'adam' else 'sgd' end),
           '{"kind":"mlflow"}'::jsonb, 'mlflow-' || ${runId}, ${at}, ${at}, ${at} + interval '1 minute'
         from runs r, generate_series(0, $1::int - 1) i where r.id = 'seed'`,
        [RUNS],
      );
      await seed.query(
        `insert into executions (id, run_id, task_id, component_name, component_digest, status, params, started_at, finished_at)
         select ${runId} || $2::text, ${runId}, e.task_id, e.component_name, e.component_digest, 'succeeded', r.params, r.started_at, r.finished_at
         from executions e, generate_series(0, $1::int - 1) i join runs r on r.id = ${runId} where e.run_id = 'seed'`,
        [RUNS, suffix],
      );
      await seed.query(`insert into experiment_runs (experiment_id, run_id) select $2::text, ${runId} from generate_series(0, $1::int - 1) i`, [RUNS, experiment.id]);
      // Pseudo-random but repeatable values in [0, 1); the last step holds the value the list shows.
      await seed.query(
        `insert into metrics (run_id, execution_id, key, value, step, created_at)
         select ${runId}, ${runId} || $3::text, 'm' || k, ((i * 7919 + k * 104729) % 10007) / 10007.0 * (s + 1) / $2::int, s, ${at} + s * interval '1 millisecond'
         from generate_series(0, $1::int - 1) i, generate_series(0, ${METRICS - 1}) k, generate_series(0, $2::int - 1) s`,
        [RUNS, STEPS, suffix],
      );
      await seed.query(`delete from runs where id = 'seed'`);
      await seed.query('COMMIT');
    } finally {
      await seed.end();
    }
    console.log(`seeded ${RUNS} runs × ${METRICS} metrics × ${STEPS} steps in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    // Planner statistics and the visibility map (index-only scans), as autovacuum keeps them on a live database.
    const analyze = new pg.Client({ connectionString: db.url });
    await analyze.connect();
    await analyze.query('VACUUM ANALYZE');
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
      const filter = `filter=${encodeURIComponent('metrics.m0 > 0.9')}&columns=${columns}&limit=50`;
      // The first page newest first gives the keyset cursor of the second.
      const first = (await (await fetch(`${server.url}/api/runs?${filter}`)).json()) as { nextCursor: string | null };
      const cases: [string, string][] = [
        ['filter metrics.m0 > 0.9, 5 metric columns, ordered by metrics.m1 desc', `${filter}&orderBy=${encodeURIComponent('metrics.m1 desc')}`],
        ['same, newest first', filter],
        ['same, newest first, second page (keyset cursor)', `${filter}&cursor=${encodeURIComponent(first.nextCursor ?? '')}`],
        // The floor: the API and HTTP cost of a page without filter or columns, on the same load.
        ['no filter, no columns, newest first (the floor)', 'limit=50'],
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
        console.log(`${label}: ${count} runs a page, load ${load()}, p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms (${REPS} requests)`);
        if (Number.isNaN(headline)) headline = percentile(times, 0.5);
      }
      console.log(`runs list p50 ${headline.toFixed(1)} ms (${RUNS} runs × ${METRICS} metrics, PostgreSQL, load ${load()})`);
    } finally {
      await server.close();
    }
  } finally {
    await metadata.close();
    if (flags.keep) console.log(`kept the database: ${db.url}`);
    else await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
