/** IR → TypeScript with dsl/codegen's `generatePipelineSource` (the code `compile()` turns back into this IR). */
import type { PipelineSpec } from 'sluice/ir';
import { generatePipelineSource } from 'sluice/codegen';

export function pipelineSource(spec: PipelineSpec): { ok: true; source: string } | { ok: false; error: string } {
  try {
    return { ok: true, source: generatePipelineSource(spec, { header: `Pipeline "${spec.name}", exported from the Sluice editor.` }) };
  } catch (e) {
    // CodegenError names the task or component and what to change; invalid IR lists its problems.
    return { ok: false, error: (e as Error).message };
  }
}

/** Saves text as a file through a temporary link (no server round trip). */
export function downloadText(fileName: string, text: string, type = 'text/typescript'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
