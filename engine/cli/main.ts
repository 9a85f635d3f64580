/**
 * The `sluice` command line. Every command prints a readable result (or JSON with --json); bad
 * input is one clear message on stderr and exit status 1, a server that cannot be reached or stops
 * answering exit status 3 (CliError.ts maps error codes to statuses and advice), never a stack
 * trace unless SLUICE_DEBUG is set. Where each command acts — a server's API or this process — is
 * decided in target.ts.
 *
 * Start-up is kept short (bench/cliStartup.ts): each top-level command lives in a module of its own
 * under commands/, imported only when it is the command being run (all of them for help or an
 * unknown command), so `sluice --version` loads commander alone and `sluice run` against a served
 * stack neither the Temporal worker, the database nor the HTTP server.
 */
import { Command, Option } from 'commander';
import { adviceFor, CliError, EXIT_FAILED, exitCodeOf } from './CliError';
import { LOG_FORMATS } from '../logFormats';
import { sluiceVersion } from '../paths';

type Register = (program: Command) => void;

/** Each top-level command → the registrations that define it (and its subcommands). */
const COMMANDS: Record<string, () => Promise<Register[]>> = {
  init: async () => [(await import('./commands/init')).registerInitCommand],
  compile: async () => [(await import('./commands/compile')).registerCompileCommand],
  run: async () => [(await import('./commands/run')).registerRunCommand],
  runs: async () => [(await import('./commands/runs')).registerRunsCommands],
  lineage: async () => [(await import('./commands/lineage')).registerLineageCommand],
  logs: async () => [(await import('./commands/logs')).registerLogsCommand],
  schedules: async () => [(await import('./commands/schedules')).registerScheduleCommands],
  dev: async () => [(await import('./commands/dev')).registerDevCommands],
  serve: async () => [(await import('./commands/dev')).registerDevCommands],
  triggers: async () => [(await import('./commands/triggers')).registerTriggerCommands],
  worker: async () => [(await import('./commands/worker')).registerWorkerCommand],
  migrate: async () => [(await import('./commands/migrate')).registerMigrateCommand],
  workers: async () => [(await import('./commands/workers')).registerWorkersCommand],
  tokens: async () => [(await import('./commands/tokens')).registerTokenCommands],
  models: async () => [(await import('./commands/models')).registerModelCommands],
  rollout: async () => [(await import('./commands/rollout')).registerRolloutCommands],
  'model-server': async () => [(await import('./commands/modelServer')).registerModelServerCommand],
  'export-ts': async () => [(await import('./commands/exportTs')).registerExportTsCommand],
  experiments: async () => [(await import('./commands/experiments')).registerExperimentCommands],
  pipelines: async () => [(await import('./commands/pipelineDiff')).registerPipelineCommands],
  tune: async () => [(await import('./commands/tune')).registerTuneCommands],
};

/** The order commands are listed in by `sluice --help`. */
const HELP_ORDER = ['init', 'compile', 'run', 'runs', 'lineage', 'logs', 'schedules', 'dev', 'triggers', 'worker', 'migrate', 'workers', 'tokens', 'models', 'rollout', 'model-server', 'export-ts', 'experiments', 'pipelines', 'tune'];

const program = new Command()
  .name('sluice')
  .description('Typed ML pipelines on Temporal: compile, run and trace them.')
  .version(sluiceVersion())
  .addOption(new Option('--log-format <format>', 'logs as readable lines or pino JSON lines (default: pretty on a terminal, json otherwise; SLUICE_LOG_FORMAT)').choices(LOG_FORMATS))
  .showHelpAfterError()
  // Through the environment, so the loggers of this process and of the processes it starts agree.
  .hook('preAction', (cmd) => {
    const { logFormat } = cmd.opts<{ logFormat?: string }>();
    if (logFormat) process.env.SLUICE_LOG_FORMAT = logFormat;
  });

/** The command the arguments name: the first one that is not an option or an option's value. */
function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--log-format') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

async function registerCommands(argv: readonly string[]): Promise<void> {
  if (argv.includes('--version') || argv.includes('-V')) return;
  const name = commandName(argv);
  const loaders = name && Object.hasOwn(COMMANDS, name) ? [COMMANDS[name] as () => Promise<Register[]>] : HELP_ORDER.map((n) => COMMANDS[n] as () => Promise<Register[]>);
  const registered = new Set<Register>();
  for (const registers of await Promise.all(loaders.map((load) => load()))) {
    for (const register of registers) {
      if (registered.has(register)) continue;
      registered.add(register);
      register(program);
    }
  }
}

/** One message (and advice) on stderr, the exit status from the error's code; a stack only with SLUICE_DEBUG. */
async function reportError(e: unknown): Promise<void> {
  const debug = Boolean(process.env.SLUICE_DEBUG);
  // Loaded on failure only: the DSL's error classes bring its schemas (zod), which `--version` does not need.
  const { PipelineValidationError, SluiceError } = await import('../../dsl/errors');
  if (e instanceof PipelineValidationError) {
    process.stderr.write(`error: invalid pipeline (${e.issues.length} problem${e.issues.length === 1 ? '' : 's'})\n`);
    const { formatIssue } = await import('../../dsl/ir/index');
    for (const issue of e.issues) process.stderr.write(`  - ${formatIssue(issue)}\n`);
  } else if (e instanceof CliError) {
    process.stderr.write(`error: ${e.message}\n`);
    const advice = adviceFor(e);
    if (advice) process.stderr.write(`  ${advice}\n`);
  } else if (e instanceof SluiceError || (e instanceof Error && /Error$/.test(e.name) && e.name !== 'Error' && e.name !== 'TypeError')) {
    // Errors of the engine's own classes (named after their condition) carry a message meant for people.
    process.stderr.write(`error: ${(e as Error).message}\n`);
  } else {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (!debug) process.stderr.write('(set SLUICE_DEBUG=1 to see the stack trace)\n');
  }
  if (debug && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  process.exitCode = e instanceof CliError ? exitCodeOf(e) : EXIT_FAILED;
}

// A promise nobody awaited must not print Node's stack trace either.
process.on('unhandledRejection', (e) => {
  void reportError(e).finally(() => process.exit(process.exitCode));
});

try {
  await registerCommands(process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (e) {
  await reportError(e);
}
