/** Durations in the DSL; the parser lives in the pure IR so workflows can use it too. */
export { toMs } from './ir/duration';
export type { Duration } from './ir/duration';
