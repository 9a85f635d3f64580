/**
 * Tuning algorithms: pure, deterministic functions of the recorded trial history and a seed, so
 * the study workflow can call them from activities and replay to the same suggestions.
 * Import only through this file.
 */
export { suggest, suggestBatch, type SuggestInput } from './suggest';
export { judgeTrial, type JudgeInput, type Judgement } from './judge';
export { TuningError, type TuningErrorCode } from './errors';
