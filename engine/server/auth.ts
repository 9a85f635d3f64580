/**
 * API tokens: `sluice_<id>_<secret>`. The id (12 random hex digits) is public and finds the row; the
 * secret (32 random bytes, base64url) is never stored, only its sha256, compared in constant time.
 * Roles: viewer (reads), editor (+ pipelines, submit/cancel/retry/approve, experiments),
 * admin (+ tokens). With auth off (allowed only on loopback, see server.ts) everyone is admin.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { Logger } from '../logging';
import type { ApiRole, ApiTokenRecord, MetadataStore } from '../stores/metadata/index';
import { ApiProblem, QUERY_TOKEN_KEY } from './problem';
import type { ApiRoute, Authenticate, Principal } from './routing';

export { API_ROLES } from '../contract/index';
const TOKEN_PATTERN = /^sluice_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
/** lastUsedAt is written at most this often per token (not on every request). */
const TOUCH_EVERY_MS = 60_000;

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function parseApiToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_PATTERN.exec(token);
  return m?.[1] && m[2] ? { id: m[1], secret: m[2] } : undefined;
}

/** Creates a token; the returned `token` text is the only copy of the secret. */
export async function createApiToken(
  metadata: MetadataStore,
  options: { name: string; role: ApiRole },
): Promise<{ record: ApiTokenRecord; token: string }> {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const record = await metadata.createApiToken({ id, name: options.name, role: options.role, secretHash: hashTokenSecret(secret) });
  return { record, token: `sluice_${id}_${secret}` };
}

/** Constant-time equality of two hex digests. */
function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Checks a token against the store; the principal it names, or a 401 problem. */
export async function verifyApiToken(metadata: MetadataStore, token: string): Promise<Principal> {
  const parsed = parseApiToken(token);
  const found = parsed ? await metadata.findApiToken(parsed.id) : undefined;
  // Hash even when the id is unknown, so timing does not tell which ids exist.
  const digest = hashTokenSecret(parsed?.secret ?? token);
  if (!parsed || !found || !sameDigest(digest, found.secretHash)) {
    throw unauthorized('the API token is not valid (check it was copied whole; `sluice tokens list` shows the tokens that exist)');
  }
  if (found.token.revokedAt) throw unauthorized(`the API token ${found.token.id} ("${found.token.name}") was revoked`);
  return { name: found.token.name, role: found.token.role, tokenId: found.token.id };
}

function unauthorized(detail: string): ApiProblem {
  return new ApiProblem('unauthorized', detail, {
    headers: { 'WWW-Authenticate': 'Bearer realm="sluice"' },
    errors: [{ path: '/headers/authorization', message: detail }],
  });
}

/** The request's token: `Authorization: Bearer …`, or `?access_token=` on event streams. */
function tokenOf(req: Request, route: Pick<ApiRoute, 'tokenInQuery'>): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) throw unauthorized('the Authorization header must read "Bearer <token>"');
    return m[1];
  }
  if (route.tokenInQuery) {
    // The URL parser's reading of the query: one key (`access_token`, however percent-encoded), given once.
    const search = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    const given = new URLSearchParams(search).getAll(QUERY_TOKEN_KEY);
    if (given.length > 1) throw unauthorized(`give the API token once: the query holds ${QUERY_TOKEN_KEY} ${given.length} times`);
    if (given[0]) return given[0];
  }
  return undefined;
}

export interface AuthOptions {
  /** Off: every request is admin. Only allowed while listening on loopback. */
  enabled: boolean;
}

export function tokenAuthenticator(metadata: MetadataStore, options: AuthOptions, logger: Logger): Authenticate {
  const touched = new Map<string, number>();
  return async (req, route) => {
    if (!options.enabled) return { name: 'local', role: 'admin' };
    const token = tokenOf(req, route);
    if (token === undefined) {
      throw unauthorized(
        'this server requires an API token: send "Authorization: Bearer <token>" (create one with `sluice tokens create --role viewer --name <name>`)',
      );
    }
    const principal = await verifyApiToken(metadata, token);
    const id = principal.tokenId ?? '';
    const now = Date.now();
    if (now - (touched.get(id) ?? 0) > TOUCH_EVERY_MS) {
      touched.set(id, now);
      metadata.touchApiToken(id).catch((err: unknown) => logger.warn({ err, tokenId: id }, 'could not record the last use of an API token'));
    }
    return principal;
  };
}
