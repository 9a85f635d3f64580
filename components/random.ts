/**
 * Seeded randomness for components: the same seed gives the same split, shuffle and order on
 * every machine (Math.random cannot be seeded).
 */

// The generator itself is the IR's, shared with the tuner (one implementation: the same seed, the same draws).
export { mulberry32 } from 'sluice/ir';

/** A random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, random: () => number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}
