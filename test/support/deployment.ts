/**
 * What the deployment tests (test/compose/compose.test.ts, test/deploy/kubernetes.test.ts) check
 * alike: image pins, Sluice command lines parsed by the CLI's own definitions, and settings that
 * the code reads and docs/OPERATIONS.md documents.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { registerDevCommands } from '../../engine/cli/commands/dev';
import { registerMigrateCommand } from '../../engine/cli/commands/migrate';
import { registerModelServerCommand } from '../../engine/cli/commands/modelServer';
import { registerWorkerCommand } from '../../engine/cli/commands/worker';
import { projectRoot } from '../../engine/paths';

/**
 * Why an image reference is not pinned (undefined when it is): no tag, or a moving tag such as
 * `latest`. A digest pins it whatever the tag.
 */
export function imagePinProblem(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const tag = last.includes(':') ? last.slice(last.indexOf(':') + 1) : undefined;
  if (tag === undefined || tag === '') return `image "${image}" has no tag: pin a version`;
  if (tag === 'latest' || /^(stable|edge|nightly|main|master)$/.test(tag)) return `image "${image}" uses the moving tag "${tag}": pin a version`;
  return undefined;
}

/** The subcommands a deployment runs, registered as `engine/cli/main.ts` registers them. */
const DEPLOYED_COMMANDS = ['worker', 'serve', 'migrate', 'model-server'] as const;
export type DeployedCommand = (typeof DEPLOYED_COMMANDS)[number];

export interface ParsedSluiceCommand {
  command: DeployedCommand;
  /** The options as commander parsed them (defaults applied). */
  opts: Record<string, unknown>;
}

/**
 * Parses `node bin/sluice.js <command> …` with the CLI's own definition of the command (unknown
 * options, stray operands and bad choices are refused, as the real CLI would). Throws an Error
 * saying what is wrong.
 */
export function parseSluiceCommand(argv: readonly string[]): ParsedSluiceCommand {
  if (argv[0] !== 'node' || argv[1] !== 'bin/sluice.js') throw new Error(`"${argv.join(' ')}" does not run the CLI the images ship (node bin/sluice.js …)`);
  const name = argv[2];
  if (!(DEPLOYED_COMMANDS as readonly string[]).includes(name ?? '')) throw new Error(`"${argv.join(' ')}": "${name}" is not one of ${DEPLOYED_COMMANDS.join(', ')}`);
  const program = new Command().exitOverride();
  registerWorkerCommand(program);
  registerDevCommands(program);
  registerMigrateCommand(program);
  registerModelServerCommand(program);
  const command = program.commands.find((c) => c.name() === name);
  if (!command) throw new Error(`the CLI has no ${name} command`);
  command.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  const { operands, unknown } = command.parseOptions(argv.slice(3));
  if (operands.length > 0 || unknown.length > 0) throw new Error(`"${argv.join(' ')}": sluice ${name} does not take ${[...operands, ...unknown].join(' ')}`);
  return { command: name as DeployedCommand, opts: command.opts() };
}

/** The Node sources of the processes a deployment runs (not tests, not the browser editor). */
function sourceText(): string {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'migrations') walk(p);
      } else if (/\.ts$/.test(entry.name) && !/\.test\.ts$|\.contract\.ts$/.test(entry.name)) {
        texts.push(readFileSync(p, 'utf8'));
      }
    }
  };
  for (const dir of ['engine', 'workers', 'components']) walk(path.join(projectRoot, dir));
  return texts.join('\n');
}
let sources: string | undefined;

/**
 * Whether the code reads environment variable `name`: `env.NAME`, `env['NAME']` or the name as a
 * string literal (helpers such as `value('SLUICE_S3_ENDPOINT')`).
 */
export function codeReadsVariable(name: string): boolean {
  sources ??= sourceText();
  const n = name.replace(/[^A-Z0-9_]/g, '');
  return n === name && new RegExp(`\\benv\\.${n}\\b|['"\`]${n}['"\`]`).test(sources);
}

/**
 * The settings docs/OPERATIONS.md documents for the Sluice processes: the variables named in the
 * first column of the table under "## Settings of the Sluice processes".
 */
export function documentedSettings(): Set<string> {
  const text = readFileSync(path.join(projectRoot, 'docs', 'OPERATIONS.md'), 'utf8');
  const start = text.indexOf('## Settings of the Sluice processes');
  if (start < 0) throw new Error('docs/OPERATIONS.md has no "## Settings of the Sluice processes" section');
  const names = new Set<string>();
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (line.startsWith('## ')) break;
    const first = /^\|([^|]*)\|/.exec(line)?.[1];
    for (const m of first?.matchAll(/`([A-Z][A-Z0-9_]*)`/g) ?? []) names.add(m[1] as string);
  }
  return names;
}

/** Why each variable in `names` is not a proper setting: not read by the code, or not documented. */
export function settingProblems(where: string, names: Iterable<string>): string[] {
  const documented = documentedSettings();
  const problems: string[] = [];
  for (const name of names) {
    if (!codeReadsVariable(name)) problems.push(`${where} sets ${name}, which no Sluice code reads`);
    if (!documented.has(name)) problems.push(`${where} sets ${name}, which docs/OPERATIONS.md ("Settings of the Sluice processes") does not document`);
  }
  return problems;
}
