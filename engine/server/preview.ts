/**
 * Artifact previews for the editor: the first rows of a dataset (Sluice's JSON Dataset format, a
 * JSON array of records or rows, or CSV), the text of Markdown/HTML/small text files, a small JSON
 * value, or a directory's file list. Only the head of a large file is read, except JSON (which must
 * be parsed whole, so it is previewed only up to a size bound).
 */
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactPreview } from '../contract/index';
import type { ArtifactRecord, Json } from '../stores/metadata/index';

const TEXT_LIMIT = 256 * 1024;
const JSON_PARSE_LIMIT = 20 * 1024 * 1024;
const SMALL_JSON_LIMIT = 256 * 1024;
const CSV_HEAD_LIMIT = 4 * 1024 * 1024;
const DIRECTORY_LIMIT = 500;

/** A preview, as the contract describes it (engine/contract/records.ts: artifactPreviewSchema). */
export type Preview = ArtifactPreview;

async function readHead(file: string, max: number): Promise<{ bytes: Buffer; complete: boolean }> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const length = Math.min(size, max);
    const bytes = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(bytes, read, length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return { bytes: bytes.subarray(0, read), complete: read >= size };
  } finally {
    await handle.close();
  }
}

const looksBinary = (bytes: Buffer): boolean => bytes.subarray(0, 8192).includes(0);

/** Decodes UTF-8, dropping a character cut in half at the end of a head. */
function utf8(bytes: Buffer, complete: boolean): string {
  const text = bytes.toString('utf8');
  return complete ? text : text.replace(/\uFFFD+$/, '');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function tableFromJson(value: unknown, rows: number): Preview | undefined {
  // Sluice's Dataset format: { columns: [{ name, type }], rows: [[…]], target? }.
  if (isRecord(value) && Array.isArray(value.columns) && Array.isArray(value.rows)) {
    const columns = value.columns.map((c, i) => (isRecord(c) && typeof c.name === 'string' ? c.name : `column${i + 1}`));
    const all = value.rows.filter(Array.isArray) as Json[][];
    const columnTypes = value.columns.map((c) => (isRecord(c) && typeof c.type === 'string' ? c.type : 'unknown'));
    return {
      kind: 'table',
      format: 'dataset',
      columns,
      rows: all.slice(0, rows),
      totalRows: all.length,
      truncated: all.length > rows,
      columnTypes,
      ...(typeof value.target === 'string' ? { target: value.target } : {}),
    };
  }
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
    const head = value.slice(0, rows) as Record<string, Json>[];
    const columns = [...new Set(head.flatMap((r) => Object.keys(r)))];
    return {
      kind: 'table',
      format: 'json-records',
      columns,
      rows: head.map((r) => columns.map((c) => r[c] ?? null)),
      totalRows: value.length,
      truncated: value.length > rows,
    };
  }
  if (Array.isArray(value) && value.length > 0 && value.every(Array.isArray)) {
    const head = value.slice(0, rows) as Json[][];
    const width = Math.max(...head.map((r) => r.length));
    return {
      kind: 'table',
      format: 'json-rows',
      columns: Array.from({ length: width }, (_, i) => `column${i + 1}`),
      rows: head,
      totalRows: value.length,
      truncated: value.length > rows,
    };
  }
  return undefined;
}

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF); numbers become numbers. */
export function parseCsv(text: string, maxRecords: number): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length && records.length < maxRecords; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if ((field !== '' || record.length) && records.length < maxRecords) records.push([...record, field]);
  return records;
}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function csvTable(text: string, complete: boolean, rows: number): Preview {
  // The last line of a head may be cut: drop it unless the file was read whole.
  const body = complete ? text : text.slice(0, Math.max(0, text.lastIndexOf('\n') + 1));
  const records = parseCsv(body, rows + 2);
  const [head = [], ...rest] = records;
  const data = rest.slice(0, rows).map((r) => r.map((cell): Json => (NUMBER.test(cell) ? Number(cell) : cell)));
  return { kind: 'table', format: 'csv', columns: head, rows: data, totalRows: null, truncated: rest.length > rows || !complete };
}

const looksCsv = (artifact: ArtifactRecord, firstLine: string): boolean =>
  /\.csv$/i.test(artifact.name) || artifact.properties.format === 'csv' || (firstLine.includes(',') && !/^\s*[[{]/.test(firstLine));

export async function previewArtifact(artifact: ArtifactRecord, localPath: string, rows: number): Promise<Preview> {
  const info = await stat(localPath);
  if (info.isDirectory()) {
    const files: { path: string; size: number }[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (files.length > DIRECTORY_LIMIT) return;
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path.join(dir, e.name), p);
        else files.push({ path: p, size: (await stat(path.join(dir, e.name))).size });
      }
    };
    await walk(localPath, '');
    return { kind: 'directory', files: files.slice(0, DIRECTORY_LIMIT), truncated: files.length > DIRECTORY_LIMIT };
  }

  if (artifact.type === 'Markdown' || artifact.type === 'HTML') {
    const { bytes, complete } = await readHead(localPath, TEXT_LIMIT);
    return { kind: 'text', mediaType: artifact.type === 'HTML' ? 'text/html' : 'text/markdown', text: utf8(bytes, complete), truncated: !complete };
  }

  const { bytes, complete } = await readHead(localPath, Math.max(CSV_HEAD_LIMIT, TEXT_LIMIT));
  if (looksBinary(bytes)) return { kind: 'none', reason: `binary content (${info.size} bytes): download it from /content` };
  const text = utf8(bytes, complete);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (info.size <= JSON_PARSE_LIMIT) {
      const whole = complete ? text : utf8((await readHead(localPath, JSON_PARSE_LIMIT)).bytes, true);
      let value: unknown;
      try {
        value = JSON.parse(whole);
      } catch {
        value = undefined;
      }
      if (value !== undefined) {
        const table = tableFromJson(value, rows);
        if (table) return table;
        if (info.size <= SMALL_JSON_LIMIT) return { kind: 'json', value: value as Json };
        return { kind: 'none', reason: `a JSON document of ${info.size} bytes that is not a table: download it from /content` };
      }
    } else {
      return { kind: 'none', reason: `JSON of ${info.size} bytes is too large to preview (limit ${JSON_PARSE_LIMIT}): download it from /content` };
    }
  }
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  if (looksCsv(artifact, firstLine)) return csvTable(text, complete, rows);
  const shown = text.slice(0, TEXT_LIMIT);
  return { kind: 'text', mediaType: 'text/plain', text: shown, truncated: !complete || shown.length < text.length };
}
