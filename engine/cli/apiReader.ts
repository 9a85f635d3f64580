/**
 * The read side of the metadata store over the HTTP API: what `sluice runs list|show`, `logs` and
 * `lineage` use when a `sluice dev` process owns the state directory (its PGlite cannot be opened
 * twice) or when SLUICE_URL points at a remote server (token from SLUICE_TOKEN). Every call goes
 * through the API contract's typed client (engine/contract): no wire type is written down here.
 */
import {
  ApiError,
  createApiClient,
  type ApiClient as ContractClient,
  type Artifact,
  type Execution,
  type LiveStatus,
  type LogLine,
  type Run,
  type RunArtifact,
  type Workers,
} from '../contract/index';
import type { ArtifactRecord, ExecutionRecord, LineageGraph, MetadataStore, RunRecord, TaskLogRecord } from '../stores/metadata/index';
import { stateDir } from '../paths';
import { readStateOwner } from '../stack/index';
import { CliError } from './CliError';

export type ReadStore = Pick<MetadataStore, 'listRuns' | 'getRun' | 'listExecutions' | 'listRunArtifacts' | 'getArtifact' | 'lineage' | 'listTaskLogs'>;

// The contract's records (instants as RFC 3339 text) as the store's (Dates), so commands print the
// same whether they read the store or the API.
const date = (iso: string): Date => new Date(iso);
const maybeDate = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));
const runRecord = (r: Run): RunRecord => ({ ...r, createdAt: date(r.createdAt), startedAt: maybeDate(r.startedAt), finishedAt: maybeDate(r.finishedAt) });
const executionRecord = (e: Execution): ExecutionRecord => ({ ...e, startedAt: date(e.startedAt), finishedAt: maybeDate(e.finishedAt) });
const artifactRecord = <A extends Artifact>(a: A): A & ArtifactRecord => ({ ...a, createdAt: date(a.createdAt) });
const logRecord = (l: LogLine): TaskLogRecord => ({ ...l, ts: date(l.ts) });

export class ApiReader implements ReadStore {
  /** The contract's typed client of this server. */
  readonly api: ContractClient;

  constructor(
    readonly url: string,
    token?: string,
  ) {
    this.api = createApiClient({ baseUrl: url, ...(token ? { token } : {}) });
  }

  /** Runs a call; a refusal or an unreachable server becomes a CliError saying so. `absent`: 404 → undefined. */
  protected async call<T>(fn: (api: ContractClient) => Promise<T>): Promise<T>;
  protected async call<T>(fn: (api: ContractClient) => Promise<T>, absent: 'absent'): Promise<T | undefined>;
  protected async call<T>(fn: (api: ContractClient) => Promise<T>, absent?: 'absent'): Promise<T | undefined> {
    try {
      return await fn(this.api);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (absent && e.code === 'not-found') return undefined;
      if (e.code === 'unreachable') throw new CliError(e.message);
      throw new CliError(`the Sluice API at ${this.url} answered ${e.status || 'nothing usable'}: ${e.message}`);
    }
  }

  async listRuns(filter: Parameters<ReadStore['listRuns']>[0] = {}): ReturnType<ReadStore['listRuns']> {
    const query = {
      ...(filter.limit !== undefined ? { limit: filter.limit } : {}),
      ...(filter.pipelineName !== undefined ? { pipeline: filter.pipelineName } : {}),
      ...(filter.status !== undefined ? { status: filter.status } : {}),
    };
    return (await this.call((api) => api.listRuns({ query }))).runs.map(runRecord);
  }
  async getRun(id: string): ReturnType<ReadStore['getRun']> {
    const detail = await this.call((api) => api.getRun({ params: { runId: id } }), 'absent');
    return detail && runRecord(detail.run);
  }
  async listExecutions(runId: string): ReturnType<ReadStore['listExecutions']> {
    return ((await this.call((api) => api.getRun({ params: { runId } }), 'absent'))?.executions ?? []).map(executionRecord);
  }
  async listRunArtifacts(runId: string): ReturnType<ReadStore['listRunArtifacts']> {
    return ((await this.call((api) => api.getRun({ params: { runId } }), 'absent'))?.artifacts ?? []).map((a: RunArtifact) => artifactRecord(a));
  }
  async getArtifact(id: string): ReturnType<ReadStore['getArtifact']> {
    const detail = await this.call((api) => api.getArtifact({ params: { artifactId: id } }), 'absent');
    return detail && artifactRecord(detail.artifact);
  }
  async lineage(id: string, o: Parameters<ReadStore['lineage']>[1]): ReturnType<ReadStore['lineage']> {
    const g = await this.call((api) => api.getArtifactLineage({ params: { artifactId: id }, query: { depth: o.depth, direction: o.direction } }), 'absent');
    if (!g) return { root: id, nodes: [], edges: [], truncated: false };
    const graph: LineageGraph = {
      root: g.root,
      nodes: g.nodes.map((n) => ({
        kind: n.kind,
        id: n.id,
        depth: n.depth,
        ...(n.artifact ? { artifact: artifactRecord(n.artifact) } : {}),
        ...(n.execution ? { execution: executionRecord(n.execution) } : {}),
      })),
      edges: g.edges,
      truncated: g.truncated,
    };
    return graph;
  }
  async listTaskLogs(f: Parameters<ReadStore['listTaskLogs']>[0]): ReturnType<ReadStore['listTaskLogs']> {
    const query = {
      ...(f.taskId !== undefined ? { task: f.taskId } : {}),
      ...(f.attempt !== undefined ? { attempt: f.attempt } : {}),
      ...(f.afterSeq !== undefined ? { after: f.afterSeq } : {}),
      ...(f.limit !== undefined ? { limit: f.limit } : {}),
    };
    return ((await this.call((api) => api.getRunLogs({ params: { runId: f.runId }, query }), 'absent'))?.lines ?? []).map(logRecord);
  }
}

/** The API as the CLI's engine: submit, follow and control runs on a served stack. */
export class ApiClient extends ApiReader {
  async submit(body: { spec: Record<string, unknown>; params: Record<string, unknown>; cache?: boolean }): Promise<RunRecord> {
    return runRecord((await this.call((api) => api.submitRun({ body }))).run);
  }
  async retry(runId: string, cache: boolean): Promise<{ run: RunRecord; reused: string[] }> {
    const r = await this.call((api) => api.retryRun({ params: { runId }, body: cache ? {} : { cache: false } }));
    return { run: runRecord(r.run), reused: r.reused };
  }
  async cancel(runId: string): Promise<void> {
    await this.call((api) => api.cancelRun({ params: { runId } }));
  }
  async decide(runId: string, approved: boolean, decision: { task?: string; comment?: string }): Promise<string> {
    const r = await this.call((api) => api[approved ? 'approveGate' : 'rejectGate']({ params: { runId }, body: decision }));
    return r.task;
  }
  /** GET /api/workers: the workers polling the task queues. */
  async workers(): Promise<Workers> {
    return this.call((api) => api.listWorkers());
  }
  async liveStatus(runId: string): Promise<LiveStatus | undefined> {
    return (await this.call((api) => api.getRun({ params: { runId } }), 'absent'))?.live ?? undefined;
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
