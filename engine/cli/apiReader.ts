/**
 * The read side of the metadata store over the HTTP API: what `sluice runs list|show`, `logs` and
 * `lineage` use when a `sluice dev` process owns the state directory (its PGlite cannot be opened
 * twice) or when SLUICE_URL points at a remote server (token from SLUICE_TOKEN).
 */
import type { MetadataStore } from '../metadata/MetadataStore';
import { CliError } from './CliError';

export type ReadStore = Pick<MetadataStore, 'listRuns' | 'getRun' | 'listExecutions' | 'listRunArtifacts' | 'getArtifact' | 'lineage' | 'listTaskLogs'>;

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
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  private async get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T | undefined> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(url, { headers: this.token ? { authorization: `Bearer ${this.token}` } : {} });
    } catch (e) {
      throw new CliError(`cannot reach the Sluice API at ${this.baseUrl}: ${(e as Error).message}`);
    }
    if (res.status === 404) return undefined;
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
