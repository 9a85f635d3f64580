/**
 * Errors with identity: one class per condition, a `code` naming the condition (what surfaces such
 * as the API and the CLI switch on — never the message), and whether retrying could help.
 * Components throw `NonRetryableError` (or a subclass) for bad input so the engine fails the task
 * at once instead of retrying.
 */
import { formatIssue, type ValidationIssue } from './ir/validate';

export class SluiceError extends Error {
  /** The condition, kebab-case; every subclass names its own. */
  readonly code: string = 'sluice-error';
  readonly retryable: boolean = true;
  override readonly name: string = 'SluiceError';
}

/** Raised by a component when retrying cannot help (bad input data, bad parameters). */
export class NonRetryableError extends SluiceError {
  override readonly code: string = 'non-retryable';
  override readonly retryable: boolean = false;
  override readonly name: string = 'NonRetryableError';
}

/** A pipeline's IR broke one or more rules; `issues` lists every one. */
export class PipelineValidationError extends NonRetryableError {
  override readonly name: string = 'PipelineValidationError';
  /** Each issue has its own `code` too. */
  override readonly code: string = 'invalid-pipeline';
  constructor(readonly issues: ValidationIssue[]) {
    super(
      `invalid pipeline (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${formatIssue(i)}`).join('\n'),
    );
  }
}

/** The DSL was used in a way the types could not catch (e.g. two tasks with one id). */
export class DslError extends NonRetryableError {
  override readonly name: string = 'DslError';
  override readonly code: string = 'dsl-misuse';
}
