/**
 * A registry with real ONNX models for the model server's tests: an iris-shaped classifier (input
 * "features" FP32 [batch, 4]; outputs "probabilities" FP32 [batch, 3] and "label" INT64 [batch])
 * whose every version always predicts one class (version 1: class 0, version 2: class 2), so an
 * answer says which version gave it. Built by export-onnx's own graph builder, stored in a real
 * artifact store, registered in a real (in-memory PGlite) metadata store. Also: registering model
 * bytes in any metadata and artifact store, and a closed-loop load of infer requests that notes
 * which version and which rollout weight answered each.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOnnxModel } from '../../components/export/onnxGraph';
import { ROLLOUT_HEADER, VERSION_HEADER } from '../../engine/serving/index';
import { LocalArtifactStore, type ArtifactStore } from '../../engine/stores/artifacts/index';
import { openMetadataStore, type MetadataStore } from '../../engine/stores/metadata/index';

export const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
export const IRIS_CLASSES = ['setosa', 'versicolor', 'virginica'];

/** ONNX bytes of a classifier that always predicts `cls`. */
export function constantIrisModel(cls: number): Uint8Array {
  const bias = new Float32Array(3);
  bias[cls] = 10;
  return buildOnnxModel({
    name: `iris-always-${cls}`,
    features: IRIS_FEATURES,
    mean: [0, 0, 0, 0],
    std: [1, 1, 1, 1],
    layers: [{ name: 'dense', inputs: 4, units: 3, kernel: new Float32Array(12), bias, activation: 'softmax' }],
    target: 'species',
    opset: 13,
    producerVersion: 'test',
    task: { kind: 'classification', classes: IRIS_CLASSES },
  }).bytes;
}

/** One iris row as an Open Inference Protocol JSON request. */
export const IRIS_INFER_BODY = JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [[5.1, 3.5, 1.4, 0.2]] }] });

/** Stores the bytes as a Model artifact (id `artifactId`) and registers them as a new version of `model`; returns its number. */
export async function registerModelBytes(o: {
  metadata: MetadataStore;
  artifacts: ArtifactStore;
  /** Where the bytes are written before the artifact store takes them. */
  dir: string;
  model: string;
  bytes: Uint8Array | string;
  artifactId: string;
  type?: string;
}): Promise<number> {
  const file = path.join(o.dir, `${o.artifactId}.onnx`);
  await writeFile(file, o.bytes);
  const stored = await o.artifacts.put(file);
  const artifact = await o.metadata.recordArtifact({ id: o.artifactId, type: o.type ?? 'Model', name: `${o.model}.onnx`, uri: stored.uri, sha256: stored.sha256, size: stored.size, properties: {} });
  const { version } = await o.metadata.registerModelVersion({ model: o.model, artifactId: artifact.id, createdBy: 'test' });
  return version.version;
}

/** What one answer of a load said: its status, the version that answered, the rollout weight it was split by (null: no rollout). */
export interface LoadAnswer {
  status: number;
  version: number | null;
  weight: number | null;
}

export interface LoadReport {
  sent: number;
  /** Answers other than 200, and requests that got no answer. */
  failed: number;
  /** Per client (each sends one request after the other), its answers in order, runs of equal ones collapsed to one. */
  answers: LoadAnswer[][];
}

/**
 * Infer requests to `<url>/v2/models/<model>/infer` from `clients` clients, each sending the next
 * request when the last is answered (and `pauseMs` later), until stopped.
 */
export function startInferenceLoad(url: string, model: string, o: { clients?: number; pauseMs?: number } = {}): { stop: () => Promise<LoadReport>; answeredByEach: () => number[] } {
  let running = true;
  let sent = 0;
  const counts: number[] = [];
  let failed = 0;
  const answers: LoadAnswer[][] = [];
  const client = async (log: LoadAnswer[]): Promise<void> => {
    while (running) {
      let answer: LoadAnswer;
      try {
        const res = await fetch(`${url}/v2/models/${model}/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: IRIS_INFER_BODY });
        await res.arrayBuffer();
        const version = res.headers.get(VERSION_HEADER);
        const weight = /weight=(\d+)/.exec(res.headers.get(ROLLOUT_HEADER) ?? '')?.[1];
        answer = { status: res.status, version: version === null ? null : Number(version), weight: weight === undefined ? null : Number(weight) };
      } catch {
        answer = { status: 0, version: null, weight: null };
      }
      sent++;
      counts[answers.indexOf(log)]! += 1;
      if (answer.status !== 200) failed++;
      const prev = log.at(-1);
      if (!prev || prev.status !== answer.status || prev.version !== answer.version || prev.weight !== answer.weight) log.push(answer);
      await new Promise((r) => setTimeout(r, o.pauseMs ?? 5));
    }
  };
  const clients = Array.from({ length: o.clients ?? 4 }, () => {
    const log: LoadAnswer[] = [];
    answers.push(log);
    counts.push(0);
    return client(log);
  });
  return {
    /** How many answers each client has had so far. */
    answeredByEach: () => [...counts],
    stop: async () => {
      running = false;
      await Promise.all(clients);
      return { sent, failed, answers };
    },
  };
}

export interface ServedRegistry {
  metadata: MetadataStore & { close(): Promise<void> };
  artifacts: LocalArtifactStore;
  /** Registers a new version of `model` from ONNX (or any) bytes; returns its number. */
  register(model: string, bytes: Uint8Array | string, type?: string): Promise<number>;
  move(model: string, alias: string, version: number): Promise<void>;
  close(): Promise<void>;
}

export async function servedRegistry(): Promise<ServedRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-serving-'));
  const metadata = await openMetadataStore({ dataDir: 'memory://' });
  const artifacts = new LocalArtifactStore({ root: path.join(dir, 'artifacts') });
  let n = 0;
  return {
    metadata,
    artifacts,
    register: (model, bytes, type = 'Model') => registerModelBytes({ metadata, artifacts, dir, model, bytes, type, artifactId: `serving-test-${++n}` }),
    async move(model, alias, version) {
      await metadata.moveModelAlias({ model, alias, version, actor: 'test', note: `point ${alias} at ${version}` });
    },
    async close() {
      await metadata.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
