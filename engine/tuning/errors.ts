import { CodedError } from '../errors';

export type TuningErrorCode =
  /** The search space cannot be sampled as written (a bound, an empty choice, a condition). */
  | 'invalid-search-space'
  /** Grid search over a continuous parameter that has no `step`. */
  | 'grid-needs-step'
  /** The grid has more points than a study can enumerate. */
  | 'grid-too-large';

/** A search space or algorithm setting that the tuning algorithms cannot work with; bad input, never retryable. */
export class TuningError extends CodedError<TuningErrorCode> {
  override readonly name = 'TuningError';
  constructor(
    code: TuningErrorCode,
    message: string,
    /** The search parameter at fault, when there is one. */
    readonly param?: string,
  ) {
    super(code, message, false);
  }
}
