/**
 * What a component's `run` function sees at run time. Types only: the engine's `executeTask`
 * activity implements them, so `dsl/` stays free of Node APIs.
 */
import type { ArtifactKeys, ArtifactPort, Json, ParamKeys, ParamPort, ParamValue, PortMap } from './ports';

/** An input artifact, materialised as a local file before `run` is called. */
export interface InputArtifact {
  readonly id: string;
  readonly type: string;
  readonly uri: string;
  /** Local path of the artifact's content (a file, or a directory for directory artifacts). */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  readonly properties: Readonly<Record<string, Json>>;
}

/** An output artifact: write its content at `path`; add searchable metadata to `properties`. */
export interface OutputArtifact {
  /** Where to write: a file path (or create a directory there for multi-file artifacts). */
  readonly path: string;
  readonly type: string;
  properties: Record<string, Json>;
}

/** A series point's position: the step (0 when absent) and what it counts ("epoch", "iteration"). */
export interface MetricStep {
  readonly step?: number;
  readonly stepLabel?: string;
}

export interface ComponentLogger {
  (message: string, fields?: Record<string, Json>): void;
}

/**
 * The accelerator an attempt runs on (GPU workers only: one task per GPU at a time). Command
 * components get it as CUDA_VISIBLE_DEVICES (their process sees only this GPU, as CUDA device 0).
 * In-process code passes `ordinal` to its library, e.g. ONNX Runtime's
 * `executionProviders: [{ name: 'cuda', deviceId: ctx.device.ordinal }]`.
 */
export interface TaskDevice {
  readonly kind: 'gpu';
  /** nvidia-smi's index of the GPU (what logs and `sluice workers` show). */
  readonly index: number;
  /** CUDA's number for it inside the worker process (differs from `index` under CUDA_VISIBLE_DEVICES). */
  readonly ordinal: number;
  readonly name: string;
}

/**
 * The model registry as a component sees it (the register-model component uses it). The engine
 * keys each write by the execution, so a retried attempt registers its version once and moves an
 * alias once: the second attempt gets the first one's result.
 */
export interface ModelRegistryAccess {
  /** The Model artifact as the next version of `model` (created on first registration). */
  registerVersion(input: {
    model: string;
    /** An input artifact of type Model, or its id. */
    artifact: InputArtifact | string;
    description?: string;
    tags?: Record<string, string>;
  }): Promise<{ version: number; created: boolean }>;
  /** Points `alias` at `version`, recording the run and task as who moved it and `note` as why. */
  moveAlias(input: { model: string; alias: string; version: number; note: string }): Promise<{ moved: boolean; fromVersion: number | null }>;
}

export interface ComponentContext<O extends PortMap = PortMap> {
  readonly runId: string;
  readonly taskId: string;
  readonly attempt: number;
  /** A scratch directory for this attempt, removed afterwards. */
  readonly workDir: string;
  readonly outputs: { readonly [K in ArtifactKeys<O>]: OutputArtifact };
  /** Aborted when the run is cancelled or the attempt times out. */
  readonly signal: AbortSignal;
  /** Task log line (stored with the execution). */
  readonly log: ComponentLogger;
  /**
   * Records a metric, optionally as a series: `ctx.metric('loss', v, epoch)`, or with what the step
   * counts, which charts put on their x axis: `ctx.metric('loss', v, { step: epoch, stepLabel: 'epoch' })`.
   */
  metric(key: string, value: number, step?: number | MetricStep): void;
  /** Reports progress; heartbeats are also sent automatically while `run` is pending. */
  heartbeat(details?: Json): void;
  /** The GPU this attempt holds, on a GPU worker; absent on CPU workers. */
  readonly device?: TaskDevice;
  /** The model registry, with writes keyed by this execution (idempotent under retries). */
  readonly models: ModelRegistryAccess;
}

export type RunInputs<I extends PortMap> = {
  readonly [K in keyof I]: I[K] extends ArtifactPort<string, infer Req, infer L>
    ? L extends true
      ? Req extends true
        ? InputArtifact[]
        : InputArtifact[] | undefined
      : Req extends true
        ? InputArtifact
        : InputArtifact | undefined
    : ParamValue<I[K]>;
};

type RequiredParamOutputs<O extends PortMap> = { [K in ParamKeys<O>]: O[K] extends ParamPort<unknown, string, true> ? K : never }[ParamKeys<O>];
/** Required parameter outputs must be returned, optional ones may be; artifacts are written to `ctx.outputs`, never returned. */
type ParamOutputs<O extends PortMap> = { [K in RequiredParamOutputs<O>]: ParamValue<O[K]> } & {
  [K in Exclude<ParamKeys<O>, RequiredParamOutputs<O>>]?: ParamValue<O[K]> | undefined;
};

/** `run` returns its parameter outputs (or nothing when it has none: no other keys, they would be dropped). */
export type RunResult<O extends PortMap> = [ParamKeys<O>] extends [never] ? void | Record<string, never> : ParamOutputs<O>;

export type RunFunction<I extends PortMap, O extends PortMap> = (
  inputs: RunInputs<I>,
  ctx: ComponentContext<O>,
) => Promise<RunResult<O>> | RunResult<O>;
