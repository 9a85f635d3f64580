/** Reading a pipeline IR file the user picked (the output of `sluice compile`), with the one validator. */
import { formatIssue, validatePipeline, type PipelineSpec, type ValidationIssue } from 'sluice/ir';

export type OpenedFile = { ok: true; spec: PipelineSpec; issues: ValidationIssue[] } | { ok: false; error: string };

export function parseIrFile(text: string, fileName: string): OpenedFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${fileName} is not JSON (${(e as Error).message}); pick the output of \`sluice compile <pipeline.ts> > pipeline.json\`` };
  }
  const r = validatePipeline(json);
  if (r.ok) return { ok: true, spec: r.spec, issues: [] };
  // The IR's shape is right but some rule fails: open it, the Problems tab lists what to fix.
  if (r.spec) return { ok: true, spec: r.spec, issues: r.issues };
  const shown = r.issues.slice(0, 3).map(formatIssue).join('; ');
  return { ok: false, error: `${fileName} is not a pipeline IR: ${shown}${r.issues.length > 3 ? ` (and ${r.issues.length - 3} more)` : ''}` };
}

/**
 * Reads and parses the IR file picked in an `<input type="file">`, and clears the input so that
 * picking the same file again fires another change. `onOpened` gets the parse result and the
 * file's text; `onUnreadable` a message when the browser cannot read the file.
 */
export function openPickedIrFile(
  input: HTMLInputElement,
  onOpened: (opened: OpenedFile, text: string, fileName: string) => void,
  onUnreadable: (message: string) => void,
): void {
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  file.text().then(
    (text) => onOpened(parseIrFile(text, file.name), text, file.name),
    (err: unknown) => onUnreadable(`Cannot read ${file.name}: ${(err as Error).message}`),
  );
}
