/**
 * `sluice rollout <model> --to <alias|version>`: a safe rollout of a registered model's candidate
 * (a durable Temporal workflow run by the server's workers: canary steps gated on the model
 * server's own metrics, then promote or roll back; or `--shadow`, or an A/B `--split`), and
 * `sluice rollout status|abort|promote <model>`. Starting and ending need a running server (its
 * workers drive the workflow); status also reads the local metadata store.
 */
import type { Command } from 'commander';
import { ApiError, createApiClient, DEFAULT_ROUTE_KEY_HEADER, modelNameSchema, routeKeyHeaderSchema, type ApiClient, type ModelRollout, type RolloutDecision } from '../../contract/index';
import { readRollouts } from '../../runs/index';
import { CliError, type CliErrorCode } from '../CliError';
import { withMetadata } from '../metadataAccess';
import { servedApi } from '../target';

const print = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

function cliErrorOf(e: unknown, url: string | undefined): unknown {
  if (!(e instanceof ApiError)) return e;
  const fields = e.errors.length ? ` (${e.errors.map((f) => `${f.path}: ${f.message}`).join('; ')})` : '';
  const code: CliErrorCode =
    e.status === 0 ? 'server-unreachable' : e.status === 401 || e.status === 403 ? 'unauthorized' : e.status === 404 ? 'not-found' : e.status === 409 ? 'refused' : e.status >= 500 ? 'server-error' : 'invalid';
  return new CliError(`${e.message}${fields}`, { code, details: url ? { url } : {}, cause: e });
}

/** The server's typed client; a rollout is driven by its workers, so there must be one. */
async function onServer<T>(call: (api: ApiClient) => Promise<T>): Promise<T> {
  const served = await servedApi();
  if (!served) throw new CliError('a rollout is run by a Sluice server’s workers, and none is reachable: start `sluice dev` (or set SLUICE_URL to a server)', { code: 'server-unreachable' });
  try {
    return await call(createApiClient({ baseUrl: served.url, token: process.env.SLUICE_TOKEN }));
  } catch (e) {
    throw cliErrorOf(e, served.url);
  }
}

function modelArg(value: string): string {
  const parsed = modelNameSchema.safeParse(value);
  if (!parsed.success) throw new CliError(`model "${value}": ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** "5m", "30s", "1h", "1500ms", "90" (seconds) → ms. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliError(`${flag} "${text}": give a duration such as 30s, 5m or 1h`);
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h']);
}

/** "1%" → 0.01; "0.01" → 0.01. */
export function parseRate(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(%)?$/.exec(text.trim());
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(value >= 0 && value <= 1)) throw new CliError(`${flag} "${text}": give a rate such as 1% or 0.01`);
  return value;
}

/** "50ms", "0.05s", "50" (ms) → ms. */
export function parseLatency(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.trim());
  const value = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
  if (!(value > 0)) throw new CliError(`${flag} "${text}": give a latency such as 50ms or 0.2s`);
  return value;
}

function parseSteps(text: string): number[] {
  const steps = text.split(',').map((s) => Number(s.trim().replace(/%$/, '')));
  if (steps.some((s) => !(s > 0 && s <= 100))) throw new CliError(`--steps "${text}": give rising weights in percent, e.g. 10,50,100`);
  return steps;
}

const pct = (x: unknown): string => (typeof x === 'number' ? `${Number((x * 100).toFixed(2))}%` : '—');

export function formatDecision(d: RolloutDecision): string {
  const f = d.figures;
  const num = (x: unknown): string => (typeof x === 'number' ? String(x) : '—');
  const shadow = typeof f.mirrored === 'number' && f.mirrored > 0 ? `, agreement ${pct(f.agreement)} (${num(f.agree)} of ${num(f.mirrored)})` : '';
  const figures = f.requests !== undefined ? `  [requests ${num(f.requests)}, errors ${num(f.errors)}, error rate ${pct(f.errorRate)}, p99 ≤ ${num(f.p99Ms)} ms${shadow}]` : '';
  return `  ${d.createdAt}  step ${d.step + 1}  ${d.weight}%  ${d.action}: ${d.reason}${figures}`;
}

function formatRollout(r: ModelRollout): string {
  const plan = r.plan as { steps?: number[]; intervalMs?: number; maxErrorRate?: number; maxP99Ms?: number; minRequests?: number; routeKeyHeader?: string };
  const gates = r.mode === 'canary' ? `  steps ${plan.steps?.join(',')}% every ${(plan.intervalMs ?? 0) / 1000}s; gates: error rate ≤ ${pct(plan.maxErrorRate)}, p99 ≤ ${plan.maxP99Ms} ms, ≥ ${plan.minRequests} requests a window` : '';
  const sticky = r.mode === 'shadow' ? '' : `  sticky by the ${plan.routeKeyHeader ?? DEFAULT_ROUTE_KEY_HEADER} request header (requests without it are split at random)`;
  return `rollout ${r.id} (${r.mode}) of ${r.model}: v${r.baselineVersion} → v${r.candidateVersion}  ${r.state}${r.state === 'running' ? ` at ${r.weight}% (step ${r.step + 1})` : ''}${r.reason ? `: ${r.reason}` : ''}\n${[gates, sticky].filter(Boolean).join('\n')}`;
}

export function registerRolloutCommands(program: Command): void {
  const rollout = program
    .command('rollout')
    .description('roll a candidate version out against champion on the model server: canary steps gated on its metrics then promote or roll back, --shadow, or an A/B --split')
    .argument('[model]', 'the registered model')
    .option('--to <alias|version>', 'the candidate: an alias (challenger) or a version number')
    .option('--steps <list>', 'canary weights in percent, rising', '10,50,100')
    .option('--interval <duration>', 'each step window (30s, 5m, 1h)', '5m')
    .option('--max-error-rate <rate>', 'gate: largest error rate of the candidate in a window (1% or 0.01)', '1%')
    .option('--max-p99 <latency>', 'gate: largest p99 latency of the candidate in a window', '50ms')
    .option('--min-requests <n>', 'sample floor: a window with fewer candidate requests is held for another, not passed', '100')
    .option('--max-holds <n>', 'held windows per step before rolling back for lack of traffic', '3')
    .option('--shadow', 'mirror every request to the candidate off the request path and count agreement; end with promote or abort')
    .option('--split <percent>', 'A/B: a fixed split, sticky by the route key header (--key); end with promote or abort')
    .option('--key <header>', `canary and A/B: the request header whose value keeps one user on one version (a hash of it picks the arm); requests without it are split at random`, DEFAULT_ROUTE_KEY_HEADER)
    .option('--json', 'print JSON')
    .action(async (model: string | undefined, o: { to?: string; steps: string; interval: string; maxErrorRate: string; maxP99: string; minRequests: string; maxHolds: string; shadow?: boolean; split?: string; key: string; json?: boolean }) => {
      if (model === undefined) {
        rollout.help();
        return;
      }
      const name = modelArg(model);
      if (!o.to) throw new CliError('say which version to roll out: --to <alias|version> (e.g. --to challenger)');
      if (o.shadow && o.split !== undefined) throw new CliError('--shadow and --split are two modes: give one');
      const split = o.split === undefined ? undefined : Number(o.split.replace(/%$/, ''));
      if (split !== undefined && !(split > 0 && split < 100)) throw new CliError(`--split "${o.split}": give the candidate's percent, between 0 and 100`);
      const minRequests = Number(o.minRequests);
      const maxHolds = Number(o.maxHolds);
      if (!Number.isInteger(minRequests) || minRequests < 1) throw new CliError(`--min-requests "${o.minRequests}": give a count ≥ 1`);
      if (!Number.isInteger(maxHolds) || maxHolds < 0) throw new CliError(`--max-holds "${o.maxHolds}": give a count ≥ 0`);
      const keyHeader = routeKeyHeaderSchema.safeParse(o.key);
      if (!keyHeader.success) throw new CliError(`--key "${o.key}": ${keyHeader.error.issues[0]?.message ?? 'give a header name'}`);
      if (o.shadow && keyHeader.data !== DEFAULT_ROUTE_KEY_HEADER) throw new CliError('--key keys a split, and --shadow splits nothing (the baseline answers every request): drop one');
      const body = {
        to: o.to,
        mode: o.shadow ? ('shadow' as const) : split !== undefined ? ('ab' as const) : ('canary' as const),
        steps: parseSteps(o.steps),
        intervalMs: parseDuration('--interval', o.interval),
        maxErrorRate: parseRate('--max-error-rate', o.maxErrorRate),
        maxP99Ms: parseLatency('--max-p99', o.maxP99),
        minRequests,
        maxHolds,
        ...(split !== undefined ? { split } : {}),
        ...(o.shadow ? {} : { routeKeyHeader: keyHeader.data }),
      };
      const { rollout: started } = await onServer((api) => api.startModelRollout({ params: { model: name }, body }));
      if (o.json) print(JSON.stringify(started, null, 2));
      else print(`${formatRollout(started)}\nfollow it: sluice rollout status ${name}`);
    });

  rollout
    .command('status')
    .description("a model's rollouts, newest first, with every decision and its figures")
    .argument('<model>', 'the registered model')
    .option('--all', 'every past rollout, not only the latest')
    .option('--json', 'print JSON')
    .action(async (model: string, o: { all?: boolean; json?: boolean }) => {
      const name = modelArg(model);
      const served = await servedApi();
      const reports = served ? await onServer(async (api) => (await api.listModelRollouts({ params: { model: name } })).rollouts) : await withMetadata(async (m) => JSON.parse(JSON.stringify(await readRollouts(m, name))) as { rollout: ModelRollout; decisions: RolloutDecision[] }[]);
      const shown = o.all ? reports : reports.slice(0, 1);
      if (o.json) {
        print(JSON.stringify(shown, null, 2));
        return;
      }
      if (shown.length === 0) print(`model ${name} has had no rollout (sluice rollout ${name} --to challenger starts one)`);
      for (const r of shown) print(`${formatRollout(r.rollout)}\n${r.decisions.map(formatDecision).join('\n')}`);
    });

  for (const action of ['abort', 'promote'] as const) {
    rollout
      .command(action)
      .description(action === 'abort' ? "end a model's running rollout: weight 0, champion stays" : "end a model's shadow or A/B rollout by moving champion to its candidate")
      .argument('<model>', 'the registered model')
      .option('--reason <text>', 'why (kept in the decision log)', action === 'abort' ? 'aborted by hand' : 'promoted by hand')
      .action(async (model: string, o: { reason: string }) => {
        const name = modelArg(model);
        const { rollout: r } = await onServer((api) => api.endModelRollout({ params: { model: name }, body: { action, reason: o.reason } }));
        print(`asked rollout ${r.id} to ${action}; sluice rollout status ${name} shows how it ended`);
      });
  }
}
