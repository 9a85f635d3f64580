/**
 * Checks run parameters against a pipeline's inputs before anything starts: unknown names, values
 * of the wrong type and missing required inputs are refused, defaults are filled in.
 */
import { NonRetryableError } from '../../dsl/errors';
import { findUnstorableText, isRequired, jsonDepthProblem, jsonPointer, parseParamText, valueMismatch, type PipelineSpec } from '../../dsl/ir/index';
import type { Json } from '../temporal/workflows/types';

export class RunParamsError extends NonRetryableError {
  override readonly name = 'RunParamsError';
  override readonly code: string = 'invalid-params';
  constructor(
    readonly pipeline: string,
    readonly problems: string[],
  ) {
    super(`cannot run pipeline "${pipeline}":\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Values given as text (CLI `--param k=v`, form fields) are parsed by the input's type first. */
export function resolveRunParams(
  spec: PipelineSpec,
  given: Record<string, unknown>,
  options: { fromText?: boolean } = {},
): Record<string, Json> {
  const problems: string[] = [];
  const out: Record<string, Json> = {};
  const names = Object.keys(spec.inputs);
  for (const [name, raw] of Object.entries(given)) {
    // Own inputs only: "constructor" or "toString" name no input, whatever every object inherits.
    const port = Object.hasOwn(spec.inputs, name) ? spec.inputs[name] : undefined;
    if (!port) {
      problems.push(`unknown parameter "${name}"; this pipeline takes: ${names.length ? names.map((n) => `${n} (${spec.inputs[n]?.type})`).join(', ') : 'no parameters'}`);
      continue;
    }
    if (port.kind === 'artifact') {
      if (typeof raw !== 'string' || raw === '') problems.push(`parameter "${name}" is a ${port.type} artifact input: give an artifact id`);
      else if (unstorableText(name, raw).length) problems.push(...unstorableText(name, raw));
      else out[name] = raw;
      continue;
    }
    let value = raw;
    if (options.fromText && typeof raw === 'string') {
      // JSON and list values parse from the text: bounded like every JSON text, before parsing.
      const deep = jsonDepthProblem(raw);
      if (deep) {
        problems.push(`parameter "${name}" (${port.type}): the value ${deep}`);
        continue;
      }
      const parsed = parseParamText(raw, port.type);
      if (!parsed.ok) {
        problems.push(`parameter "${name}" (${port.type}): ${parsed.error}`);
        continue;
      }
      value = parsed.value;
    } else {
      const why = valueMismatch(raw, port.type);
      if (why) {
        problems.push(`parameter "${name}" (${port.type}): ${why}`);
        continue;
      }
    }
    const text = unstorableText(name, value);
    if (text.length) problems.push(...text);
    else out[name] = value as Json;
  }
  for (const [name, port] of Object.entries(spec.inputs)) {
    if (name in out || name in given) continue;
    if (port.kind === 'parameter' && port.default !== undefined) out[name] = port.default;
    else if (isRequired(port)) problems.push(`missing required parameter "${name}" (${port.type}); pass it with --param ${name}=<value>`);
  }
  if (problems.length) throw new RunParamsError(spec.name, problems);
  return out;
}

/** Text in a value that the metadata store cannot hold (NUL, lone surrogates): refused here, from every source. */
function unstorableText(name: string, value: unknown): string[] {
  return findUnstorableText(value).map((p) => `parameter "${name}"${p.path.length ? ` at ${jsonPointer(p.path)}` : ''} ${p.message}`);
}
