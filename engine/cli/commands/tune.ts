/**
 * `sluice tune show|set|stop <run>`: a run's tuning studies (p.tune). Through a reachable server's
 * API (target.ts); otherwise `show` reads the metadata store and `set`/`stop` talk to the Temporal
 * server of the process running the stack (state directory lock file).
 */
import { Client as TemporalClient, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { ApiError, createApiClient, type Study } from '../../contract/index';
import { controlStudy, readStudies, StudyError, type StudyReport } from '../../runs/index';
import { stateDir } from '../../paths';
import { readStateOwner } from '../../stack/index';
import type { StudyControl } from '../../temporal/workflows/types';
import { CliError } from '../CliError';
import { onTarget } from '../target';
import { onTypedTarget, print } from './typedApi';

const fmt = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(6))) : JSON.stringify(v));

export function formatStudy(s: Study | StudyReport): string {
  const lines = [`study ${s.study}: ${s.trials.length} trials${s.control ? ` (running: parallelTrials ${s.control.parallelTrials}, maxTrials ${s.control.maxTrials}${s.control.stopRequested ? ', stopping' : ''})` : ''}`];
  if (s.best) lines.push(`  best: trial ${s.best.number}, value ${fmt(s.best.value)}, ${Object.entries(s.best.params).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}`);
  lines.push('  #    state      value        duration  params');
  for (const t of s.trials) {
    const ms = t.finishedAt ? new Date(t.finishedAt).getTime() - new Date(t.startedAt).getTime() : undefined;
    const extra = t.state === 'pruned' ? ` (pruned at step ${t.prunedStep ?? '?'}: ${t.reason ?? ''})` : t.reason && t.state !== 'succeeded' ? ` (${t.reason})` : '';
    lines.push(
      `  ${String(t.number).padEnd(4)} ${t.state.padEnd(10)} ${(t.value === null ? '-' : fmt(t.value)).padEnd(12)} ${(ms === undefined ? '-' : `${(ms / 1000).toFixed(1)}s`).padEnd(9)} ${Object.entries(t.params).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}${extra}`,
    );
  }
  return lines.join('\n');
}

async function control(runId: string, study: string | undefined, change: StudyControl): Promise<void> {
  const view = await onTarget({
    api: async (served) => {
      const api = createApiClient({ baseUrl: served.url, token: process.env.SLUICE_TOKEN });
      try {
        return await api.controlStudy({ params: { runId }, body: { ...(study !== undefined ? { study } : {}), ...change } });
      } catch (e) {
        if (e instanceof ApiError) throw new CliError(e.message, { code: e.status === 404 ? 'not-found' : e.status >= 500 ? 'server-error' : 'refused', details: { url: served.url, via: served.via }, cause: e });
        throw e;
      }
    },
    local: async () => {
      const owner = await readStateOwner(stateDir());
      if (!owner?.temporalAddress) throw new CliError(`run ${runId} is not running here: no process runs the stack of this state directory (sluice dev, sluice run)`, { code: 'refused' });
      const connection = await Connection.connect({ address: owner.temporalAddress });
      try {
        const v = await controlStudy(undefined, new TemporalClient({ connection }), { id: runId }, study, change);
        return { study: v.study, trials: [], best: v.best ?? null, control: { parallelTrials: v.parallelTrials, maxTrials: v.maxTrials, stopRequested: v.stopRequested } };
      } catch (e) {
        if (e instanceof StudyError) throw new CliError(e.message, { code: e.code === 'no-study' ? 'not-found' : 'refused' });
        throw e;
      } finally {
        await connection.close();
      }
    },
  });
  const c = view.control;
  print(`study ${view.study} of run ${runId}: ${c ? `parallelTrials ${c.parallelTrials}, maxTrials ${c.maxTrials}${c.stopRequested ? ', stopping (the best so far is kept)' : ''}` : 'changed'}`);
}

const positive = (flag: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} takes a whole number, 1 or more; got "${value}"`, { code: 'invalid' });
  return n;
};

export function registerTuneCommands(program: Command): void {
  const tune = program.command('tune').description('tuning studies (p.tune) of a run: trials, and changes while it runs');
  tune
    .command('show')
    .description("show a run's studies: trials with parameters, objective value, state and duration")
    .argument('<run-id>')
    .option('--json', 'print JSON')
    .action(async (runId: string, opts: { json?: boolean }) => {
      const studies = await onTypedTarget<(Study | StudyReport)[]>({
        api: async (api) => (await api.getRunStudies({ params: { runId } })).studies,
        local: async (m) => {
          const run = await m.getRun(runId);
          if (!run) throw new CliError(`no run with id "${runId}" (list them with: sluice runs list)`, { code: 'not-found' });
          return readStudies(m, undefined, run);
        },
      });
      if (opts.json) print(JSON.stringify(studies, null, 2));
      else if (!studies.length) print(`run ${runId} has no tuning study with trials`);
      else print(studies.map(formatStudy).join('\n\n'));
    });
  tune
    .command('set')
    .description('change a running study: trials at once (--parallel) and in all (--max-trials)')
    .argument('<run-id>')
    .option('--study <path>', 'task path of the study (needed when the run has several)')
    .option('--parallel <n>', 'trials running at once', positive('--parallel'))
    .option('--max-trials <n>', 'trials in all', positive('--max-trials'))
    .action(async (runId: string, opts: { study?: string; parallel?: number; maxTrials?: number }) => {
      if (opts.parallel === undefined && opts.maxTrials === undefined) throw new CliError('nothing to change: give --parallel <n> and/or --max-trials <n>', { code: 'invalid' });
      await control(runId, opts.study, { ...(opts.parallel !== undefined ? { parallelTrials: opts.parallel } : {}), ...(opts.maxTrials !== undefined ? { maxTrials: opts.maxTrials } : {}) });
    });
  tune
    .command('stop')
    .description('stop a running study early: no new trials, running ones cancelled, the best so far is its result')
    .argument('<run-id>')
    .option('--study <path>', 'task path of the study (needed when the run has several)')
    .action(async (runId: string, opts: { study?: string }) => {
      await control(runId, opts.study, { stop: true });
    });
}
