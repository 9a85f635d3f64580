/**
 * The read side of the metadata store over the HTTP API: what `sluice runs list|show`, `logs` and
 * `lineage` use when a `sluice dev` process owns the state directory (its PGlite cannot be opened
 * twice) or when SLUICE_URL points at a remote server (token from SLUICE_TOKEN).
 */
import type { MetadataStore, RunRecord } from '../stores/metadata/index';
import { stateDir } from '../paths';
import { readStateOwner } from '../stack/index';
import type { RunStatusView } from '../temporal/workflows/types';
import { CliError } from './CliError';

export type ReadStore = Pick<
  MetadataStore,
  'listRuns' | 'getRun' | 'listExecutions' | 'listRunArtifacts' | 'getArtifact' | 'lineage' | 'listReusingExecutions' | 'listTaskLogs'
>;

const DATE_FIELDS = new Set(['createdAt', 'startedAt', 'finishedAt', 'ts']);

/** JSON with the records' ISO dates turned back into Dates. */
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, DATE_FIELDS.has(k) && typeof v === 'string' ? new Date(v) : revive(v)]),
    );
  }
  return value;
}

export class ApiReader implements ReadStore {
  constructor(
    readonly url: string,
    private readonly token?: string,
  ) {}

  protected async get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T | undefined> {
    return this.request<T>('GET', path, query);
  }

  protected async request<T>(method: 'GET' | 'POST', path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): Promise<T | undefined> {
    const url = new URL(path, this.url);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      throw new CliError(`cannot reach the Sluice API at ${this.url}: ${(e as Error).message}`);
    }
    if (res.status === 404 && method === 'GET') return undefined;
    const text = await res.text();
    if (!res.ok) {
      const detail = (() => {
        try {
          return (JSON.parse(text) as { detail?: string }).detail;
        } catch {
          return undefined;
        }
      })();
      throw new CliError(`the Sluice API answered ${res.status}: ${detail ?? text.slice(0, 200)}`);
    }
    return revive(JSON.parse(text)) as T;
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

/** The API as the CLI's engine: submit, follow and control runs on a served stack. */
export class ApiClient extends ApiReader {
  async submit(body: { spec: unknown; params: Record<string, unknown>; cache?: boolean }): Promise<RunRecord> {
    const r = await this.request<{ run: RunRecord }>('POST', '/api/runs', {}, body);
    if (!r) throw new CliError('the Sluice API did not answer with a run');
    return r.run;
  }
  async retry(runId: string, cache: boolean): Promise<{ run: RunRecord; reused: string[] }> {
    const r = await this.request<{ run: RunRecord; reused: string[] }>('POST', `/api/runs/${encodeURIComponent(runId)}/retry`, {}, cache ? {} : { cache: false });
    if (!r) throw new CliError('the Sluice API did not answer with a run');
    return r;
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
  /** Polls until the run has ended. */
  async finished(runId: string): Promise<RunRecord> {
    for (;;) {
      const run = await this.getRun(runId);
      if (!run) throw new CliError(`no run with id "${runId}"`);
      if (run.status !== 'pending' && run.status !== 'running') return run;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The API the CLI should use: SLUICE_URL, or the `sluice dev` that owns the state directory. */
export async function servedApi(): Promise<ApiClient | undefined> {
  if (process.env.SLUICE_URL) return new ApiClient(process.env.SLUICE_URL, process.env.SLUICE_TOKEN);
  if (process.env.DATABASE_URL) return undefined;
  const owner = await readStateOwner(stateDir());
  return owner?.apiUrl ? new ApiClient(owner.apiUrl, process.env.SLUICE_TOKEN) : undefined;
}
