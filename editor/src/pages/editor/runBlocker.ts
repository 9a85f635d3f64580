/**
 * Why the editor's Run cannot start a run, known before asking the server: Run saves unsaved IR
 * first, and IR with problems is saved as a draft (pipeline_versions.draft), which the server
 * refuses to run (409 `draft-pipeline`). So: a saved, unchanged draft cannot run, and neither can
 * changed IR that still has problems. undefined: nothing known stops it.
 */
export interface RunReadiness {
  /** The version on the server the editor holds, if any. */
  saved: { number: number; draft: boolean } | undefined;
  /** Whether the IR differs from `saved` (Run would save it as a new version first). */
  dirty: boolean;
  /** The validator's problems with the IR as it is now. */
  problems: number;
}

export function runBlocker({ saved, dirty, problems }: RunReadiness): string | undefined {
  if (saved && !dirty) {
    return saved.draft
      ? `Version ${saved.number} is a draft: it was saved with problems and cannot run. Fix the problems (see Problems) and save, then run.`
      : undefined;
  }
  if (problems > 0) {
    return `The pipeline has ${problems} problem${problems === 1 ? '' : 's'} (see Problems): it would be saved as a draft, which cannot run. Fix ${problems === 1 ? 'it' : 'them'} first.`;
  }
  return undefined;
}
