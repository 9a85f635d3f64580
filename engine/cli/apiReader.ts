/**
 * The CLI's one HTTP client of the Sluice API (a `sluice dev` found through the state directory's
 * lock file, or SLUICE_URL with SLUICE_TOKEN): what every command uses when a server is reachable
 * (the rule is in target.ts). `ApiReader` is the read side of the metadata store over HTTP;
 * `ApiClient` adds submitting, controlling and following runs, schedules, triggers, tokens,
 * workers and stored pipelines.
 *
 * It calls fetch itself (the one file of engine/cli allowed to): it maps every failure to a
 * CliError code the exit status and advice depend on, and follows event streams with reconnects.
 * Moving these calls onto the contract's typed client (engine/contract) is still to do; the
 * answers' types here are the store's records (the server's replies are checked against the
 * contract's schemas in the API tests).
 *
 * Failures carry CliError codes: no answer → `server-unreachable`, 5xx → `server-error`,
 * 404 → `not-found`, 401/403 → `unauthorized`, other 4xx → `refused` (with the problem's detail and
 * field errors).
 */
import type { ScheduleInput, ScheduleSummary, TriggerInput, TriggerView } from '../automation/index';
import type { ApiTokenRecord, MetadataStore, PipelineRecord, PipelineVersionRecord, PipelineVersionSummary, RunRecord } from '../stores/metadata/index';
import type { RunStatusView } from '../temporal/workflows/types';
import type { Problem, Workers } from '../contract/index';
import { CliError, type CliErrorCode, type CliErrorDetails } from './CliError';
import { parseEventStream, type ServerSentEvent } from './sse';

export type ReadStore = Pick<
  MetadataStore,
  'listRuns' | 'getRun' | 'listExecutions' | 'listRunArtifacts' | 'getArtifact' | 'lineage' | 'listReusingExecutions' | 'listTaskLogs'
>;

const DATE_FIELDS = new Set(['createdAt', 'startedAt', 'finishedAt', 'ts', 'lastUsedAt', 'revokedAt']);

/** JSON with the records' ISO dates turned back into Dates. */
export function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, DATE_FIELDS.has(k) && typeof v === 'string' ? new Date(v) : revive(v)]),
    );
  }
  return value;
}

function problemOf(text: string): Partial<Problem> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed) : undefined;
  } catch {
    return undefined;
  }
}

function codeForStatus(status: number): CliErrorCode {
  if (status >= 500) return 'server-error';
  if (status === 404) return 'not-found';
  if (status === 401 || status === 403) return 'unauthorized';
  return 'refused';
}

type Method = 'GET' | 'POST' | 'DELETE';
type Query = Record<string, string | number | undefined>;

export class ApiReader implements ReadStore {
  /**
   * @param via how the CLI found this server ("SLUICE_URL", or the `sluice dev` process that owns
   *   the state directory): error advice names it.
   */
  constructor(
    readonly url: string,
    private readonly token?: string,
    readonly via = 'SLUICE_URL',
  ) {}

  protected get details(): CliErrorDetails {
    return { url: this.url, via: this.via };
  }

  protected headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  protected endpoint(path: string, query: Query = {}): URL {
    const url = new URL(path, this.url);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  protected unreachable(e: unknown): CliError {
    // fetch says "fetch failed" and puts the socket's error (ECONNREFUSED, ECONNRESET…) in `cause`.
    const reason = (e instanceof Error && e.cause instanceof Error && e.cause.message ? e.cause.message : e instanceof Error ? e.message : String(e)) || 'no answer';
    return new CliError(`cannot reach the Sluice API at ${this.url} (${this.via}): ${reason}`, { code: 'server-unreachable', details: { ...this.details, reason }, cause: e });
  }

  /** A CliError for a refused or failed request. */
  protected answered(status: number, text: string): CliError {
    const problem = problemOf(text);
    const fields = (problem?.errors ?? []).filter((f) => f.message).map((f) => `  - ${f.path ? `${f.path}: ` : ''}${f.message}`);
    const detail = problem?.detail ?? text.slice(0, 200);
    return new CliError(`the Sluice API answered ${status}: ${detail}${fields.length ? `\n${fields.join('\n')}` : ''}`, { code: codeForStatus(status), details: this.details });
  }

  protected async get<T>(path: string, query: Query = {}): Promise<T | undefined> {
    return this.request<T>('GET', path, query);
  }

  /** JSON from the API; undefined for a GET answered 404 and for empty answers (204). */
  protected async request<T>(method: Method, path: string, query: Query = {}, body?: unknown): Promise<T | undefined> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.endpoint(path, query), {
        method,
        headers: this.headers(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      text = await res.text();
    } catch (e) {
      throw this.unreachable(e);
    }
    if (res.status === 404 && method === 'GET') return undefined;
    if (!res.ok) throw this.answered(res.status, text);
    return text === '' ? undefined : (revive(JSON.parse(text)) as T);
  }

  async listRuns(filter: Parameters<ReadStore['listRuns']>[0] = {}): ReturnType<ReadStore['listRuns']> {
    const r = await this.get<{ runs: Awaited<ReturnType<ReadStore['listRuns']>> }>('/api/runs', {
      limit: filter.limit,
      pipeline: filter.pipelineName,
      status: filter.status,
    });
    return r?.runs ?? [];
  }
  async getRun(id: string): ReturnType<ReadStore['getRun']> {
    return (await this.get<{ run: Awaited<ReturnType<ReadStore['getRun']>> }>(`/api/runs/${encodeURIComponent(id)}`))?.run;
  }
  async listExecutions(runId: string): ReturnType<ReadStore['listExecutions']> {
    return (await this.get<{ executions: Awaited<ReturnType<ReadStore['listExecutions']>> }>(`/api/runs/${encodeURIComponent(runId)}`))?.executions ?? [];
  }
  async listRunArtifacts(runId: string): ReturnType<ReadStore['listRunArtifacts']> {
    return (await this.get<{ artifacts: Awaited<ReturnType<ReadStore['listRunArtifacts']>> }>(`/api/runs/${encodeURIComponent(runId)}`))?.artifacts ?? [];
  }
  async getArtifact(id: string): ReturnType<ReadStore['getArtifact']> {
    return (await this.get<{ artifact: Awaited<ReturnType<ReadStore['getArtifact']>> }>(`/api/artifacts/${encodeURIComponent(id)}`))?.artifact;
  }
  async lineage(id: string, o: Parameters<ReadStore['lineage']>[1]): ReturnType<ReadStore['lineage']> {
    const g = await this.get<Awaited<ReturnType<ReadStore['lineage']>>>(`/api/artifacts/${encodeURIComponent(id)}/lineage`, { depth: o.depth, direction: o.direction });
    return g ?? { root: id, nodes: [], edges: [], truncated: false };
  }
  async listReusingExecutions(
    target: Parameters<ReadStore['listReusingExecutions']>[0],
    o: Parameters<ReadStore['listReusingExecutions']>[1] = {},
  ): ReturnType<ReadStore['listReusingExecutions']> {
    const path = 'executionId' in target ? `/api/executions/${encodeURIComponent(target.executionId)}/reuse` : `/api/artifacts/${encodeURIComponent(target.artifactId)}/reuse`;
    const g = await this.get<Awaited<ReturnType<ReadStore['lineage']>>>(path, { limit: o.limit });
    // The answer is the node and, one hop away, the cached executions folded into it.
    return (g?.nodes ?? []).flatMap((n) => (n.depth > 0 && n.execution ? [n.execution] : []));
  }
  async listTaskLogs(f: Parameters<ReadStore['listTaskLogs']>[0]): ReturnType<ReadStore['listTaskLogs']> {
    const r = await this.get<{ lines: Awaited<ReturnType<ReadStore['listTaskLogs']>> }>(`/api/runs/${encodeURIComponent(f.runId)}/logs`, {
      task: f.taskId,
      attempt: f.attempt,
      after: f.afterSeq,
      limit: f.limit,
    });
    return r?.lines ?? [];
  }
}

/** How long a run's event stream may stay silent: the server sends a heartbeat every 15 s. */
const STREAM_IDLE_MS = 45_000;

/** The API as the CLI's engine: submit, follow and control runs, and everything else a served stack keeps. */
export class ApiClient extends ApiReader {
  /** A 2xx answer with a body, or a CliError naming what the server did not send. */
  private async must<T>(method: Method, path: string, body?: unknown, what = 'an answer'): Promise<T> {
    const r = await this.request<T>(method, path, {}, body);
    if (r === undefined) throw new CliError(`the Sluice API at ${this.url} sent no ${what} for ${method} ${path}`, { code: 'server-error', details: this.details });
    return r;
  }

  async submit(body: { spec: unknown; params: Record<string, unknown>; cache?: boolean }): Promise<RunRecord> {
    return (await this.must<{ run: RunRecord }>('POST', '/api/runs', body, 'run')).run;
  }
  async retry(runId: string, cache: boolean): Promise<{ run: RunRecord; reused: string[] }> {
    return this.must<{ run: RunRecord; reused: string[] }>('POST', `/api/runs/${encodeURIComponent(runId)}/retry`, cache ? {} : { cache: false }, 'run');
  }
  async cancel(runId: string): Promise<void> {
    await this.request('POST', `/api/runs/${encodeURIComponent(runId)}/cancel`, {}, {});
  }
  async decide(runId: string, approved: boolean, decision: { task?: string; comment?: string }): Promise<string> {
    const r = await this.request<{ task: string }>('POST', `/api/runs/${encodeURIComponent(runId)}/${approved ? 'approve' : 'reject'}`, {}, decision);
    return r?.task ?? '';
  }
  async liveStatus(runId: string): Promise<RunStatusView | undefined> {
    return (await this.get<{ live: RunStatusView | null }>(`/api/runs/${encodeURIComponent(runId)}`))?.live ?? undefined;
  }

  /**
   * Opens `GET /api/runs/:id/events`. Undefined when the server answers 204: the run has ended and
   * this is a reconnection (Last-Event-ID). A dropped or silent connection ends the iteration with a
   * `server-unreachable` CliError, so the caller can reconnect.
   */
  async runEvents(runId: string, lastEventId?: string): Promise<AsyncGenerator<ServerSentEvent> | undefined> {
    const abort = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const alive = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(), STREAM_IDLE_MS);
    };
    let res: Response;
    try {
      alive();
      res = await fetch(this.endpoint(`/api/runs/${encodeURIComponent(runId)}/events`), {
        headers: this.headers({ accept: 'text/event-stream', ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}) }),
        signal: abort.signal,
      });
    } catch (e) {
      clearTimeout(idle);
      throw this.unreachable(e);
    }
    if (res.status === 204 || !res.ok || !res.body) {
      clearTimeout(idle);
      const text = await res.text().catch(() => '');
      if (res.status === 204) return undefined;
      if (res.status === 404) throw new CliError(`no run with id "${runId}" on ${this.url} (list them with: sluice runs list)`, { code: 'not-found', details: this.details });
      throw this.answered(res.status, text);
    }
    const body = res.body as unknown as AsyncIterable<Uint8Array>;
    const unreachable = (e: unknown): CliError => this.unreachable(abort.signal.aborted ? new Error(`the event stream was silent for ${STREAM_IDLE_MS / 1000} s`) : e);
    return (async function* events(): AsyncGenerator<ServerSentEvent> {
      try {
        yield* parseEventStream(
          (async function* chunks(): AsyncGenerator<Uint8Array> {
            try {
              yield* body;
            } catch (e) {
              throw unreachable(e);
            }
          })(),
          alive,
        );
      } finally {
        clearTimeout(idle);
        abort.abort();
      }
    })();
  }

  async createSchedule(input: ScheduleInput): Promise<ScheduleSummary> {
    return (await this.must<{ schedule: ScheduleSummary }>('POST', '/api/schedules', input, 'schedule')).schedule;
  }
  async listSchedules(): Promise<ScheduleSummary[]> {
    return (await this.must<{ schedules: ScheduleSummary[] }>('GET', '/api/schedules')).schedules;
  }
  async describeSchedule(id: string): Promise<ScheduleSummary> {
    const r = await this.get<{ schedule: ScheduleSummary }>(`/api/schedules/${encodeURIComponent(id)}`);
    if (!r) throw new CliError(`no schedule "${id}" (sluice schedules list shows them)`, { code: 'not-found' });
    return r.schedule;
  }
  async scheduleAction(id: string, action: 'pause' | 'resume', note?: string): Promise<ScheduleSummary> {
    return (await this.must<{ schedule: ScheduleSummary }>('POST', `/api/schedules/${encodeURIComponent(id)}/${action}`, note !== undefined ? { note } : {}, 'schedule')).schedule;
  }
  async triggerSchedule(id: string): Promise<void> {
    await this.request('POST', `/api/schedules/${encodeURIComponent(id)}/trigger`, {}, {});
  }
  async backfillSchedule(id: string, from: Date, to: Date, overlap: string): Promise<void> {
    await this.request('POST', `/api/schedules/${encodeURIComponent(id)}/backfill`, {}, { from: from.toISOString(), to: to.toISOString(), overlap });
  }
  async deleteSchedule(id: string): Promise<void> {
    await this.request('DELETE', `/api/schedules/${encodeURIComponent(id)}`);
  }

  async createTrigger(input: TriggerInput): Promise<{ definition: TriggerView; secret?: string }> {
    const r = await this.must<{ trigger: TriggerView; secret?: string }>('POST', '/api/triggers', input, 'trigger');
    return { definition: r.trigger, ...(r.secret !== undefined ? { secret: r.secret } : {}) };
  }
  async listTriggers(): Promise<TriggerView[]> {
    return (await this.must<{ triggers: TriggerView[] }>('GET', '/api/triggers')).triggers;
  }
  async deleteTrigger(id: string): Promise<void> {
    await this.request('DELETE', `/api/triggers/${encodeURIComponent(id)}`);
  }

  async createToken(input: { name: string; role: ApiTokenRecord['role'] }): Promise<{ record: ApiTokenRecord; token: string }> {
    const r = await this.must<{ token: ApiTokenRecord; secret: string }>('POST', '/api/tokens', input, 'token');
    return { record: r.token, token: r.secret };
  }
  async listTokens(): Promise<ApiTokenRecord[]> {
    return (await this.must<{ tokens: ApiTokenRecord[] }>('GET', '/api/tokens')).tokens;
  }
  async revokeToken(id: string): Promise<void> {
    await this.request('DELETE', `/api/tokens/${encodeURIComponent(id)}`);
  }

  async workers(): Promise<Workers> {
    return this.must<Workers>('GET', '/api/workers');
  }

  /** A stored pipeline by id or name with its versions (newest first), or undefined. */
  async pipeline(idOrName: string): Promise<{ pipeline: PipelineRecord; versions: PipelineVersionSummary[] } | undefined> {
    return this.get(`/api/pipelines/${encodeURIComponent(idOrName)}`);
  }
  async pipelineVersion(pipelineId: string, versionId: string): Promise<PipelineVersionRecord | undefined> {
    return (await this.get<{ version: PipelineVersionRecord }>(`/api/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`))?.version;
  }
}
