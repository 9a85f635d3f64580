/**
 * The Dense layers of a TensorFlow.js Sequential model, read straight from its JSON form (topology
 * + weight manifest + weight bytes) without TensorFlow.js — what `export-onnx` translates.
 */
import { InvalidModelError } from '../invalidModelError';
import type { TfjsLayersJson } from '../tfjsLayersJson';

export const DENSE_ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'] as const;
export type DenseActivation = (typeof DENSE_ACTIVATIONS)[number];

export interface DenseLayer {
  name: string;
  inputs: number;
  units: number;
  /** Row-major [inputs, units], as TF.js stores it (and as ONNX MatMul expects it). */
  kernel: Float32Array;
  bias: Float32Array | null;
  activation: DenseActivation;
}

interface LayerConfig {
  class_name?: unknown;
  config?: { name?: unknown; units?: unknown; activation?: unknown; use_bias?: unknown };
}

export function denseLayers(json: TfjsLayersJson, source: string): DenseLayer[] {
  const fail = (what: string): never => {
    throw new InvalidModelError(`model ${source}: ${what}`);
  };
  const topology = json.modelTopology as { model_config?: unknown; class_name?: unknown; config?: unknown };
  // tfjs nests the Keras model config under model_config when it saves.
  const modelConfig = (topology.model_config ?? topology) as { class_name?: unknown; config?: { layers?: unknown } };
  if (modelConfig.class_name !== 'Sequential') fail(`only Sequential models can be exported (got ${String(modelConfig.class_name)})`);
  const layers = modelConfig.config?.layers;
  if (!Array.isArray(layers) || layers.length === 0) fail('the topology lists no layers');

  // Weight bytes are the specs' tensors back to back, in manifest order.
  const bytes = Buffer.from(json.weightData, 'base64');
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  let offset = 0;
  for (const spec of json.weightSpecs) {
    if (spec.dtype !== 'float32' || spec.quantization) fail(`weight ${spec.name} is ${spec.quantization ? 'quantized' : spec.dtype}; only float32 weights can be exported`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + count * 4 > bytes.length) fail(`weight data is shorter than the manifest says (${bytes.length} bytes)`);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = bytes.readFloatLE(offset + i * 4);
    offset += count * 4;
    weights.set(spec.name, { shape: spec.shape, data });
  }

  let inputs: number | undefined;
  return (layers as LayerConfig[]).map((layer, i) => {
    const c = layer.config ?? {};
    const name = typeof c.name === 'string' ? c.name : `layer ${i}`;
    if (layer.class_name !== 'Dense') fail(`layer "${name}" is a ${String(layer.class_name)}; only Dense layers can be exported`);
    const activation = DENSE_ACTIVATIONS.find((a) => a === c.activation) ?? fail(`layer "${name}": activation ${String(c.activation)} is not supported (${DENSE_ACTIVATIONS.join(', ')})`);
    const kernel = weights.get(`${name}/kernel`) ?? fail(`layer "${name}": no weight "${name}/kernel"`);
    const [rows, units] = kernel.shape;
    if (kernel.shape.length !== 2 || rows === undefined || units === undefined || units !== c.units) fail(`layer "${name}": kernel shape [${kernel.shape.join(', ')}] does not match ${String(c.units)} units`);
    if (inputs !== undefined && rows !== inputs) fail(`layer "${name}" takes ${rows} inputs but the layer before gives ${inputs}`);
    inputs = units;
    let bias: Float32Array | null = null;
    if (c.use_bias !== false) {
      const b = weights.get(`${name}/bias`) ?? fail(`layer "${name}": no weight "${name}/bias"`);
      if (b.data.length !== units) fail(`layer "${name}": bias has ${b.data.length} values for ${units} units`);
      bias = b.data;
    }
    return { name, inputs: rows!, units: units!, kernel: kernel.data, bias, activation };
  });
}
