/**
 * DATABASE_URL that cannot be used: the error says what was wrong and what to do, told apart by the
 * driver's error code — or, for a server that accepts the connection and never answers (pg gives
 * that no code), by the connect timeout having run out.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { openMetadataStore } from './openMetadataStore';

const sockets: net.Socket[] = [];
const silent = net.createServer((socket) => void sockets.push(socket));
afterAll(async () => {
  sockets.forEach((s) => s.destroy());
  await new Promise((r) => silent.close(r));
});

describe('opening PostgreSQL from DATABASE_URL', () => {
  it('a server that never answers: the advice names the timeout', { timeout: 60_000 }, async () => {
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    const error = await openMetadataStore({ databaseUrl: `postgres://u:secret@127.0.0.1:${port}/db` }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'connection' });
    expect((error as Error).message).toContain(`No answer from 127.0.0.1:${port} within 10 s`);
    expect((error as Error).message).not.toContain('secret');
  });

  it('nothing listening: the advice says so', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const error = await openMetadataStore({ databaseUrl: `postgres://u@127.0.0.1:${port}/db` }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`Nothing accepts connections on 127.0.0.1:${port}`);
  });
});
