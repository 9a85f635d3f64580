/**
 * `executeTask`: runs one task of a run inside the worker. Resolves the inputs (artifacts and loop
 * fan-ins), reuses an earlier result with the same cache key when there is one, and otherwise runs
 * the component (a function, or a command as a subprocess) with heartbeats, stores output artifacts
 * (content-addressed), and records the execution, artifacts, input/output events, metrics and task
 * log lines. Every id it writes is deterministic, so a retried attempt updates the same rows instead
 * of adding new ones.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { sha256Hex, canonicalJson, valueMismatch, type ComponentSpec } from '../../../dsl/ir/index';
import type { ComponentContext, InputArtifact, OutputArtifact, TaskDevice } from '../../../dsl/runtime';
import type { ArtifactStore } from '../../stores/artifacts/index';
import type { Logger } from '../../logging';
import type { ArtifactRecord, CachedExecution, ExecutionIdentity, FinishedExecution, Json, MetadataStore } from '../../stores/metadata/index';
import { mlflowRunIdOf } from '../../stores/metadata/index';
import { packaged, projectRoot as sluiceRoot } from '../../paths';
import {
  executionIdFor,
  type ArtifactRefValue,
  type CollectionValue,
  type ExecuteTaskInput,
  type ExecuteTaskResult,
  type PortValue,
} from '../workflows/types';
import { cacheKey } from './cacheKey';
import { commandSourcesDigest, runCommand } from './runCommand';
import { recordedResult } from '../../runs/index';
import { TaskLogWriter } from './taskLogs';
import type { ComponentRegistry } from './ComponentRegistry';
import type { DeviceLease, DevicePool } from './devicePool';
import { modelRegistryAccess } from './modelRegistryAccess';
import { observeTask } from './taskMetrics';

export interface ExecuteTaskDeps {
  metadata: MetadataStore;
  artifacts: ArtifactStore;
  /** Only `resolve` is used (function components). */
  registry: Pick<ComponentRegistry, 'resolve'>;
  /** Scratch space for attempts (outputs are written here, then moved into the artifact store). */
  workRoot: string;
  logger: Logger;
  /** Where command components run and find their sources (default: the Sluice checkout; installed, the working directory, the user's project). */
  projectRoot?: string;
  /** The GPUs of a GPU worker: each attempt that runs a component holds one of them. */
  devices?: DevicePool;
  /**
   * Where a command component's MLflow client tracks (the API server's `/mlflow`), asked at each
   * attempt: the server may start after the workers. Undefined: no MLFLOW_* variables are set.
   */
  mlflowTracking?: () => MlflowTracking | undefined;
}

/** Per call: see executeTask. */
export interface ExecuteTaskOptions {
  metadata?: MetadataStore;
}

/** The MLflow tracking server a command component is pointed at. */
export interface MlflowTracking {
  /** MLFLOW_TRACKING_URI: `<api url>/mlflow`. */
  uri: string;
  /** MLFLOW_TRACKING_TOKEN, where the server wants one. */
  token?: string;
}

/** A standalone worker's tracking server: the API its deployment names in SLUICE_URL (SLUICE_TOKEN). */
export function mlflowTrackingFromEnv(env: NodeJS.ProcessEnv): MlflowTracking | undefined {
  const url = env.SLUICE_URL?.replace(/\/+$/, '');
  if (!url) return undefined;
  return { uri: `${url}/mlflow`, ...(env.SLUICE_TOKEN ? { token: env.SLUICE_TOKEN } : {}) };
}

/**
 * The environment that makes `mlflow` inside a command component log into its own task: the
 * tracking URI, and the task's execution as the active MLflow run (its MLflow id, mlflowRunIdOf).
 */
export function mlflowEnv(tracking: MlflowTracking | undefined, executionId: string, own: Record<string, string> = {}): Record<string, string> {
  if (!tracking) return {};
  const env: Record<string, string> = { MLFLOW_TRACKING_URI: tracking.uri, MLFLOW_RUN_ID: mlflowRunIdOf(executionId), ...(tracking.token ? { MLFLOW_TRACKING_TOKEN: tracking.token } : {}) };
  // A component that sets one of these itself (another tracking server) keeps its own.
  for (const key of Object.keys(own)) delete env[key];
  return env;
}

/** Digest of a component's whole spec (ports, options, code): its identity for caching and lineage. */
export function componentDigest(spec: ComponentSpec): string {
  return sha256Hex(canonicalJson(spec));
}

/** Inputs resolved to metadata (no bytes fetched yet): enough for the cache key and the events. */
interface ResolvedInputs {
  /** Parameter values by port, fan-in lists included: the execution's `params`. */
  params: Record<string, Json>;
  /** Artifact inputs by port: one record, or a list for list ports and fan-ins. */
  artifacts: Record<string, ArtifactRecord | ArtifactRecord[]>;
}

export function createExecuteTask(deps: ExecuteTaskDeps) {
  const projectRoot = deps.projectRoot ?? (packaged ? process.cwd() : sluiceRoot);

  /**
   * One task attempt. `options.metadata`: the store this call goes through instead of deps'
   * (a fused chain's, which sends a step's finish with the next step's first statement).
   */
  return async function executeTask(input: ExecuteTaskInput, options: ExecuteTaskOptions = {}): Promise<ExecuteTaskResult> {
    const metadata = options.metadata ?? deps.metadata;
    const ctx = Context.current();
    const local = ctx.info.isLocal;
    // A local step, or a step of a light-item group (a regular activity retried as a whole): its
    // row, not Temporal's attempt count, says whether it finished and which attempt this is.
    const fromRow = local || input.attemptsFromRow === true;
    const { runId, taskId, component: spec } = input;
    const where = `task "${taskId}" (component "${spec.name}")`;
    const executionId = executionIdFor(runId, taskId);
    const startedAt = Date.now();
    // A local step (execution: 'local') whose workflow task was lost (worker killed) runs again
    // with its attempt count restarted: its row, not Temporal, says whether it finished and which
    // attempt this is (beginExecution, below, in the same statement as the cache lookup).
    let attempt = fromRow && !local ? 1 : ctx.info.attempt;
    let log = deps.logger.child({ runId, taskId, attempt });
    if (spec.impl.kind === 'approval' || spec.impl.kind === 'pipeline') {
      throw ApplicationFailure.create({
        message: `${where}: ${spec.impl.kind} components are run by the workflow itself, never by executeTask`,
        type: 'UnsupportedComponentKind',
        nonRetryable: true,
      });
    }

    const heartbeatEvery = Math.max(200, Math.min(5_000, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3));
    // Local activities have no heartbeats (the workflow task's own timeout watches the worker).
    const beat = local ? undefined : setInterval(() => ctx.heartbeat(), heartbeatEvery);
    let logs: TaskLogWriter | undefined;
    // A light step's metrics (local, or one of a light-item group: the steps counted from their
    // rows) go with its finished row, in its one finishing statement; a queued step's are written
    // as reported, for live charts.
    const heldMetrics: NonNullable<FinishedExecution['metrics']>[number][] = [];
    try {
      const digest = componentDigest(spec);
      // The same for the start and the finish; the attempt is not (the row may count it anew).
      const identity: ExecutionIdentity = { id: executionId, runId, taskId, componentName: spec.name, componentDigest: digest };
      // Resolved before the row is written, so that it carries the full params and the cache key;
      // a failure here is still recorded on the row below.
      let resolved: ResolvedInputs | undefined;
      let key: string | undefined;
      let early: unknown;
      try {
        resolved = await resolveInputs(metadata, input, where);
        // Computed even with caching off, so a forced re-run refreshes the cache for later runs.
        key = cacheKey({
          componentDigest: digest,
          sourcesDigest: await commandSourcesDigest(spec, projectRoot),
          params: resolved.params,
          artifacts: Object.fromEntries(
            Object.entries(resolved.artifacts).map(([port, a]) => [port, Array.isArray(a) ? a.map((r) => r.sha256) : a.sha256]),
          ),
        });
      } catch (err) {
        early = err;
      }

      // Statement 1 of a step's two: the running row (with its input events; none when the inputs
      // did not resolve) and the cache candidate, together. The row is there before the component
      // starts, so an attempt killed with its worker is counted and its log lines are kept.
      const caching = early === undefined && key !== undefined && input.cache?.enabled !== false;
      const begun = await metadata.beginExecution({
        ...identity,
        attempt,
        params: resolved?.params ?? directParams(input),
        cacheKey: key ?? null,
        inputs: early === undefined && resolved ? inputEvents(resolved) : [],
        startedAt: new Date(startedAt),
        ...(fromRow ? { countAttemptsFromRow: true } : {}),
        ...(caching && key !== undefined ? { cache: { cacheKey: key, ...(input.cache?.maxAgeMs !== undefined ? { maxAgeMs: input.cache.maxAgeMs } : {}) } } : {}),
      });
      const row = begun.execution;
      // A finished row is kept (beginExecution never reopens it): this attempt's step already ran
      // to the end — a local step whose workflow task was lost, or a queued step whose worker
      // recorded it and died before Temporal heard — so it answers from the row, never runs twice.
      if (row.status === 'succeeded' || row.status === 'cached') {
        const done = await recordedResult(metadata, executionId);
        if (!done) throw new Error(`${where}: execution ${executionId} is ${row.status} but its result could not be read back; retrying`);
        log.info({ component: spec.name, recordedAttempt: row.attempt }, 'step already completed by an earlier attempt; returning its recorded result');
        return done;
      }
      if (fromRow && row.attempt !== attempt) {
        attempt = row.attempt;
        log = deps.logger.child({ runId, taskId, attempt });
      }
      /** Statement 2: the row finished, with everything it produced (recordFinishedExecution). */
      const finish = async (f: Pick<FinishedExecution, 'status' | 'outputParams' | 'cachedFrom' | 'outputs' | 'reused' | 'metrics'>): Promise<Record<string, ArtifactRecord>> => {
        const recorded = await metadata.recordFinishedExecution({
          ...identity,
          attempt,
          params: row.params,
          cacheKey: key ?? null,
          startedAt: row.startedAt,
          finishedAt: new Date(),
          ...f,
          ...(heldMetrics.length > 0 ? { metrics: heldMetrics } : {}),
        });
        if (!recorded.written) {
          // A newer attempt took the row over (this one was given up for lost): its result stands.
          throw ApplicationFailure.create({
            message: `${where}: attempt ${attempt} no longer owns execution ${executionId} (a newer attempt took it over); not recording its result`,
            type: 'SupersededAttempt',
          });
        }
        return recorded.outputs;
      };
      logs = new TaskLogWriter({ metadata, runId, executionId, attempt, logger: log });
      const taskLogs = logs;

      try {
        if (early !== undefined || !resolved) throw early;

        const found = begun.cached;
        if (found && found.execution.id !== executionId && (await reusable(found, spec, deps.artifacts))) {
          const result = await reuse(found, spec, executionId, finish);
          taskLogs.write(
            'system',
            `reused the outputs of execution ${found.execution.id} (run ${found.execution.runId}, ` +
              `finished ${found.execution.finishedAt?.toISOString() ?? '?'}): same cache key ${(key ?? '').slice(0, 12)}`,
            { level: 'info' },
          );
          log.debug({ cachedFrom: found.execution.id }, 'task reused a cached result');
          observeTask(spec.name, 'cached', (Date.now() - startedAt) / 1000);
          return result;
        }

        const ran = await run(resolved, key, finish);
        observeTask(spec.name, 'succeeded', (Date.now() - startedAt) / 1000);
        return ran;
      } catch (err) {
        const cancelled = ctx.cancellationSignal.aborted;
        observeTask(spec.name, cancelled ? 'cancelled' : 'failed', (Date.now() - startedAt) / 1000);
        const message = err instanceof Error ? err.message : String(err);
        taskLogs.write('system', cancelled ? `attempt ${attempt} cancelled: ${message}` : `attempt ${attempt} failed: ${message}`, {
          level: 'error',
        });
        // A failed light step's metrics are kept too, as a queued step's would be.
        await Promise.all(heldMetrics.map((m) => metadata.recordMetric({ runId, executionId, ...m }))).catch((e: unknown) =>
          log.error({ err: e }, 'could not record the failed execution\'s metrics'),
        );
        await metadata
          .finishExecution(executionId, {
            status: cancelled ? 'cancelled' : 'failed',
            error: message,
            finishedAt: new Date(),
            attempt,
          })
          .catch((e: unknown) => log.error({ err: e }, 'could not record the failed execution'));
        log.warn({ err: message }, cancelled ? 'task cancelled' : 'task attempt failed');
        if (cancelled) throw err;
        throw toFailure(err);
      }
    } finally {
      clearInterval(beat);
      await logs?.close();
    }

    /** Runs the component and records its outputs (a cache miss, or caching off). */
    async function run(resolved: ResolvedInputs, key: string | undefined, finish: Finish): Promise<ExecuteTaskResult> {
      const scratch = new ScratchDir(path.join(deps.workRoot, runId, taskId, `attempt-${attempt}`), attempt);

      // Inputs: parameters as values, artifacts as local read-only paths (lists for list ports).
      const runInputs: Record<string, unknown> = {};
      for (const port of Object.keys(spec.inputs)) {
        const v = input.inputs[port];
        if (v?.kind === 'parameter' || v?.kind === 'collection') runInputs[port] = resolved.params[port];
        const a = resolved.artifacts[port];
        if (a) {
          runInputs[port] = Array.isArray(a)
            ? await Promise.all(a.map(async (r) => inputArtifact(r, await deps.artifacts.materialize(r.uri))))
            : inputArtifact(a, await deps.artifacts.materialize(a.uri));
        }
      }

      const outputs: Record<string, OutputArtifact> = {};
      for (const [port, portSpec] of Object.entries(spec.outputs)) {
        if (portSpec.kind !== 'artifact') continue;
        outputs[port] = scratch.output(port, portSpec.type);
      }

      // On a GPU worker the attempt holds one device from here until its outputs are stored (a
      // cache hit never gets here): commands see only that device, functions are told which.
      const lease: DeviceLease | undefined = deps.devices ? await deps.devices.acquire(ctx.cancellationSignal) : undefined;
      try {
        return await runComponent(key, runInputs, outputs, scratch, lease, finish);
      } finally {
        lease?.release();
      }
    }

    async function runComponent(
      key: string | undefined,
      runInputs: Record<string, unknown>,
      outputs: Record<string, OutputArtifact>,
      scratch: ScratchDir,
      lease: DeviceLease | undefined,
      finish: Finish,
    ): Promise<ExecuteTaskResult> {
      const taskLogs = logs as TaskLogWriter;
      const device: TaskDevice | undefined = lease
        ? { kind: 'gpu', index: lease.device.index, ordinal: lease.device.ordinal ?? lease.device.index, name: lease.device.name }
        : undefined;
      log.debug({ component: spec.name, cacheKey: key, ...(device ? { gpu: device.index } : {}) }, 'task started');
      if (device) taskLogs.write('system', `running on GPU ${device.index} (${device.name})`, { level: 'info' });
      let returned: Record<string, unknown> | undefined;
      if (spec.impl.kind === 'command') {
        returned = await runCommand({
          spec,
          where,
          inputs: runInputs,
          outputs,
          workDir: scratch.workDir,
          projectRoot,
          signal: ctx.cancellationSignal,
          onLine: (stream, line) => taskLogs.write(stream, line),
          env: {
            ...mlflowEnv(deps.mlflowTracking?.(), executionId, spec.impl.env),
            // The process sees its own GPU only, as CUDA device 0 (by UUID where known: unambiguous).
            ...(lease ? { CUDA_VISIBLE_DEVICES: lease.device.uuid ?? String(lease.device.index), CUDA_DEVICE_ORDER: 'PCI_BUS_ID' } : {}),
          },
        });
      } else {
        const impl = await deps.registry.resolve(spec, where);
        const metricWrites: Promise<void>[] = [];
        const componentCtx: ComponentContext = {
          runId,
          taskId,
          attempt,
          // Created on first read: most light steps never ask for a path.
          get workDir() {
            return scratch.workDir;
          },
          outputs,
          signal: ctx.cancellationSignal,
          log: (message, fields) => {
            log.info({ ...fields, component: spec.name }, message);
            taskLogs.write('log', message, { level: 'info', ...(fields ? { fields } : {}) });
          },
          metric: (key, value, at) => {
            const { step = 0, stepLabel } = typeof at === 'object' ? at : { step: at };
            if (fromRow) heldMetrics.push({ key, value, step, ...(stepLabel ? { stepLabel } : {}) });
            else metricWrites.push(metadata.recordMetric({ runId, executionId, key, value, step, ...(stepLabel ? { stepLabel } : {}) }));
          },
          heartbeat: (details) => {
            if (!local) ctx.heartbeat(details);
          },
          ...(device ? { device } : {}),
          models: modelRegistryAccess(metadata, { runId, taskId, executionId }),
        };
        returned = (await impl.run(runInputs as never, componentCtx as never));
        await Promise.all(metricWrites);
      }
      // A component that stopped early because of the cancellation must not count as a success.
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure(`task "${taskId}" was cancelled`);

      // Parameter outputs: every declared one, of the declared type.
      const result: Record<string, PortValue> = {};
      const outputParams: Record<string, Json> = {};
      for (const [port, portSpec] of Object.entries(spec.outputs)) {
        if (portSpec.kind !== 'parameter') continue;
        const value = returned?.[port];
        if (value === undefined && portSpec.optional) continue;
        const why = valueMismatch(value, portSpec.type);
        if (why) throw new BadTaskInput(`${where}: the component returned a bad value for output "${port}": ${why}`);
        outputParams[port] = value as Json;
        result[port] = { kind: 'parameter', value: value as Json };
      }

      // Artifact outputs: store the content; their records and output events are written with the
      // finished row below, in one transaction.
      const produced: Record<string, Omit<ArtifactRecord, 'createdAt'>> = {};
      for (const [port, out] of Object.entries(outputs)) {
        const outPath = scratch.outputPath(port);
        const exists = !scratch.created ? false : await stat(outPath).then(
          () => true,
          () => false,
        );
        if (!exists) {
          if (spec.outputs[port]?.optional) continue;
          throw new BadTaskInput(
            spec.impl.kind === 'command'
              ? `${where}: the command did not write output artifact "${port}" at ${outPath}`
              : `${where}: run() did not write output artifact "${port}" at ctx.outputs.${port}.path`,
          );
        }
        const stored = await deps.artifacts.put(outPath);
        produced[port] = {
          id: `${executionId}.${port}`,
          type: out.type,
          name: `${taskId}.${port}`,
          uri: stored.uri,
          sha256: stored.sha256,
          size: stored.size,
          properties: { ...out.properties, ...(stored.directory ? { directory: true } : {}) },
        };
      }

      const records = await finish({ status: 'succeeded', outputParams, outputs: produced });
      for (const [port, record] of Object.entries(records)) result[port] = artifactRef(record);
      log.debug({ component: spec.name }, 'task succeeded');
      await scratch.remove();
      return { executionId, outputs: result };
    }
  };
}

/**
 * An attempt's scratch directory (`tmp/` for ctx.workDir, `out/` for artifact outputs), created
 * the first time a path in it is read: a step that never asks for one costs no file-system calls.
 * Attempt directories are per attempt number, so only a retried attempt can find leftovers; they
 * are cleared when the directory is first made.
 */
class ScratchDir {
  created = false;

  constructor(
    private readonly dir: string,
    private readonly attempt: number,
  ) {}

  /** `tmp/`, created now if it was not. Synchronous: a getter of the component's context reads it. */
  get workDir(): string {
    this.ensure();
    return path.join(this.dir, 'tmp');
  }

  /** Where output `port` is written; not created (the stat after the run must not make it). */
  outputPath(port: string): string {
    return path.join(this.dir, 'out', port);
  }

  /** An output artifact whose `path` creates the directory when the component reads it. */
  output(port: string, type: string): OutputArtifact {
    const at = this.outputPath(port);
    const ensure = (): void => this.ensure();
    return {
      get path() {
        ensure();
        return at;
      },
      type,
      properties: {},
    };
  }

  async remove(): Promise<void> {
    if (this.created) await rm(this.dir, { recursive: true, force: true });
  }

  private ensure(): void {
    if (this.created) return;
    if (this.attempt > 1) rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(path.join(this.dir, 'tmp'), { recursive: true });
    mkdirSync(path.join(this.dir, 'out'), { recursive: true });
    this.created = true;
  }
}

/** The 'input' events of resolved artifact inputs: one per artifact, `port[i]` for lists. */
function inputEvents(resolved: ResolvedInputs): { port: string; artifactId: string }[] {
  const list: { port: string; artifactId: string }[] = [];
  for (const [port, a] of Object.entries(resolved.artifacts)) {
    if (Array.isArray(a)) for (const [i, record] of a.entries()) list.push({ port: `${port}[${i}]`, artifactId: record.id });
    else list.push({ port, artifactId: a.id });
  }
  return list;
}

/** Parameter inputs as given, for the row of an execution whose inputs could not be resolved. */
function directParams(input: ExecuteTaskInput): Record<string, Json> {
  const params: Record<string, Json> = {};
  for (const [port, v] of Object.entries(input.inputs)) if (v.kind === 'parameter') params[port] = v.value;
  return params;
}

/**
 * Checks the inputs against the component's ports and reads what they reference from the metadata
 * store: artifact records, and the succeeded items of loops for fan-in collections.
 */
async function resolveInputs(metadata: MetadataStore, input: ExecuteTaskInput, where: string): Promise<ResolvedInputs> {
  const resolved: ResolvedInputs = { params: {}, artifacts: {} };
  for (const [port, portSpec] of Object.entries(input.component.inputs)) {
    const v = input.inputs[port];
    if (!v) continue;
    const at = `${where}, input "${port}"`;
    if (v.kind === 'parameter' || (v.kind === 'collection' && v.itemKind === 'parameter')) {
      if (portSpec.kind !== 'parameter') throw new BadTaskInput(`${at}: got a parameter value for an artifact input`);
      const value = v.kind === 'parameter' ? v.value : await collectedValues(metadata, v);
      const why = valueMismatch(value, portSpec.type);
      if (why) throw new BadTaskInput(`${at}: ${why}`);
      resolved.params[port] = value;
      continue;
    }
    if (portSpec.kind !== 'artifact') throw new BadTaskInput(`${at}: got an artifact for a parameter input`);
    if (v.kind === 'collection') {
      if (!portSpec.list) {
        throw new BadTaskInput(`${at}: a collected list of artifacts needs a list input (t.list(...)), but "${port}" takes one ${portSpec.type}`);
      }
      const refs = await collectedArtifacts(metadata, v, at);
      resolved.artifacts[port] = await Promise.all(refs.map((ref) => artifactRecord(metadata, ref, at)));
      continue;
    }
    const record = await artifactRecord(metadata, v, at);
    resolved.artifacts[port] = portSpec.list ? [record] : record;
  }
  return resolved;
}

/** The `output` values of a loop's succeeded items, in item order; items without it are left out. */
async function collectedValues(metadata: MetadataStore, c: CollectionValue): Promise<Json[]> {
  const items = await metadata.listLoopItems(c.runId, c.loop, { status: 'succeeded' });
  return items.flatMap((item) => {
    const out = item.outputs[c.output];
    return out?.kind === 'parameter' ? [out.value] : [];
  });
}

async function collectedArtifacts(metadata: MetadataStore, c: CollectionValue, at: string): Promise<ArtifactRefValue[]> {
  const items = await metadata.listLoopItems(c.runId, c.loop, { status: 'succeeded' });
  return items.flatMap((item) => {
    const out = item.outputs[c.output];
    if (out !== undefined && out.kind !== 'artifact') {
      throw new BadTaskInput(`${at}: item ${item.index} of loop "${c.loop}" has a parameter as output "${c.output}", not an artifact`);
    }
    return out ? [out] : [];
  });
}

async function artifactRecord(metadata: MetadataStore, ref: ArtifactRefValue, at: string): Promise<ArtifactRecord> {
  const record = await metadata.getArtifact(ref.artifactId);
  if (!record) throw new BadTaskInput(`${at}: artifact ${ref.artifactId} is not in the metadata store`);
  return record;
}

/** An earlier result can stand in only if it has every output this spec requires, still stored. */
async function reusable(found: CachedExecution, spec: ComponentSpec, artifacts: ArtifactStore): Promise<boolean> {
  for (const [port, portSpec] of Object.entries(spec.outputs)) {
    if (portSpec.optional) continue;
    if (portSpec.kind === 'parameter' && found.execution.outputParams?.[port] === undefined) return false;
    if (portSpec.kind === 'artifact' && !found.outputs[port]) return false;
  }
  for (const record of Object.values(found.outputs)) if (!(await artifacts.exists(record.uri))) return false;
  return true;
}

/** Writes a step's finished row with what it produced, as the attempt that owns it; the stored output artifacts by port. */
type Finish = (f: Pick<FinishedExecution, 'status' | 'outputParams' | 'cachedFrom' | 'outputs' | 'reused' | 'metrics'>) => Promise<Record<string, ArtifactRecord>>;

/**
 * Records this execution as a reuse of `found`: status 'cached', 'reused' events to the original's
 * artifact rows (the original stays their one producer), and the original's parameter outputs.
 */
async function reuse(found: CachedExecution, spec: ComponentSpec, executionId: string, finish: Finish): Promise<ExecuteTaskResult> {
  const outputs: Record<string, PortValue> = {};
  const outputParams: Record<string, Json> = {};
  const reused: { port: string; artifactId: string }[] = [];
  for (const [port, portSpec] of Object.entries(spec.outputs)) {
    if (portSpec.kind === 'parameter') {
      const value = found.execution.outputParams?.[port];
      if (value === undefined) continue;
      outputParams[port] = value;
      outputs[port] = { kind: 'parameter', value };
    } else {
      const record = found.outputs[port];
      if (!record) continue;
      reused.push({ port, artifactId: record.id });
      outputs[port] = artifactRef(record);
    }
  }
  await finish({ status: 'cached', cachedFrom: found.execution.id, outputParams, reused });
  return { executionId, outputs, cachedFrom: found.execution.id };
}

function artifactRef(record: ArtifactRecord): ArtifactRefValue {
  return { kind: 'artifact', artifactId: record.id, type: record.type, uri: record.uri, sha256: record.sha256 };
}

/** Bad input for this task: retrying cannot help. */
class BadTaskInput extends Error {
  readonly code = 'bad-task-input';
  readonly retryable = false;
  override readonly name = 'BadTaskInput';
}

/**
 * Component errors become ApplicationFailures. Errors that say `retryable: false` (the DSL's
 * NonRetryableError, checked structurally because the class may come from another copy of the
 * module) fail the task at once.
 */
function toFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const nonRetryable = (e as { retryable?: unknown }).retryable === false;
  return ApplicationFailure.create({ message: e.message, type: e.name, nonRetryable, cause: e });
}

function inputArtifact(record: ArtifactRecord, localPath: string): InputArtifact {
  return {
    id: record.id,
    type: record.type,
    uri: record.uri,
    path: localPath,
    sha256: record.sha256,
    size: record.size,
    properties: record.properties,
  };
}
