/**
 * Builds the ONNX model of a dense network (protobuf bytes, via `onnx-proto`).
 *
 * Graph (opset ≥ 13, IR version 8), input `features` float32 [batch, F] in raw units, in the
 * model's feature order:
 *
 *   features → Sub(mean) → Div(std)                      standardisation, NOT folded into the
 *            → per Dense layer: MatMul(W) → Add(b) → act  first MatMul, so the graph mirrors the
 *            → classifier: Softmax → `probabilities`     TF.js model step by step and the two
 *                          ArgMax(axis 1) → `label`       extra element-wise ops are negligible
 *            → regressor:  Mul(target std) → Add(target   next to the MatMuls
 *                          mean) → `value` [batch, 1]
 *
 * `label` is the int64 index into the `sluice.classes` metadata entry. Metadata properties (all
 * JSON strings) carry what batch inference needs: `sluice.task` ("classification" | "regression"),
 * `sluice.features`, `sluice.target`, `sluice.classes`.
 */
import onnxProto from 'onnx-proto';
import type { DenseLayer } from './denseLayers';

const { onnx } = onnxProto;

export const ONNX_IR_VERSION = 8;
export const ONNX_INPUT = 'features';

export interface OnnxGraphSpec {
  name: string;
  features: string[];
  mean: number[];
  std: number[];
  layers: DenseLayer[];
  target: string;
  opset: number;
  producerVersion: string;
  task: { kind: 'classification'; classes: string[] } | { kind: 'regression'; mean: number; std: number };
  /** Extra metadata properties (stringified as given). */
  metadata?: Record<string, string>;
}

export interface OnnxPort {
  name: string;
  type: 'float32' | 'int64';
  /** "batch" for the batch dimension. */
  shape: Array<number | 'batch'>;
}

function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnxProto.onnx.ITensorProto {
  const raw = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) raw.writeFloatLE(values[i]!, i * 4); // ONNX raw data is little-endian
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}

function valueInfo(port: OnnxPort): onnxProto.onnx.IValueInfoProto {
  return {
    name: port.name,
    type: {
      tensorType: {
        elemType: port.type === 'float32' ? onnx.TensorProto.DataType.FLOAT : onnx.TensorProto.DataType.INT64,
        shape: { dim: port.shape.map((d) => (d === 'batch' ? { dimParam: 'batch' } : { dimValue: d })) },
      },
    },
  };
}

const intAttr = (name: string, i: number): onnxProto.onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });

/** The model's bytes and its input/output ports. */
export function buildOnnxModel(spec: OnnxGraphSpec): { bytes: Uint8Array; inputs: OnnxPort[]; outputs: OnnxPort[] } {
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const init: onnxProto.onnx.ITensorProto[] = [];
  const node = (opType: string, inputs: string[], output: string, attribute: onnxProto.onnx.IAttributeProto[] = []): string => {
    nodes.push({ opType, input: inputs, output: [output], name: output, attribute });
    return output;
  };
  const f = spec.features.length;
  init.push(floatTensor('feature_mean', [f], spec.mean), floatTensor('feature_std', [f], spec.std));
  let x = node('Sub', [ONNX_INPUT, 'feature_mean'], 'centered');
  x = node('Div', [x, 'feature_std'], 'standardized');

  spec.layers.forEach((layer, i) => {
    const last = i === spec.layers.length - 1;
    init.push(floatTensor(`${layer.name}_kernel`, [layer.inputs, layer.units], layer.kernel));
    x = node('MatMul', [x, `${layer.name}_kernel`], `${layer.name}_matmul`);
    if (layer.bias) {
      init.push(floatTensor(`${layer.name}_bias`, [layer.units], layer.bias));
      x = node('Add', [x, `${layer.name}_bias`], `${layer.name}_linear`);
    }
    const act = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid', softmax: 'Softmax', linear: null }[layer.activation];
    // The classifier's final softmax becomes the named output below.
    if (act && !(last && spec.task.kind === 'classification' && act === 'Softmax')) {
      x = node(act, [x], `${layer.name}_${layer.activation}`, act === 'Softmax' ? [intAttr('axis', -1)] : []);
    }
  });

  const lastLayer = spec.layers.at(-1);
  let outputs: OnnxPort[];
  if (spec.task.kind === 'classification') {
    const c = spec.task.classes.length;
    if (lastLayer?.activation !== 'softmax' || lastLayer.units !== c) {
      throw new Error(`the last layer must be a softmax over the ${c} classes (got ${lastLayer?.activation} with ${lastLayer?.units} units)`);
    }
    node('Softmax', [x], 'probabilities', [intAttr('axis', -1)]);
    node('ArgMax', ['probabilities'], 'label', [intAttr('axis', 1), intAttr('keepdims', 0)]);
    outputs = [
      { name: 'probabilities', type: 'float32', shape: ['batch', c] },
      { name: 'label', type: 'int64', shape: ['batch'] },
    ];
  } else {
    if (lastLayer?.activation !== 'linear' || lastLayer.units !== 1) throw new Error('the last layer of a regressor must be linear with one unit');
    init.push(floatTensor('target_std', [1], [spec.task.std]), floatTensor('target_mean', [1], [spec.task.mean]));
    node('Mul', [x, 'target_std'], 'value_scaled');
    node('Add', ['value_scaled', 'target_mean'], 'value');
    outputs = [{ name: 'value', type: 'float32', shape: ['batch', 1] }];
  }
  const inputs: OnnxPort[] = [{ name: ONNX_INPUT, type: 'float32', shape: ['batch', f] }];

  const metadata: Record<string, string> = {
    'sluice.task': spec.task.kind,
    'sluice.features': JSON.stringify(spec.features),
    'sluice.target': spec.target,
    ...(spec.task.kind === 'classification' ? { 'sluice.classes': JSON.stringify(spec.task.classes) } : {}),
    ...spec.metadata,
  };
  const model: onnxProto.onnx.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: spec.opset }],
    producerName: 'sluice',
    producerVersion: spec.producerVersion,
    docString: `Dense ${spec.task.kind} network exported from TensorFlow.js by Sluice's export-onnx`,
    graph: {
      name: spec.name,
      node: nodes,
      initializer: init,
      input: inputs.map(valueInfo),
      output: outputs.map(valueInfo),
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  };
  return { bytes: onnx.ModelProto.encode(model).finish(), inputs, outputs };
}
