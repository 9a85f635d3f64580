/**
 * Errors of the engine's areas (runs, schedules, triggers, …) carry a code from a small union per
 * area, and whether trying again can help. Surfaces (the HTTP API, the CLI) map codes to a status
 * and to advice in their own words; no code path recognises an error by its message text.
 * (MetadataStoreError and the artifact store errors follow the same shape.)
 */
export abstract class CodedError<C extends string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    /** True when the same request may succeed later (a server that was down), false for bad input. */
    readonly retryable = false,
  ) {
    super(message);
  }
}
