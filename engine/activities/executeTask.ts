/**
 * `executeTask`: runs one task of a run inside the worker. Materialises input artifacts, calls the
 * component's `run` with heartbeats, stores output artifacts (content-addressed), and records the
 * execution, artifacts, input/output events and metrics. Every id it writes is deterministic, so a
 * retried attempt updates the same rows instead of adding new ones.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { sha256Hex, canonicalJson, valueMismatch, type ComponentSpec } from '../../dsl/ir/index';
import type { ComponentContext, InputArtifact, OutputArtifact } from '../../dsl/runtime';
import type { ArtifactStore } from '../artifacts/ArtifactStore';
import type { Logger } from '../logging';
import type { ArtifactRecord, Json, MetadataStore } from '../metadata/MetadataStore';
import type { ComponentRegistry } from '../registry/ComponentRegistry';
import { executionIdFor, type ExecuteTaskInput, type ExecuteTaskResult, type PortValue } from '../workflows/types';

export interface ExecuteTaskDeps {
  metadata: MetadataStore;
  artifacts: ArtifactStore;
  registry: ComponentRegistry;
  /** Scratch space for attempts (outputs are written here, then moved into the artifact store). */
  workRoot: string;
  logger: Logger;
}

/** Digest of a component's whole spec (ports, options, code): its identity for caching and lineage. */
export function componentDigest(spec: ComponentSpec): string {
  return sha256Hex(canonicalJson(spec));
}

export function createExecuteTask(deps: ExecuteTaskDeps) {
  return async function executeTask(input: ExecuteTaskInput): Promise<ExecuteTaskResult> {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const { runId, taskId, component: spec } = input;
    const where = `task "${taskId}" (component "${spec.name}")`;
    const executionId = executionIdFor(runId, taskId);
    const log = deps.logger.child({ runId, taskId, attempt });

    const params: Record<string, Json> = {};
    for (const [port, v] of Object.entries(input.inputs)) if (v.kind === 'parameter') params[port] = v.value;

    await deps.metadata.startExecution({
      id: executionId,
      runId,
      taskId,
      componentName: spec.name,
      componentDigest: componentDigest(spec),
      attempt,
      params,
    });

    const attemptDir = path.join(deps.workRoot, runId, taskId, `attempt-${attempt}`);
    const heartbeatEvery = Math.max(200, Math.min(5_000, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3));
    const beat = setInterval(() => ctx.heartbeat(), heartbeatEvery);
    try {
      const impl = await deps.registry.resolve(spec, where);
      await rm(attemptDir, { recursive: true, force: true });
      await mkdir(path.join(attemptDir, 'out'), { recursive: true });
      await mkdir(path.join(attemptDir, 'tmp'), { recursive: true });

      // Inputs: parameters as values, artifacts as local read-only paths.
      const runInputs: Record<string, unknown> = {};
      for (const [port, portSpec] of Object.entries(spec.inputs)) {
        const v = input.inputs[port];
        if (!v) {
          runInputs[port] = undefined;
          continue;
        }
        if (v.kind === 'parameter') {
          if (portSpec.kind === 'parameter') {
            const why = valueMismatch(v.value, portSpec.type);
            if (why) throw new BadTaskInput(`${where}, input "${port}": ${why}`);
          }
          runInputs[port] = v.value;
          continue;
        }
        const record = await deps.metadata.getArtifact(v.artifactId);
        if (!record) throw new BadTaskInput(`${where}, input "${port}": artifact ${v.artifactId} is not in the metadata store`);
        const localPath = await deps.artifacts.materialize(record.uri);
        runInputs[port] = inputArtifact(record, localPath);
        await deps.metadata.recordEvent({ executionId, artifactId: record.id, kind: 'input', port });
      }

      const outputs: Record<string, OutputArtifact> = {};
      for (const [port, portSpec] of Object.entries(spec.outputs)) {
        if (portSpec.kind !== 'artifact') continue;
        outputs[port] = { path: path.join(attemptDir, 'out', port), type: portSpec.type, properties: {} };
      }

      const metricWrites: Promise<void>[] = [];
      const componentCtx: ComponentContext = {
        runId,
        taskId,
        attempt,
        workDir: path.join(attemptDir, 'tmp'),
        outputs,
        signal: ctx.cancellationSignal,
        log: (message, fields) => log.info({ ...fields, component: spec.name }, message),
        metric: (key, value, step = 0) => {
          metricWrites.push(deps.metadata.recordMetric({ runId, executionId, key, value, step }));
        },
        heartbeat: (details) => ctx.heartbeat(details),
      };

      log.debug({ component: spec.name }, 'task started');
      const returned = (await impl.run(runInputs as never, componentCtx as never)) as Record<string, unknown> | undefined;
      await Promise.all(metricWrites);
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
        if (why) throw new BadTaskInput(`${where}: run() returned a bad value for output "${port}": ${why}`);
        outputParams[port] = value as Json;
        result[port] = { kind: 'parameter', value: value as Json };
      }

      // Artifact outputs: store the content, record the artifact and the output event.
      for (const [port, out] of Object.entries(outputs)) {
        const exists = await stat(out.path).then(() => true, () => false);
        if (!exists) {
          if (spec.outputs[port]?.optional) continue;
          throw new BadTaskInput(`${where}: run() did not write output artifact "${port}" at ctx.outputs.${port}.path`);
        }
        const stored = await deps.artifacts.put(out.path);
        const record = await deps.metadata.recordArtifact({
          id: `${executionId}.${port}`,
          type: out.type,
          name: `${taskId}.${port}`,
          uri: stored.uri,
          sha256: stored.sha256,
          size: stored.size,
          properties: { ...out.properties, ...(stored.directory ? { directory: true } : {}) },
        });
        await deps.metadata.recordEvent({ executionId, artifactId: record.id, kind: 'output', port });
        result[port] = { kind: 'artifact', artifactId: record.id, type: record.type, uri: record.uri, sha256: record.sha256 };
      }

      await deps.metadata.finishExecution(executionId, { status: 'succeeded', outputParams, finishedAt: new Date() });
      log.debug({ component: spec.name }, 'task succeeded');
      await rm(attemptDir, { recursive: true, force: true });
      return { executionId, outputs: result };
    } catch (err) {
      const cancelled = ctx.cancellationSignal.aborted;
      const message = err instanceof Error ? err.message : String(err);
      await deps.metadata
        .finishExecution(executionId, { status: cancelled ? 'cancelled' : 'failed', error: message, finishedAt: new Date() })
        .catch((e: unknown) => log.error({ err: e }, 'could not record the failed execution'));
      log.warn({ err: message }, cancelled ? 'task cancelled' : 'task attempt failed');
      if (cancelled) throw err;
      throw toFailure(err);
    } finally {
      clearInterval(beat);
    }
  };
}

/** Bad input for this task: retrying cannot help. */
class BadTaskInput extends Error {
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
