/**
 * A small seeded PRNG (mulberry32), the one both the tuner (engine/tuning: suggestions replayed from
 * a study's seed) and the built-in components (components/random.ts: splits and shuffles) draw
 * from. Here because it is pure and both may import the IR; the engine may not import components.
 */

/** mulberry32: a tiny 32-bit generator, uniform in [0, 1); the same seed gives the same numbers on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
