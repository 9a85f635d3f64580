/**
 * Tensors between the protocol and ONNX Runtime: the datatype names of each, decoding a request's
 * inputs (JSON data or binary tensor data) into typed arrays checked against the model's signature,
 * and encoding outputs back (JSON or binary). Every refusal names the input it concerns.
 */
import type { Datatype, RequestInput, TensorMetadata } from './protocol';
import { badRequest } from './errors';

/** ONNX Runtime's tensor type names for the protocol's datatypes (BYTES and FP16 are not fed by this server). */
const ORT_OF: Partial<Record<Datatype, OrtType>> = {
  BOOL: 'bool',
  UINT8: 'uint8',
  UINT16: 'uint16',
  UINT32: 'uint32',
  UINT64: 'uint64',
  INT8: 'int8',
  INT16: 'int16',
  INT32: 'int32',
  INT64: 'int64',
  FP32: 'float32',
  FP64: 'float64',
};
export type OrtType = 'bool' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64';
const DATATYPE_OF: Record<string, Datatype> = { float16: 'FP16', string: 'BYTES', ...Object.fromEntries(Object.entries(ORT_OF).map(([d, o]) => [o, d])) };

/** The protocol datatype of an ONNX Runtime element type (undefined for types it cannot describe). */
export function datatypeOf(ortType: string): Datatype | undefined {
  return DATATYPE_OF[ortType];
}

export type TypedData = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

type ArrayCtor = { new (n: number): TypedData; new (buffer: ArrayBufferLike, offset: number, length: number): TypedData; BYTES_PER_ELEMENT: number };
const ARRAY_OF: Record<OrtType, ArrayCtor> = {
  bool: Uint8Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** An input ready for a batch: its element type, shape and elements. */
export interface DecodedTensor {
  name: string;
  type: OrtType;
  shape: number[];
  data: TypedData;
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const fmtShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Flattens nested JSON arrays row-major into `out`; false when an element is not a number/boolean. */
function flatten(data: unknown[], out: Array<number | boolean>): boolean {
  for (const v of data) {
    if (Array.isArray(v)) {
      if (!flatten(v, out)) return false;
    } else if (typeof v === 'number' || typeof v === 'boolean') out.push(v);
    else return false;
  }
  return true;
}

function fromJson(input: RequestInput, type: OrtType, count: number): TypedData {
  const flat: Array<number | boolean> = [];
  if (!flatten(input.data ?? [], flat)) throw badRequest(`input "${input.name}": data must hold only numbers${type === 'bool' ? ' or booleans' : ''} (BYTES/string tensors are not served)`);
  if (flat.length !== count) throw badRequest(`input "${input.name}": shape ${fmtShape(input.shape)} holds ${count} elements but data has ${flat.length}`);
  const out = new ARRAY_OF[type](count);
  const integer = type !== 'float32' && type !== 'float64';
  for (let i = 0; i < count; i++) {
    const v = flat[i]!;
    if (type === 'bool') {
      out[i] = v === true || v === 1 ? 1 : 0;
      continue;
    }
    if (typeof v !== 'number') throw badRequest(`input "${input.name}": element ${i} is ${String(v)}, not a number (datatype ${input.datatype})`);
    if (integer && !Number.isInteger(v)) throw badRequest(`input "${input.name}": element ${i} is ${v}, not an integer (datatype ${input.datatype})`);
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(v);
    else out[i] = v;
  }
  return out;
}

function fromBinary(input: RequestInput, type: OrtType, count: number, bytes: Uint8Array): TypedData {
  const Ctor = ARRAY_OF[type];
  const expected = count * Ctor.BYTES_PER_ELEMENT;
  if (bytes.byteLength !== expected) {
    throw badRequest(`input "${input.name}": binary_data_size is ${bytes.byteLength} bytes but shape ${fmtShape(input.shape)} of ${input.datatype} needs ${expected}`);
  }
  // Copied so the view is aligned and owns its bytes (little-endian, as the extension specifies and x86/ARM are).
  const out = new Ctor(count);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * One request input, checked against the model's input of that name: datatype equal, rank equal,
 * every fixed dimension equal. `binary` holds its bytes when it came as binary tensor data.
 */
export function decodeInput(input: RequestInput, meta: TensorMetadata, binary: Uint8Array | undefined): DecodedTensor {
  if (input.datatype !== meta.datatype) throw badRequest(`input "${input.name}": datatype ${input.datatype} but the model expects ${meta.datatype}`);
  const type = ORT_OF[meta.datatype];
  if (!type) throw badRequest(`input "${input.name}": datatype ${meta.datatype} is not served by this server`);
  const badShape =
    input.shape.length !== meta.shape.length || meta.shape.some((d, i) => d >= 0 && d !== input.shape[i]);
  if (badShape) throw badRequest(`input "${input.name}": shape ${fmtShape(input.shape)} does not fit the model's ${fmtShape(meta.shape)} (-1: any size)`);
  const count = product(input.shape);
  if (binary !== undefined) return { name: input.name, type, shape: input.shape, data: fromBinary(input, type, count, binary) };
  if (input.data === undefined) throw badRequest(`input "${input.name}": no data (give "data", or parameters.binary_data_size with binary tensor data)`);
  return { name: input.name, type, shape: input.shape, data: fromJson(input, type, count) };
}

/** An output's elements as JSON values (int64 as numbers, bool as booleans). */
export function toJsonData(type: string, data: ArrayLike<unknown>): Array<number | boolean> {
  const out = new Array<number | boolean>(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    out[i] = type === 'bool' ? Boolean(v) : typeof v === 'bigint' ? Number(v) : (v as number);
  }
  return out;
}

/** Concatenates the same input of several requests along the first (batch) dimension. */
export function concatRows(parts: readonly DecodedTensor[]): DecodedTensor {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const rows = parts.reduce((n, p) => n + p.shape[0]!, 0);
  const out = new ARRAY_OF[first.type](parts.reduce((n, p) => n + p.data.length, 0));
  let at = 0;
  for (const p of parts) {
    (out as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(p.data, at);
    at += p.data.length;
  }
  return { name: first.name, type: first.type, shape: [rows, ...first.shape.slice(1)], data: out };
}

export { product };
