/** Reading a pipeline IR file the user picked (the output of `sluice compile`), with the one validator. */
import { formatIssue, validatePipeline, type PipelineSpec, type ValidationIssue } from 'sluice/dsl';

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

export function readFileText(file: File): Promise<string> {
  return file.text();
}
