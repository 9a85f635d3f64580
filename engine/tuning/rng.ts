import { mulberry32 } from '../../dsl/ir/random';

/**
 * The generator for one suggestion: a function of the study's seed and how many trials were
 * suggested before (so parallel suggestions over the same finished history differ, and a replay
 * gets the same numbers), and of a stream name (so grid order and TPE sampling do not share draws).
 */
export function suggestionRng(seed: number, trialCount: number, stream: string): () => number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  h = Math.imul(h ^ Math.floor(seed / 4294967296), 0x01000193) >>> 0;
  h = Math.imul(h ^ trialCount, 0x9e3779b1) >>> 0;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  // A few warm-up draws decorrelate neighbouring seeds.
  const r = mulberry32(h);
  r();
  r();
  return r;
}
