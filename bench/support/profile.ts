/**
 * Where the time goes: per-method timings of an object's async methods (the metadata store), CPU
 * seconds of this process and of its children (the dev server), and a summarised V8 CPU profile
 * of this process's main thread (activities, PGlite, the SDK's JS side; workflows run in the
 * worker's own thread and are not in it).
 */
import { readdir, readFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

export interface MethodTiming {
  calls: number;
  /** Summed latency (calls overlap when tasks run concurrently). */
  ms: number;
}

export interface MethodTimer {
  reset(): void;
  snapshot(): Record<string, MethodTiming>;
}

/** Replaces every method of `target` (own or inherited) by a timed wrapper on the instance. */
export function timeMethods(target: object): MethodTimer {
  let timings: Record<string, MethodTiming> = {};
  const names = new Set<string>();
  for (let proto: object | null = target; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) if (name !== 'constructor') names.add(name);
  }
  const record = target as Record<string, unknown>;
  for (const name of names) {
    const original = record[name];
    if (typeof original !== 'function') continue;
    const fn = original as (...args: unknown[]) => unknown;
    record[name] = function timed(this: unknown, ...args: unknown[]): unknown {
      const t0 = performance.now();
      const done = (): void => {
        const t = (timings[name] ??= { calls: 0, ms: 0 });
        t.calls++;
        t.ms += performance.now() - t0;
      };
      const result = fn.apply(this, args);
      if (result instanceof Promise) return result.finally(done);
      done();
      return result;
    };
  }
  return {
    reset() {
      timings = {};
    },
    snapshot() {
      return structuredClone(timings);
    },
  };
}

/** Process ids of this process's children (Linux; empty elsewhere). */
export async function childPids(): Promise<number[]> {
  const pids = new Set<number>();
  try {
    for (const t of await readdir(`/proc/${process.pid}/task`)) {
      const text = await readFile(`/proc/${process.pid}/task/${t}/children`, 'utf8').catch(() => '');
      for (const pid of text.split(/\s+/).filter(Boolean)) pids.add(Number(pid));
    }
  } catch {
    // no /proc
  }
  return [...pids];
}

/** CPU milliseconds used so far by this process (all its threads) and by its child processes. */
export async function cpuNow(): Promise<{ selfMs: number; childrenMs: number }> {
  const u = process.cpuUsage();
  let childrenMs = 0;
  const tick = 10; // USER_HZ = 100 on Linux
  try {
    for (const pid of await childPids()) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of /proc/<pid>/stat (index 11 and 12 after the name).
      childrenMs += (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * tick;
    }
  } catch {
    // no /proc: children stay 0
  }
  return { selfMs: (u.user + u.system) / 1000, childrenMs };
}

export async function cpuDuring<T>(fn: () => Promise<T>): Promise<{ result: T; selfMs: number; childrenMs: number }> {
  const a = await cpuNow();
  const result = await fn();
  const b = await cpuNow();
  return { result, selfMs: b.selfMs - a.selfMs, childrenMs: b.childrenMs - a.childrenMs };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time by area, ms, largest first. */
  areas: [string, number][];
  /** Self time by function, ms, largest first. */
  functions: [string, number][];
}

/** Runs `fn` under the V8 sampling profiler of this thread and summarises the self time. */
export async function profileDuring<T>(fn: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  let result: T;
  let profile: Profile;
  try {
    result = await fn();
  } finally {
    // Stopped whatever happens, so the session never outlives the measurement.
    profile = ((await session.post('Profiler.stop')) as unknown as { profile: Profile }).profile;
    session.disconnect();
  }
  return { result, summary: summarise(profile) };
}

/** Where a frame's code comes from. The workflow bundle is one script: its frames are told apart by function name. */
export function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('wasm://') || url.includes('@electric-sql/pglite')) return 'PGlite';
  if (url.includes('drizzle-orm')) return 'drizzle-orm';
  if (url.includes('protobufjs') || url.includes('@temporalio/proto')) return 'protobuf';
  if (url.includes('@temporalio/worker')) return 'SDK worker (JS)';
  if (url.includes('@temporalio/workflow')) return 'SDK workflow';
  if (url.includes('@temporalio/common')) return 'SDK common (payload conversion)';
  if (url.includes('@temporalio/client')) return 'SDK client';
  if (url.includes('@temporalio/')) return 'SDK other';
  if (url.includes('/engine/stores/metadata/')) return 'sluice stores/metadata';
  if (url.includes('/engine/stores/')) return 'sluice stores (other)';
  if (url.includes('/engine/temporal/activities/')) return 'sluice activities';
  if (url.includes('/engine/temporal/workflows/')) return 'sluice workflows';
  if (url.includes('/engine/')) return 'sluice engine (other)';
  if (url.includes('/dsl/')) return 'sluice dsl';
  if (url.includes('/bench/')) return 'bench';
  if (url.includes('zod')) return 'zod';
  if (url.includes('@noble/hashes')) return '@noble/hashes';
  if (url.includes('pino') || url.includes('sonic-boom')) return 'pino';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  return pkg ?? url.split('/').slice(-1).join('/');
}

function summarise(profile: Profile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] as number);
    if (!node) continue;
    const ms = (deltas[i + 1] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    const a = area(url, functionName);
    areas.set(a, (areas.get(a) ?? 0) + ms);
    const where = url ? `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(engine|dsl|bench)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    functions.set(key, (functions.get(key) ?? 0) + ms);
  }
  const sorted = (m: Map<string, number>): [string, number][] => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { totalMs: (profile.endTime - profile.startTime) / 1000, areas: sorted(areas), functions: sorted(functions) };
}
