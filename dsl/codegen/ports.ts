/**
 * Port specs and execution options as DSL code (`t.int({ default: 3 })`, `retry: { maxAttempts: 2,
 * initialInterval: '1s' }`), and back as DSL option values for re-declaring components. Pure.
 */
import type { CacheOptions, ExecutionOptionsInput, RetryOptions, TimeoutOptions } from '../component';
import type { Duration } from '../duration';
import { BUILTIN_ARTIFACT_TYPES, type ExecutionOptions, type PortSpec } from '../ir/schema';
import { parseParamType, type ParsedParamType } from '../ir/portTypes';
import type { AnyPort, PortMap } from '../ports';
import { CodegenError } from './CodegenError';
import { arrayCode, jsonCode, objectCode, stringLiteral, text, type Code } from './syntax';

function paramTypeCode(t: ParsedParamType): string {
  return t.kind === 'list' ? `t.list(${paramTypeCode(t.item)})` : `t.${t.name}()`;
}

/** `t.float({ default: 0.2 })`, `t.list(t.Model())`, `t.artifact('Tokenizer')()`. */
export function portCode(port: PortSpec, where: string): Code {
  if (port.optional === false) {
    throw new CodegenError(`${where}: "optional": false cannot be written in the DSL (ports are required unless marked optional); remove the field`);
  }
  const description = port.description === undefined ? undefined : text(stringLiteral(port.description));
  if (port.kind === 'parameter') {
    const type = parseParamType(port.type);
    const opts = objectCode([
      ['default', port.default === undefined ? undefined : jsonCode(port.default)],
      ['optional', port.optional ? text('true') : undefined],
      ['description', description],
    ]);
    const hasOpts = port.default !== undefined || port.optional === true || description !== undefined;
    if (port.enum !== undefined) {
      const values = arrayCode(port.enum.map((v) => text(stringLiteral(v))));
      return (indent, col) => `t.enum(${values(indent, col + 7)}${hasOpts ? `, ${opts(indent, col)}` : ''})`;
    }
    return (indent, col) => {
      const o = hasOpts ? opts(indent, col) : '';
      if (type.kind === 'list') return `t.list(${paramTypeCode(type.item)}${o ? `, ${o}` : ''})`;
      return `t.${type.name}(${o})`;
    };
  }
  if (port.list === false) {
    throw new CodegenError(`${where}: "list": false cannot be written in the DSL (a port is a single artifact unless it is a list); remove the field`);
  }
  const builtin = (BUILTIN_ARTIFACT_TYPES as readonly string[]).includes(port.type);
  const ctor = builtin ? `t.${port.type}` : `t.artifact(${stringLiteral(port.type)})`;
  const opts = objectCode([
    ['optional', port.optional ? text('true') : undefined],
    ['description', description],
  ]);
  const hasOpts = port.optional === true || description !== undefined;
  return (indent, col) => {
    const o = hasOpts ? opts(indent, col) : '';
    return port.list ? `t.list(${ctor}()${o ? `, ${o}` : ''})` : `${ctor}(${o})`;
  };
}

/** `{ data: t.Dataset(), epochs: t.int() }`, or undefined when there are no ports. */
export function portMapCode(ports: Record<string, PortSpec>, where: string): Code | undefined {
  const entries = Object.entries(ports);
  if (entries.length === 0) return undefined;
  return objectCode(entries.map(([k, p]) => [k, portCode(p, `${where}, port "${k}"`)]));
}

/** Port specs as the DSL's port values (what `t.*()` would return), to re-declare a component. */
export function portMap(ports: Record<string, PortSpec>): PortMap {
  const out: Record<string, AnyPort> = {};
  for (const [k, spec] of Object.entries(ports)) out[k] = spec.kind === 'parameter' ? { spec } : { spec };
  return out;
}

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** Milliseconds as the largest exact unit: 300000 → '5m'. */
export function durationText(ms: number): Duration {
  for (const [unit, size] of UNITS) {
    if (ms % size === 0) return `${ms / size}${unit}` as Duration;
  }
  return `${ms}ms`;
}

function durationCode(ms: number | undefined): Code | undefined {
  return ms === undefined ? undefined : text(stringLiteral(String(durationText(ms))));
}

/** IR execution options → the DSL's option values (durations in milliseconds, which the DSL accepts). */
export function executionOptionsInput(o: ExecutionOptions): ExecutionOptionsInput {
  const out: ExecutionOptionsInput = {};
  if (o.resources) out.resources = { ...o.resources };
  if (o.retry) {
    const r: RetryOptions = { maxAttempts: o.retry.maxAttempts };
    if (o.retry.initialIntervalMs !== undefined) r.initialInterval = o.retry.initialIntervalMs;
    if (o.retry.backoffCoefficient !== undefined) r.backoffCoefficient = o.retry.backoffCoefficient;
    if (o.retry.maxIntervalMs !== undefined) r.maxInterval = o.retry.maxIntervalMs;
    out.retry = r;
  }
  if (o.timeout) {
    const t: TimeoutOptions = {};
    if (o.timeout.attemptMs !== undefined) t.attempt = o.timeout.attemptMs;
    if (o.timeout.totalMs !== undefined) t.total = o.timeout.totalMs;
    if (o.timeout.heartbeatMs !== undefined) t.heartbeat = o.timeout.heartbeatMs;
    if (o.timeout.queueMs !== undefined) t.queue = o.timeout.queueMs;
    out.timeout = t;
  }
  if (o.cache) {
    const c: CacheOptions = {};
    if (o.cache.enabled !== undefined) c.enabled = o.cache.enabled;
    if (o.cache.maxAgeMs !== undefined) c.maxAge = o.cache.maxAgeMs;
    out.cache = c;
  }
  if (o.execution !== undefined) out.execution = o.execution;
  return out;
}

/** IR fields this file writes; a field added to the IR later is refused until it is written here too. */
const KNOWN_FIELDS = {
  retry: ['maxAttempts', 'initialIntervalMs', 'backoffCoefficient', 'maxIntervalMs'],
  timeout: ['attemptMs', 'totalMs', 'heartbeatMs', 'queueMs'],
  cache: ['enabled', 'maxAgeMs'],
} as const;

/** The `resources`, `retry`, `timeout`, `cache` and `execution` entries of a component's or task's options. */
export function executionOptionEntries(o: ExecutionOptions, where: string): [string, Code | undefined][] {
  const { retry, timeout, cache } = o;
  for (const [field, known] of Object.entries(KNOWN_FIELDS) as [keyof typeof KNOWN_FIELDS, readonly string[]][]) {
    const unknown = Object.keys(o[field] ?? {}).filter((k) => !known.includes(k));
    if (unknown.length > 0) {
      throw new CodegenError(`${where}: ${field}.${unknown.join(`, ${field}.`)} cannot be written by this code generator yet (dsl/codegen/ports.ts); remove it or teach the generator`);
    }
  }
  return [
    ['resources', o.resources === undefined ? undefined : jsonCode(o.resources)],
    [
      'retry',
      retry === undefined
        ? undefined
        : objectCode([
            ['maxAttempts', text(String(retry.maxAttempts))],
            ['initialInterval', durationCode(retry.initialIntervalMs)],
            ['backoffCoefficient', retry.backoffCoefficient === undefined ? undefined : text(String(retry.backoffCoefficient))],
            ['maxInterval', durationCode(retry.maxIntervalMs)],
          ]),
    ],
    [
      'timeout',
      timeout === undefined
        ? undefined
        : objectCode([
            ['attempt', durationCode(timeout.attemptMs)],
            ['total', durationCode(timeout.totalMs)],
            ['heartbeat', durationCode(timeout.heartbeatMs)],
            ['queue', durationCode(timeout.queueMs)],
          ]),
    ],
    [
      'cache',
      cache === undefined
        ? undefined
        : cache.enabled === false && cache.maxAgeMs === undefined
          ? text('false')
          : objectCode([
              ['enabled', cache.enabled === undefined ? undefined : text(String(cache.enabled))],
              ['maxAge', durationCode(cache.maxAgeMs)],
            ]),
    ],
    ['execution', o.execution === undefined ? undefined : text(stringLiteral(o.execution))],
  ];
}
