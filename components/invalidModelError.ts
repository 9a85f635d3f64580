import { NonRetryableError } from 'sluice/dsl';

/** The model artifact file is unreadable or not in the format its reader expects. */
export class InvalidModelError extends NonRetryableError {
  override readonly name: string = 'InvalidModelError';
  override readonly code: string = 'invalid-model';
}
