/** The IR holds something the DSL cannot write (or is not valid IR); the message names where and what to change. */
import { NonRetryableError } from '../errors';

export class CodegenError extends NonRetryableError {
  override readonly name: string = 'CodegenError';
  override readonly code: string = 'codegen';
}
