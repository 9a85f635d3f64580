/**
 * Schemathesis (from PyPI, in a virtualenv that scripts/ensure-schemathesis.sh creates) against the
 * live API: every operation of /api/openapi.json except the endless event streams, with a fixed
 * seed and a bounded number of examples, checking that nothing answers 5xx, that every answer's
 * status is one the document declares, and that every body matches its declared schema. The
 * event streams are checked separately below (their answers never end, which Schemathesis cannot
 * consume). SCHEMATHESIS_EXAMPLES and SCHEMATHESIS_SEED widen or vary the run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../engine/paths';
import type { RunningApiServer } from '../../engine/server/index';
import * as controlFlow from '../fixtures/controlFlow';
import * as diamond from '../fixtures/diamond';
import { startTestApi } from '../support/apiServer';
import { startTestStack, type TestStack } from '../support/stackHarness';

const EXAMPLES = Number(process.env.SCHEMATHESIS_EXAMPLES ?? 15);
const SEED = Number(process.env.SCHEMATHESIS_SEED ?? 20261204);

function schemathesis(): string {
  return execFileSync('bash', [path.join(projectRoot, 'scripts', 'ensure-schemathesis.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

describe('the published OpenAPI document, fuzzed by Schemathesis', () => {
  let ts: TestStack;
  let server: RunningApiServer;
  let st: string;
  let reports: string;
  beforeAll(async () => {
    st = schemathesis();
    reports = await mkdtemp(path.join(os.tmpdir(), 'sluice-schemathesis-'));
    ts = await startTestStack('pglite', [controlFlow, diamond]);
    server = await startTestApi(ts);
    // Something to read: a finished run with executions, artifacts and logs.
    await ts.run(diamond.default);
  });
  afterAll(async () => {
    await server?.close();
    await ts?.stop();
    if (reports) await rm(reports, { recursive: true, force: true });
  });

  it('finds no server error, undeclared status or off-schema body in any operation', async () => {
    const junit = path.join(reports, 'junit.xml');
    const r = await run(st, [
      'run',
      `${server.url}/api/openapi.json`,
      '--checks',
      'not_a_server_error,response_schema_conformance,status_code_conformance',
      '--exclude-path-regex',
      '/events$',
      '--max-examples',
      String(EXAMPLES),
      '--seed',
      String(SEED),
      '--workers',
      '1',
      '--phases',
      'examples,coverage,fuzzing',
      '--generation-database',
      'none',
      '--request-timeout',
      '30',
      '--no-color',
      '--report',
      'junit',
      '--report-junit-path',
      junit,
    ]);
    // The failures section (each with a curl line to reproduce it), not the progress lines.
    const at = r.output.search(/^=+ FAILURES =+$/m);
    const summary = (at >= 0 ? r.output.slice(at) : r.output).slice(0, 20_000);
    expect(r.code, `Schemathesis (seed ${SEED}, ${EXAMPLES} examples per operation) found problems:\n${summary}`).toBe(0);
    const xml = await readFile(junit, 'utf8');
    const tests = Number(/tests="(\d+)"/.exec(xml)?.[1] ?? 0);
    expect(tests, 'Schemathesis tested no operation').toBeGreaterThan(20);
  });

  it('serves the event streams it leaves out as text/event-stream, and a 404 problem for an unknown run', async () => {
    const [run] = await ts.stack.metadata.listRuns();
    if (!run) throw new Error('no run');
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/runs/${run.id}/events`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    controller.abort();
    const missing = await fetch(`${server.url}/api/runs/nosuchrun000/events`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
