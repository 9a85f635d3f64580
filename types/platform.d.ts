/**
 * The few web-platform globals that code checked by tsconfig.pure.json (dsl/, engine/contract/) may
 * use: each exists in every runtime that code runs in (browsers, Node ≥ 18, Temporal's workflow
 * sandbox for dsl/ir), but lives in the DOM's or Node's type library, which that project leaves out
 * so nothing else of either slips in. Declared as subsets that merge with both libraries.
 */
declare function structuredClone<T>(value: T): T;

interface AbortSignal {
  readonly aborted: boolean;
}
