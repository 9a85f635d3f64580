/**
 * A registry with real ONNX models for the model server's tests: an iris-shaped classifier (input
 * "features" FP32 [batch, 4]; outputs "probabilities" FP32 [batch, 3] and "label" INT64 [batch])
 * whose every version always predicts one class (version 1: class 0, version 2: class 2), so an
 * answer says which version gave it. Built by export-onnx's own graph builder, stored in a real
 * artifact store, registered in a real (in-memory PGlite) metadata store.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildOnnxModel } from '../../components/export/onnxGraph';
import { LocalArtifactStore } from '../../engine/stores/artifacts/index';
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
    async register(model, bytes, type = 'Model') {
      const file = path.join(dir, `model-${++n}.onnx`);
      await writeFile(file, bytes);
      const stored = await artifacts.put(file);
      const artifact = await metadata.recordArtifact({ id: `serving-test-${n}`, type, name: `${model}.onnx`, uri: stored.uri, sha256: stored.sha256, size: stored.size, properties: {} });
      const { version } = await metadata.registerModelVersion({ model, artifactId: artifact.id, createdBy: 'test' });
      return version.version;
    },
    async move(model, alias, version) {
      await metadata.moveModelAlias({ model, alias, version, actor: 'test', note: `point ${alias} at ${version}` });
    },
    async close() {
      await metadata.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
