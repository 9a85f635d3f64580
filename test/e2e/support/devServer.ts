/**
 * `sluice dev` as a user starts it, for the browser tests: a child process with a state directory of
 * its own, on a free port, serving the API and the built editor (editor/dist) on one URL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startCli, waitForOutput, type CliProcess } from '../../support/cliProcess';

export interface DevServer {
  url: string;
  cli: CliProcess;
  home: string;
  stop(): Promise<void>;
}

export async function startDevServer(...args: string[]): Promise<DevServer> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'sluice-e2e-'));
  const cli = startCli(home, 'dev', '--port', '0', ...args);
  let url: string;
  try {
    url = (await waitForOutput(cli.out, /Sluice is up: (http:\/\/\S+)/, 180_000))[1] ?? '';
    // With --run, the run's line ("watch it: <url>") comes a little later (the model server starts
    // in between): tests read the run from it.
    if (args.includes('--run')) await waitForOutput(cli.out, /watch it: http:\/\/\S+#\/runs\/\S+/, 180_000);
  } catch (e) {
    cli.child.kill('SIGKILL');
    throw e;
  }
  return {
    url,
    cli,
    home,
    async stop() {
      if (cli.child.exitCode === null) {
        cli.child.kill('SIGINT');
        const killer = setTimeout(() => cli.child.kill('SIGKILL'), 20_000);
        await cli.closed;
        clearTimeout(killer);
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}
