/**
 * Reads an ONNX model file written by `export-onnx`: checks that it is an ONNX model at all (a
 * protobuf ModelProto with a graph and an opset) and reads the `sluice.*` metadata that maps
 * Dataset columns to the input tensor and the outputs back to labels.
 */
import { readFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';
import { InvalidModelError } from './invalidModelError';

const { onnx } = onnxProto;

export interface OnnxModelInfo {
  bytes: Uint8Array;
  task: 'classification' | 'regression';
  features: string[];
  target: string;
  /** Class labels in output order (classification only). */
  classes: string[];
  inputName: string;
  outputNames: string[];
  opset: number;
  irVersion: number;
}

/** The file is not an ONNX model, or not one this library can feed. */
export class InvalidOnnxModelError extends InvalidModelError {
  override readonly name: string = 'InvalidOnnxModelError';
  override readonly code: string = 'invalid-onnx-model';
}

function stringList(value: string | undefined, key: string, fail: (what: string) => never): string[] {
  if (value === undefined) return fail(`no "${key}" metadata (export it with export-onnx)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return fail(`metadata "${key}" is not JSON`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((s) => typeof s === 'string')) return fail(`metadata "${key}" is not a list of names`);
  return parsed;
}

export async function readOnnxModel(path: string): Promise<OnnxModelInfo> {
  const notOnnx = (what: string): never => {
    throw new InvalidOnnxModelError(`${path} is not an ONNX model: ${what}`);
  };
  const bytes = new Uint8Array(await readFile(path));
  if (bytes.length === 0) notOnnx('the file is empty');
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    // protobuf stops at the first byte that cannot start a field: JSON, text and most binaries.
    const looksJson = Buffer.from(bytes.subarray(0, 64)).toString('utf8').trimStart().startsWith('{');
    const hint = looksJson ? '; it looks like JSON (a TensorFlow.js model file? convert it with export-onnx first)' : '';
    return notOnnx(`not a protobuf ModelProto (${err instanceof Error ? err.message : String(err)})${hint}`);
  }
  const irVersion = Number(model.irVersion);
  const opset = Number(model.opsetImport.find((o) => !o.domain)?.version ?? 0);
  if (!model.graph || !(irVersion > 0) || !(opset > 0)) {
    notOnnx(`no graph, IR version or default-domain opset (got IR ${irVersion || 'none'}, opset ${opset || 'none'}, ${model.graph ? 'a' : 'no'} graph)`);
  }

  const misfit = (what: string): never => {
    throw new InvalidOnnxModelError(`${path}: an ONNX model, but not one Sluice can feed from a Dataset: ${what}`);
  };
  const meta = new Map(model.metadataProps.map((p) => [p.key ?? '', p.value ?? '']));
  const task = meta.get('sluice.task');
  if (task !== 'classification' && task !== 'regression') return misfit(`metadata "sluice.task" is ${JSON.stringify(task ?? null)} (export it with export-onnx)`);
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((i) => !initializers.has(i.name));
  if (inputs.length !== 1 || !inputs[0]?.name) misfit(`expected one input tensor, found ${inputs.length}`);
  return {
    bytes,
    task,
    features: stringList(meta.get('sluice.features'), 'sluice.features', misfit),
    target: meta.get('sluice.target') ?? '',
    classes: task === 'classification' ? stringList(meta.get('sluice.classes'), 'sluice.classes', misfit) : [],
    inputName: inputs[0]!.name!,
    outputNames: (graph.output ?? []).map((o) => o.name ?? ''),
    opset,
    irVersion,
  };
}
