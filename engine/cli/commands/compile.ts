/** `sluice compile`: a pipeline module or IR file → validated IR on stdout or in a file. */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadPipeline } from '../loadPipeline';

export function registerCompileCommand(program: Command): void {
  program
    .command('compile')
    .description('compile a pipeline (.ts) or check an IR file (.json), printing the IR')
    .argument('<file>', 'pipeline module (.ts/.js) or IR (.json)')
    .option('-o, --output <file>', 'write the IR to this file instead of stdout')
    .option('--pipeline <name>', 'which pipeline, when the module exports several')
    .action(async (file: string, opts: { output?: string; pipeline?: string }) => {
      const loaded = await loadPipeline(file, opts);
      const json = `${JSON.stringify(loaded.spec, null, 2)}\n`;
      if (opts.output) {
        await writeFile(opts.output, json);
        process.stderr.write(`wrote ${opts.output} (pipeline "${loaded.spec.name}", ${Object.keys(loaded.spec.dag.tasks).length} tasks${loaded.digest ? `, digest ${loaded.digest.slice(0, 12)}` : ''})\n`);
      } else {
        process.stdout.write(json);
      }
    });
}
