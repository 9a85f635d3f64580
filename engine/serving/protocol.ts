/**
 * The Open Inference Protocol (KServe v2) over HTTP/REST, as zod schemas: the one source of the
 * wire shapes this server reads and writes (tests parse every answer with them). Field names follow
 * the specification (kserve/open-inference-protocol, inference_rest.md) and Triton's binary tensor
 * data extension (`binary_data_size`, `binary_data`, `binary_data_output`,
 * `Inference-Header-Content-Length`), which the `tritonclient` HTTP client uses by default.
 */
import { z } from 'zod';

/** The tensor datatypes of the protocol. */
export const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'] as const;
export const Datatype = z.enum(DATATYPES);
export type Datatype = z.infer<typeof Datatype>;

/** `$parameters`: string, number or boolean values by name. */
export const Parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export type Parameters = z.infer<typeof Parameters>;

/** A tensor's data in JSON: row-major, flat or nested arrays of numbers or booleans. */
type TensorJson = number | boolean | string | TensorJson[];
const TensorData: z.ZodType<TensorJson[]> = z.array(z.union([z.number(), z.boolean(), z.string(), z.lazy(() => TensorData)]));

export const RequestInput = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  datatype: z.string(),
  parameters: Parameters.optional(),
  /** Absent only when the tensor travels as binary data after the JSON (`binary_data_size`). */
  data: TensorData.optional(),
});
export type RequestInput = z.infer<typeof RequestInput>;

export const RequestOutput = z.object({ name: z.string().min(1), parameters: Parameters.optional() });
export type RequestOutput = z.infer<typeof RequestOutput>;

export const InferenceRequest = z.object({
  id: z.string().optional(),
  parameters: Parameters.optional(),
  inputs: z.array(RequestInput).min(1),
  outputs: z.array(RequestOutput).optional(),
});
export type InferenceRequest = z.infer<typeof InferenceRequest>;

export const ResponseOutput = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  datatype: Datatype,
  parameters: Parameters.optional(),
  data: z.array(z.union([z.number(), z.boolean()])).optional(),
});
export type ResponseOutput = z.infer<typeof ResponseOutput>;

export const InferenceResponse = z.object({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: Parameters.optional(),
  outputs: z.array(ResponseOutput),
});
export type InferenceResponse = z.infer<typeof InferenceResponse>;

/** `$metadata_model_tensor`: -1 marks a variable-size dimension. */
export const TensorMetadata = z.object({ name: z.string(), datatype: Datatype, shape: z.array(z.number().int().min(-1)) });
export type TensorMetadata = z.infer<typeof TensorMetadata>;

export const ModelMetadataResponse = z.object({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string(),
  inputs: z.array(TensorMetadata),
  outputs: z.array(TensorMetadata),
  /**
   * Sluice's additions (a `$parameters` object, as the protocol extends other objects): the version
   * this name resolved to, the alias it was addressed by, and the execution provider that runs it.
   */
  parameters: Parameters.optional(),
});
export type ModelMetadataResponse = z.infer<typeof ModelMetadataResponse>;

export const ServerMetadataResponse = z.object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) });
export type ServerMetadataResponse = z.infer<typeof ServerMetadataResponse>;

export const LiveResponse = z.object({ live: z.boolean() });
export const ReadyResponse = z.object({ ready: z.boolean() });
export const ModelReadyResponse = z.object({ name: z.string(), ready: z.boolean() });

/** `$metadata_server_error_response` and `$inference_error_response`. */
export const ErrorResponse = z.object({ error: z.string() });
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** The header that says how long the JSON part of a body with binary tensors is. */
export const INFERENCE_HEADER_LENGTH = 'inference-header-content-length';

/** The extensions this server implements (GET /v2). */
export const SERVER_EXTENSIONS = ['binary_tensor_data'];
