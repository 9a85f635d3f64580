/**
 * Schedules on a real Temporal dev server: trigger now, backfill a range (one run per nominal
 * time, each recording its schedule and nominal time), pause/resume with a note, and refusal of
 * bad input before anything is created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../dsl/index';
import type { MetadataStore, RunRecord } from '../../engine/stores/metadata/MetadataStore';
import {
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  describeSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  triggerSchedule,
  type ScheduleDeps,
} from '../../engine/automation/schedules/index';
import * as flows from '../fixtures/controlFlow';
import { startTestStack, type TestStack } from '../support/stackHarness';

async function runsOf(ts: TestStack, scheduleId: string, count: number, timeoutMs = 60_000): Promise<RunRecord[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const runs = (await ts.stack.metadata.listRuns({ limit: 200 })).filter((r) => r.trigger.scheduleId === scheduleId);
    const done = runs.filter((r) => r.status === 'succeeded');
    if (done.length >= count) return runs;
    if (Date.now() > until) throw new Error(`expected ${count} finished runs of ${scheduleId}, got ${JSON.stringify(runs.map((r) => r.status))}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('schedules', () => {
  let ts: TestStack;
  let deps: ScheduleDeps & { metadata: MetadataStore };
  beforeAll(async () => {
    ts = await startTestStack('pglite', [flows]);
    deps = { client: ts.stack.client, metadata: ts.stack.metadata, taskQueuePrefix: ts.stack.taskQueuePrefix };
  });
  afterAll(async () => {
    await ts?.stop();
  });

  it('runs the pipeline when triggered and for each nominal time of a backfill, recording schedule and time', async () => {
    const spec = compile(flows.branching).spec;
    const created = await createSchedule(deps, {
      id: 'nightly',
      spec,
      params: { mode: 'fast' },
      cron: ['0 3 * * *'],
      timezone: 'Europe/Paris',
      overlap: 'buffer-all',
      paused: true,
      note: 'created paused',
    });
    expect(created).toMatchObject({ id: 'nightly', pipeline: 'branching', cron: ['0 3 * * *'], timezone: 'Europe/Paris', paused: true, note: 'created paused' });

    await triggerSchedule(deps, 'nightly');
    const [manual] = await runsOf(ts, 'nightly', 1);
    expect(manual?.params).toEqual({ mode: 'fast', threshold: 10 });
    expect(manual?.trigger.kind).toBe('schedule');

    // 3 nights in Paris: 2026-03-01..03 at 03:00 local = 02:00 UTC.
    await backfillSchedule(deps, 'nightly', new Date('2026-03-01T00:00:00Z'), new Date('2026-03-03T23:00:00Z'));
    const runs = await runsOf(ts, 'nightly', 4);
    const nominal = runs.map((r) => r.trigger.nominalTime as string).filter((t) => t.startsWith('2026-03')).sort();
    expect(nominal).toEqual(['2026-03-01T02:00:00.000Z', '2026-03-02T02:00:00.000Z', '2026-03-03T02:00:00.000Z']);
    expect(runs.every((r) => r.pipelineName === 'branching')).toBe(true);
  });

  it('pauses and resumes with a note, lists, describes and deletes', async () => {
    const version = await ts.stack.metadata.registerPipelineVersion(compile(flows.fanOut).spec, 'x'.repeat(64));
    await createSchedule(deps, { id: 'hourly', pipelineVersionId: version.id, params: { xs: [1] }, every: ['1h'], jitter: '30s', catchupWindow: '10m' });
    expect((await pauseSchedule(deps, 'hourly', 'data source down')).paused).toBe(true);
    const d = await describeSchedule(deps, 'hourly');
    expect(d).toMatchObject({ paused: true, note: 'data source down', every: ['1h'] });
    expect((await resumeSchedule(deps, 'hourly', 'back')).paused).toBe(false);
    expect((await describeSchedule(deps, 'hourly')).nextRuns.length).toBeGreaterThan(0);
    expect((await listSchedules(deps)).map((s) => s.id)).toEqual(expect.arrayContaining(['hourly', 'nightly']));
    await deleteSchedule(deps, 'hourly');
    await expect(describeSchedule(deps, 'hourly')).rejects.toThrow('no schedule "hourly"');
  });

  it('refuses bad input before creating anything', async () => {
    const spec = compile(flows.branching).spec;
    await expect(createSchedule(deps, { id: 'bad1', spec, params: { mode: 3 }, cron: ['0 3 * * *'] })).rejects.toThrow(/mode/);
    await expect(createSchedule(deps, { id: 'bad2', spec, params: { mode: 'x' } })).rejects.toThrow('give at least one cron expression or interval');
    await expect(createSchedule(deps, { id: 'bad3', spec, params: { mode: 'x' }, every: ['soon'] })).rejects.toThrow(/every.0: a duration/);
    await expect(createSchedule(deps, { id: 'bad4', spec, params: { mode: 'x' }, cron: ['61 * * * *'] })).rejects.toThrow(/could not create schedule "bad4"/);
    const ids = (await listSchedules(deps)).map((s) => s.id);
    expect(ids.filter((i) => i.startsWith('bad'))).toEqual([]);
  });
});
