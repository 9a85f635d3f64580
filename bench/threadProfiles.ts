/**
 * `npx tsx bench/threadProfiles.ts <dir>`: summarises the per-thread .cpuprofile files that
 * `--cpu-prof` wrote for bench/queuedProfile.ts, split by the runs of <dir>/windows.json: per run
 * kind, CPU per step/item of each thread of the benchmark process (main thread: activities, PGlite,
 * the SDK's JS side and its gRPC bridge; workflow thread: the workflow code in its sandbox), by area
 * and by function (self time). --top K (15): functions listed per thread.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProfileWindow } from './queuedProfile';
import { area } from './support/profile';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const dir = process.argv[2] ?? '.';
const topIndex = process.argv.indexOf('--top');
const top = topIndex >= 0 ? Number(process.argv[topIndex + 1]) : 15;
/** --inclusive RE: also list the total (self + callees) time of the functions whose "name file:line" matches RE. */
const inclusiveIndex = process.argv.indexOf('--inclusive');
const inclusive = inclusiveIndex >= 0 ? new RegExp(process.argv[inclusiveIndex + 1] ?? '.') : undefined;

function short(url: string): string {
  return url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(engine|dsl|bench)\//, '$1/');
}

async function main(): Promise<void> {
  const { pid, load, windows } = JSON.parse(await readFile(path.join(dir, 'windows.json'), 'utf8')) as { pid: number; load: number[]; windows: ProfileWindow[] };
  console.log(`profiles of pid ${pid}; load at the end ${load.map((x) => x.toFixed(2)).join(' ')}`);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid));
  const labels = [...new Set(windows.map((w) => w.label))];
  for (const label of labels) {
    const ws = windows.filter((w) => w.label === label);
    const n = ws.reduce((s, w) => s + w.n, 0);
    const wall = ws.reduce((s, w) => s + w.ms, 0);
    const cpu = ws.reduce((s, w) => s + w.cpuSelfMs, 0);
    const server = ws.reduce((s, w) => s + w.cpuServerMs, 0);
    console.log(`\n=== ${label}: ${ws.length} runs, ${(wall / n).toFixed(2)} ms/step wall; process CPU ${(cpu / n).toFixed(2)} ms/step (getrusage), dev server ${(server / n).toFixed(2)}`);
    const threads = new Map<string, number>();
    for (const w of ws) for (const [k, ms] of Object.entries(w.threads ?? {})) threads.set(k, (threads.get(k) ?? 0) + ms);
    console.log(
      `  CPU by OS thread (ms/step, /proc): ${[...threads.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([k, ms]) => `${k} ${(ms / n).toFixed(2)}`)
        .join(', ')}`,
    );
    for (const f of files.sort()) {
      const tid = f.split('.')[4];
      const p = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as Profile;
      const byId = new Map(p.nodes.map((x) => [x.id, x]));
      const parent = new Map<number, number>();
      for (const x of p.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
      const keyOf = (x: Node): string => `${x.callFrame.functionName || '(anonymous)'}${x.callFrame.url ? ` ${short(x.callFrame.url)}:${x.callFrame.lineNumber + 1}` : ''}`;
      const totals = new Map<string, number>();
      const areas = new Map<string, number>();
      const fns = new Map<string, number>();
      let t = p.startTime;
      let busy = 0;
      for (let i = 0; i < p.samples.length; i++) {
        t += p.timeDeltas[i] ?? 0;
        const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
        if (!ws.some((w) => t >= w.startUs && t < w.endUs)) continue;
        const node = byId.get(p.samples[i] as number);
        if (!node) continue;
        const { functionName, url } = node.callFrame;
        if (functionName === '(idle)') continue;
        busy += dt;
        const a = area(url, functionName);
        areas.set(a, (areas.get(a) ?? 0) + dt);
        const key = keyOf(node);
        fns.set(key, (fns.get(key) ?? 0) + dt);
        if (inclusive) {
          const seen = new Set<string>();
          for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
            const k = keyOf(byId.get(id) as Node);
            if (seen.has(k) || !inclusive.test(k)) continue;
            seen.add(k);
            totals.set(k, (totals.get(k) ?? 0) + dt);
          }
        }
      }
      if (busy < 0.5 * ws.length) continue;
      const sorted = (m: Map<string, number>): [string, number][] => [...m.entries()].sort((a, b) => b[1] - a[1]);
      console.log(`  thread ${tid === '0' ? 'main' : `tid ${tid}`}: busy ${(busy / n).toFixed(3)} ms/step`);
      console.log(`    areas: ${sorted(areas).slice(0, 14).map(([a, ms]) => `${a} ${(ms / n).toFixed(3)}`).join(', ')}`);
      for (const [fn, ms] of sorted(fns).slice(0, top)) console.log(`    ${(ms / n).toFixed(3).padStart(7)}  ${fn}`);
      if (inclusive && totals.size) {
        console.log('    total (self + callees):');
        for (const [fn, ms] of sorted(totals).slice(0, top)) console.log(`    ${(ms / n).toFixed(3).padStart(7)}  ${fn}`);
      }
    }
  }
}

void main();
