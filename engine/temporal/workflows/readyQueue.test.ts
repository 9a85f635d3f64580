import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../../../dsl/ir/random';
import { ReadyQueue } from './readyQueue';


interface Case {
  ids: string[];
  deps: Map<string, string[]>;
  /** Nodes that become final the moment they are handled (skipped), not after running. */
  skips: Set<string>;
  /** Which running node finishes next, as a pick among those running. */
  pick: () => number;
}

function randomCase(seed: number): Case {
  const r = rng(seed);
  const n = 1 + Math.floor(r() * 40);
  // Shuffled declaration order, edges only from earlier to later in a hidden topological order.
  const topo = Array.from({ length: n }, (_, i) => `n${i}`);
  const ids = [...topo].sort(() => r() - 0.5);
  const deps = new Map<string, string[]>();
  topo.forEach((id, i) => {
    const d = new Set<string>();
    for (let j = 0; j < i; j++) if (r() < 0.15) d.add(topo[j] as string);
    deps.set(id, [...d]);
  });
  const skips = new Set(ids.filter(() => r() < 0.25));
  return { ids, deps, skips, pick: r };
}

/** What the first interpreter did: each pass scans every pending node in declaration order. */
function scanOrder(c: Case, cap = Infinity): string[][] {
  const final = new Set<string>();
  const pending = new Set(c.ids);
  const running: string[] = [];
  const passes: string[][] = [];
  for (;;) {
    const handled: string[] = [];
    for (const id of [...pending]) {
      if (!(c.deps.get(id) ?? []).every((d) => final.has(d))) continue;
      if (running.length >= cap) break;
      pending.delete(id);
      handled.push(id);
      if (c.skips.has(id)) final.add(id);
      else running.push(id);
    }
    passes.push(handled);
    if (handled.length) continue;
    if (running.length === 0) break;
    const [done] = running.splice(Math.floor(c.pick() * running.length), 1);
    final.add(done as string);
  }
  return passes;
}

/** The same decisions through ReadyQueue, as runScope drives it. */
function queueOrder(c: Case, cap = Infinity): string[][] {
  const waitingOn = new Map(c.ids.map((id) => [id, (c.deps.get(id) ?? []).length]));
  const dependents = new Map<string, string[]>();
  for (const id of c.ids) {
    for (const d of c.deps.get(id) ?? []) {
      const list = dependents.get(d);
      if (list) list.push(id);
      else dependents.set(d, [id]);
    }
  }
  const q = new ReadyQueue(c.ids);
  for (const id of c.ids) if (waitingOn.get(id) === 0) q.add(id);
  const finished = (id: string): void => {
    for (const w of dependents.get(id) ?? []) {
      const left = (waitingOn.get(w) ?? 0) - 1;
      waitingOn.set(w, left);
      if (left === 0) q.add(w);
    }
  };
  const running: string[] = [];
  const passes: string[][] = [];
  for (;;) {
    const handled: string[] = [];
    q.startPass();
    for (;;) {
      if (running.length >= cap) {
        q.endPass();
        break;
      }
      const id = q.take();
      if (id === undefined) break;
      handled.push(id);
      if (c.skips.has(id)) finished(id);
      else running.push(id);
    }
    passes.push(handled);
    if (handled.length) continue;
    if (running.length === 0) break;
    const [done] = running.splice(Math.floor(c.pick() * running.length), 1);
    finished(done as string);
  }
  return passes;
}

describe('ReadyQueue', () => {
  it('hands out nodes in the same passes and order as scanning every pending node (so recorded histories replay)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const a = randomCase(seed);
      const b = randomCase(seed);
      expect(queueOrder(b), `seed ${seed}`).toEqual(scanOrder(a));
    }
  });

  it('with a cap on running nodes, starts the same nodes in the same order as a capped scan', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const cap = 1 + (seed % 4);
      expect(queueOrder(randomCase(seed), cap), `seed ${seed}, cap ${cap}`).toEqual(scanOrder(randomCase(seed), cap));
    }
  });

  it('runs a 10,000-node chain and fan, handling every node exactly once', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `t${i}`);
    const chain: Case = { ids, deps: new Map(ids.map((id, i) => [id, i ? [`t${i - 1}`] : []])), skips: new Set(), pick: () => 0 };
    const fan: Case = { ids, deps: new Map(ids.map((id, i) => [id, i ? ['t0'] : []])), skips: new Set(), pick: () => 0 };
    expect(queueOrder(chain).flat()).toEqual(ids);
    expect(new Set(queueOrder(fan, 200).flat()).size).toBe(10_000);
  });
});
