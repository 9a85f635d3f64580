/**
 * A streaming tar writer (POSIX ustar, with pax headers for long paths and large files), for
 * downloading directory artifacts (a TensorFlow.js model is a directory) without building the archive
 * in memory or on disk. Regular files and directories only: the artifact store holds nothing else.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777; // 11 octal digits

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(fields: { name: string; prefix?: string; mode: number; size: number; mtime: number; type: '0' | '5' | 'x' }): Buffer {
  const b = Buffer.alloc(BLOCK, 0);
  b.write(fields.name, 0, 100, 'utf8');
  b.write(octal(fields.mode, 8), 100, 'ascii');
  b.write(octal(0, 8), 108, 'ascii');
  b.write(octal(0, 8), 116, 'ascii');
  b.write(octal(Math.min(fields.size, MAX_OCTAL_SIZE), 12), 124, 'ascii');
  b.write(octal(Math.floor(fields.mtime), 12), 136, 'ascii');
  b.write('        ', 148, 'ascii'); // checksum counts as spaces while summing
  b.write(fields.type, 156, 'ascii');
  b.write('ustar\u000000', 257, 'ascii');
  b.write('sluice', 265, 'ascii');
  b.write('sluice', 297, 'ascii');
  if (fields.prefix) b.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return b;
}

/** A pax extended-header record: "<len> key=value\n", where len counts the whole record. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);

/** ustar's name/prefix split, or undefined when the path does not fit (then pax carries it). */
function splitName(p: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(p) <= 100) return { name: p, prefix: '' };
  for (let i = p.indexOf('/'); i !== -1; i = p.indexOf('/', i + 1)) {
    const prefix = p.slice(0, i);
    const name = p.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return { name, prefix };
  }
  return undefined;
}

function* entryHeaders(entryPath: string, type: '0' | '5', size: number, mtime: number, mode: number): Generator<Buffer> {
  const split = splitName(entryPath);
  const pax = (split ? '' : paxRecord('path', entryPath)) + (size > MAX_OCTAL_SIZE ? paxRecord('size', String(size)) : '');
  if (pax) {
    const data = Buffer.from(pax, 'utf8');
    yield header({ name: 'PaxHeader', mode: 0o644, size: data.length, mtime, type: 'x' });
    yield data;
    yield padding(data.length);
  }
  const fallback = Buffer.from(entryPath, 'utf8').subarray(0, 100).toString('utf8');
  yield header({ name: split?.name ?? fallback, prefix: split?.prefix ?? '', mode, size: type === '5' ? 0 : size, mtime, type });
}

/** The archive of directory `root`, its entries under `top/`, as a stream of chunks. */
export async function* tarDirectory(root: string, top: string): AsyncGenerator<Buffer> {
  const walk = async function* (dir: string, rel: string): AsyncGenerator<Buffer> {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      const entryPath = `${rel}/${e.name}`;
      const info = await stat(abs);
      const mtime = info.mtimeMs / 1000;
      if (e.isDirectory()) {
        yield* entryHeaders(`${entryPath}/`, '5', 0, mtime, 0o755);
        yield* walk(abs, entryPath);
      } else if (e.isFile()) {
        yield* entryHeaders(entryPath, '0', info.size, mtime, 0o644);
        for await (const chunk of createReadStream(abs)) yield chunk as Buffer;
        yield padding(info.size);
      }
    }
  };
  const info = await stat(root);
  yield* entryHeaders(`${top}/`, '5', 0, info.mtimeMs / 1000, 0o755);
  yield* walk(root, top);
  yield Buffer.alloc(BLOCK * 2, 0);
}
