/**
 * Runs a component's `run` function directly, without Temporal or stores, for unit tests: the
 * inputs are local files and plain values, outputs go to a temp directory, and metrics, logs and
 * heartbeats are collected. It checks what the engine would check (required inputs set, defaults
 * applied, every output written or returned) so a component that passes here behaves the same
 * under the engine.
 */
import { createHash } from 'node:crypto';
import { readFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArtifactPort, ComponentContext, ComponentDefinition, InputArtifact, Json, ModelRegistryAccess, ParamPort, PortMap, TaskDevice } from 'sluice/dsl';

/** An input artifact for a test: a path, or an earlier run's output (its properties carry over). */
export type TestArtifactInput = string | { path: string; properties?: Record<string, Json> };

type TestInputValue<P> =
  P extends ArtifactPort<string, boolean, true> ? TestArtifactInput[] : P extends ArtifactPort<string, boolean> ? TestArtifactInput : P extends ParamPort<infer T, string, boolean> ? T : never;

/** Every input may be left out: defaults are applied, and a missing required input is an error. */
export type TestInputs<I extends PortMap> = { [K in keyof I]?: TestInputValue<I[K]> };

export interface WrittenArtifact {
  path: string;
  type: string;
  properties: Record<string, Json>;
}

export interface RecordedMetric {
  key: string;
  value: number;
  step?: number;
  /** What the step counts, when the component said ("epoch"). */
  stepLabel?: string;
}

export interface ComponentRun<I extends PortMap, O extends PortMap> {
  /** What `run` returned: the parameter outputs. */
  result: Awaited<ReturnType<ComponentDefinition<I, O>['run']>>;
  outputs: { [K in keyof ComponentContext<O>['outputs']]: WrittenArtifact };
  metrics: RecordedMetric[];
  logs: Array<{ message: string; fields?: Record<string, Json> }>;
  heartbeats: Json[];
  /** The run's temp directory (outputs/ and work/); removed by `cleanupComponentRuns`. */
  dir: string;
}

export interface RunComponentOptions {
  signal?: AbortSignal;
  /** The GPU the attempt holds, as a GPU worker would lend it (`ctx.device`); absent: a CPU worker. */
  device?: TaskDevice;
  /** The model registry the component sees (`ctx.models`); absent: any use of it throws. */
  models?: ModelRegistryAccess;
  /** Sees every log line as it is written: the logs of a run that throws, or of one still running. */
  onLog?: (message: string, fields?: Record<string, Json>) => void;
}

const noModelRegistry: ModelRegistryAccess = {
  registerVersion: () => Promise.reject(new Error('runComponent: this component uses the model registry; pass options.models')),
  moveAlias: () => Promise.reject(new Error('runComponent: this component uses the model registry; pass options.models')),
};

const created: string[] = [];

/** Removes every directory `runComponent` created in this process (call it in `afterAll`). */
export async function cleanupComponentRuns(): Promise<void> {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

async function inputArtifact(port: string, type: string, given: TestArtifactInput): Promise<InputArtifact> {
  const path = resolve(typeof given === 'string' ? given : given.path);
  const info = await stat(path);
  const sha256 = info.isFile() ? createHash('sha256').update(await readFile(path)).digest('hex') : '';
  return {
    id: `test-input-${port}`,
    type,
    uri: pathToFileURL(path).href,
    path,
    sha256,
    size: info.size,
    properties: typeof given === 'string' ? {} : (given.properties ?? {}),
  };
}

export async function runComponent<I extends PortMap, O extends PortMap>(
  def: ComponentDefinition<I, O>,
  inputs: TestInputs<I>,
  options: RunComponentOptions = {},
): Promise<ComponentRun<I, O>> {
  const where = `component "${def.spec.name}"`;
  const given = inputs as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!(key in def.spec.inputs)) throw new Error(`${where} has no input "${key}"`);
  }

  const runInputs: Record<string, unknown> = {};
  for (const [name, port] of Object.entries(def.spec.inputs)) {
    const value = given[name];
    if (port.kind === 'artifact') {
      if (value === undefined) {
        if (!port.optional) throw new Error(`${where}: required artifact input "${name}" was not given`);
        runInputs[name] = undefined;
      } else runInputs[name] = await inputArtifact(name, port.type, value as TestArtifactInput);
    } else {
      const v = value ?? port.default;
      if (v === undefined && !port.optional) throw new Error(`${where}: required parameter "${name}" was not given`);
      runInputs[name] = v;
    }
  }

  const dir = await mkdtemp(join(tmpdir(), `sluice-${def.spec.name}-`));
  created.push(dir);
  await mkdir(join(dir, 'outputs'));
  await mkdir(join(dir, 'work'));
  const outputs: Record<string, WrittenArtifact> = {};
  for (const [name, port] of Object.entries(def.spec.outputs)) {
    if (port.kind === 'artifact') outputs[name] = { path: join(dir, 'outputs', name), type: port.type, properties: {} };
  }

  const metrics: RecordedMetric[] = [];
  const logs: ComponentRun<I, O>['logs'] = [];
  const heartbeats: Json[] = [];
  const ctx: ComponentContext = {
    runId: 'test-run',
    taskId: def.spec.name,
    attempt: 1,
    workDir: join(dir, 'work'),
    outputs,
    signal: options.signal ?? new AbortController().signal,
    log: (message, fields) => {
      logs.push(fields === undefined ? { message } : { message, fields });
      options.onLog?.(message, fields);
    },
    metric: (key, value, at) => {
      const { step, stepLabel } = typeof at === 'object' ? at : { step: at, stepLabel: undefined };
      metrics.push({ key, value, ...(step !== undefined ? { step } : {}), ...(stepLabel !== undefined ? { stepLabel } : {}) });
    },
    heartbeat: (details) => heartbeats.push(details ?? null),
    ...(options.device ? { device: options.device } : {}),
    models: options.models ?? noModelRegistry,
  };

  const run = def.run as (inputs: unknown, ctx: ComponentContext) => unknown;
  const result = (await run(runInputs, ctx)) ?? {};

  for (const [name, port] of Object.entries(def.spec.outputs)) {
    if (port.kind === 'artifact') {
      const path = outputs[name]!.path;
      const written = await stat(path).then(() => true, () => false);
      if (!written && !port.optional) throw new Error(`${where} did not write its output artifact "${name}" at ${path}`);
    } else if ((result as Record<string, unknown>)[name] === undefined && !port.optional) {
      throw new Error(`${where} did not return its parameter output "${name}"`);
    }
  }
  return {
    result: result as ComponentRun<I, O>['result'],
    outputs: outputs as ComponentRun<I, O>['outputs'],
    metrics,
    logs,
    heartbeats,
    dir,
  };
}

/** The values of one metric, in the order recorded. */
export function metricSeries(run: { metrics: RecordedMetric[] }, key: string): number[] {
  return run.metrics.filter((m) => m.key === key).map((m) => m.value);
}
