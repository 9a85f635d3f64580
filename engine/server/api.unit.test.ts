/** Pieces of the API server that need no stack: tar archives, previews, tokens, loopback, problems. */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRecord } from '../stores/metadata/MetadataStore';
import { hashTokenSecret, parseApiToken } from './auth';
import { jsonPointer, redactedUrl } from './problem';
import { checkReply, ContractViolation, implement } from './routing';
import { parseCsv, previewArtifact } from './preview';
import { isLoopbackHost } from './server';
import { tarDirectory } from './tar';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-api-unit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const artifact = (over: Partial<ArtifactRecord>): ArtifactRecord => ({
  id: 'a',
  type: 'Dataset',
  name: 'task.data',
  uri: 'file:///x',
  sha256: '0'.repeat(64),
  size: 0,
  properties: {},
  createdAt: new Date(),
  ...over,
});

describe('tarDirectory', () => {
  it('writes an archive that tar reads back, long paths (pax) and empty files included', async () => {
    const root = path.join(dir, 'model');
    const deep = path.join(root, 'a'.repeat(80), 'b'.repeat(80));
    await mkdir(deep, { recursive: true });
    const longName = `${'c'.repeat(120)}.bin`; // longer than ustar's 100-byte name field
    await writeFile(path.join(deep, longName), Buffer.alloc(1000, 7));
    await writeFile(path.join(root, 'empty'), '');
    await writeFile(path.join(root, 'ünï.txt'), 'héllo');

    const chunks: Buffer[] = [];
    for await (const c of tarDirectory(root, 'model')) chunks.push(c);
    const archive = Buffer.concat(chunks);
    expect(archive.length % 512).toBe(0);
    const file = path.join(dir, 'model.tar');
    await writeFile(file, archive);
    const out = path.join(dir, 'out');
    await mkdir(out);
    execFileSync('tar', ['-xf', file, '-C', out]);
    expect(await readFile(path.join(out, 'model', 'a'.repeat(80), 'b'.repeat(80), longName))).toEqual(Buffer.alloc(1000, 7));
    expect(await readFile(path.join(out, 'model', 'empty'), 'utf8')).toBe('');
    expect(await readFile(path.join(out, 'model', 'ünï.txt'), 'utf8')).toBe('héllo');
  });
});

describe('previewArtifact', () => {
  const write = async (name: string, content: string): Promise<string> => {
    const p = path.join(dir, name);
    await writeFile(p, content);
    return p;
  };

  it("reads Sluice's Dataset format as a table, with its column types and target", async () => {
    const p = await write('ds.json', JSON.stringify({ columns: [{ name: 'x', type: 'number' }, { name: 'y', type: 'string' }], rows: [[1, 'a'], [2, 'b'], [3, 'c']], target: 'y' }));
    expect(await previewArtifact(artifact({}), p, 2)).toEqual({
      kind: 'table',
      format: 'dataset',
      columns: ['x', 'y'],
      columnTypes: ['number', 'string'],
      target: 'y',
      rows: [[1, 'a'], [2, 'b']],
      totalRows: 3,
      truncated: true,
    });
  });

  it('reads CSV with quotes, numbers and CRLF, from the head of a large file', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i},"name, ${i}","say ""hi"""`).join('\r\n');
    const p = await write('big.csv', `id,name,quote\r\n${rows}\r\n`);
    const preview = await previewArtifact(artifact({ name: 'big.csv' }), p, 2);
    expect(preview).toEqual({ kind: 'table', format: 'csv', columns: ['id', 'name', 'quote'], rows: [[0, 'name, 0', 'say "hi"'], [1, 'name, 1', 'say "hi"']], totalRows: null, truncated: true });
    expect(parseCsv('a,b\n1,', 10)).toEqual([['a', 'b'], ['1', '']]);
  });

  it('gives text, small JSON, and says why there is no preview of binary content', async () => {
    expect(await previewArtifact(artifact({ type: 'HTML' }), await write('p.html', '<p>hi</p>'), 5)).toEqual({ kind: 'text', mediaType: 'text/html', text: '<p>hi</p>', truncated: false });
    expect(await previewArtifact(artifact({ type: 'Metrics' }), await write('m.json', '{"accuracy":0.9}'), 5)).toEqual({ kind: 'json', value: { accuracy: 0.9 } });
    expect(await previewArtifact(artifact({ type: 'Artifact' }), await write('log.txt', 'line one\nline two'), 5)).toMatchObject({ kind: 'text', mediaType: 'text/plain' });
    const bin = path.join(dir, 'w.bin');
    await writeFile(bin, Buffer.from([0, 1, 2, 3]));
    expect(await previewArtifact(artifact({ type: 'Model' }), bin, 5)).toMatchObject({ kind: 'none', reason: expect.stringContaining('binary') as unknown });
  });
});

describe('tokens, addresses and pointers', () => {
  it('parses only well-formed tokens and hashes secrets with sha256', () => {
    const secret = 'A'.repeat(43);
    expect(parseApiToken(`sluice_0123456789ab_${secret}`)).toEqual({ id: '0123456789ab', secret });
    for (const bad of ['', 'sluice_', 'sluice_0123456789ab', `sluice_0123456789aB_${secret}`, `sluice_0123456789ab_${secret}x`, `x${secret}`]) {
      expect(parseApiToken(bad)).toBeUndefined();
    }
    expect(hashTokenSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('tells loopback addresses from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1', 'LOCALHOST']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '', '10.0.0.1', '128.0.0.1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('escapes JSON Pointer segments', () => {
    expect(jsonPointer(['body', 'spec', 'dag', 'tasks', 'a/b', 'm~n', 0])).toBe('/body/spec/dag/tasks/a~1b/m~0n/0');
  });
});

describe('redactedUrl', () => {
  it('masks access tokens in query strings before URLs reach logs or problem documents', () => {
    expect(redactedUrl('/api/artifacts/a/content?access_token=sluice_x_secret')).toBe('/api/artifacts/a/content?access_token=[redacted]');
    expect(redactedUrl('/api/runs/events?status=running&access_token=s3cret&x=1')).toBe('/api/runs/events?status=running&access_token=[redacted]&x=1');
    expect(redactedUrl('/api/runs?pipeline=iris')).toBe('/api/runs?pipeline=iris');
  });

  // Issue 11 #5: `access%5Ftoken` authenticated and was logged in clear.
  it('masks every spelling of the key that decodes to access_token, and near spellings', () => {
    for (const key of ['access%5Ftoken', 'access%5ftoken', '%61ccess_token', 'access_token%00', 'ACCESS_TOKEN', 'access_token[]', 'access_token%5B0%5D', 'access+token', 'access_token ']) {
      expect(redactedUrl(`/api/runs/events?x=1&${key}=s3cret&y=2`), key).toBe(`/api/runs/events?x=1&${key}=[redacted]&y=2`);
    }
    expect(redactedUrl('/api/runs/events?access_token=a&access_token=b')).toBe('/api/runs/events?access_token=[redacted]&access_token=[redacted]');
    expect(redactedUrl('/api/runs/events?access_token=%ZZ&a=%E0%A4%A')).toBe('/api/runs/events?access_token=[redacted]&a=%E0%A4%A');
    expect(redactedUrl('/api/runs?my_access_token_count=1')).toBe('/api/runs?my_access_token_count=1');
  });
});

describe('checkReply: replies against the contract (on in tests: SLUICE_API_CHECK_RESPONSES=1)', () => {
  const run = { id: 'r', pipelineVersionId: 'v', pipelineName: 'p', status: 'running', params: {}, trigger: { kind: 'api' }, workflowId: 'w', failedTask: null, error: null, outputs: null, createdAt: new Date(), startedAt: null, finishedAt: null };
  const route = implement('getRun', { handler: async () => undefined });

  it('is on in every test, so each API test checks what it is answered', () => {
    expect(process.env.SLUICE_API_CHECK_RESPONSES).toBe('1');
  });

  it('accepts store records (Dates are instants) and refuses a reply the contract does not describe, naming the field', () => {
    const live = (fit: unknown) => ({ runId: 'r', pipeline: 'p', state: 'running', tasks: { fit } });
    expect(() => checkReply(route, 200, { run, executions: [], artifacts: [], tags: {}, note: null, experiment: null, live: live({ state: 'waiting', waitingFor: { resourceClass: 'gpu', reason: 'no gpu worker' } }) })).not.toThrow();
    expect(() => checkReply(route, 200, { run, executions: [], artifacts: [], tags: {}, note: null, experiment: null, live: live({ state: 'waiting', waitingFor: 'no gpu worker' }) })).toThrow(/live\.tasks\.fit\.waitingFor/);
    expect(() => checkReply(route, 200, { run: { ...run, outputs: undefined }, executions: [], artifacts: [], tags: {}, note: null, experiment: null, live: null })).toThrow(ContractViolation);
    expect(() => checkReply(route, 201, { run })).toThrow(/getRun answered 201, which its contract/);
  });
});
