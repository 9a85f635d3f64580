/** Durations in the DSL: a number of milliseconds or a string such as "500ms", "30s", "5m", "2h", "1d". */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function toMs(d: Duration, what: string): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d <= 0) throw new RangeError(`${what}: ${d} is not a positive duration`);
    return Math.round(d);
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(d);
  if (!m?.[1] || !m[2]) throw new RangeError(`${what}: "${d}" is not a duration; use e.g. "30s", "5m" or a number of ms`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
}

/** The inverse of toMs for messages: 300000 → "5m", 90000 → "1m30s", 1500 → "1.5s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / seconds);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * seconds;
  }
  return parts.join('');
}
