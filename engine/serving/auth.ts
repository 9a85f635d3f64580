/**
 * Bearer-token authentication of the model server: the same API tokens as the HTTP API
 * (`sluice tokens create`, engine/server/auth.ts), any role, since inference reads. Used when the
 * API's auth is on; `/v2/health/*` and `/metrics` stay open (probes and scrapers carry no token,
 * as with KServe). A refusal is a 401 in the protocol's error shape `{"error": "…"}`.
 *
 * A verified token is trusted for `cacheMs` (default 5 s) so inference does not read the token
 * table on every request; a revoked token is refused within that time.
 */
import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { verifyApiToken } from '../server/index';
import type { MetadataStore } from '../stores/metadata/index';

export interface ModelServerAuth {
  metadata: MetadataStore;
  cacheMs?: number;
}

const DEFAULT_CACHE_MS = 5_000;

function refuse(res: Response, message: string): void {
  res.status(401).setHeader('WWW-Authenticate', 'Bearer realm="sluice"');
  res.json({ error: message });
}

export function modelServerAuth(o: ModelServerAuth) {
  const cacheMs = o.cacheMs ?? DEFAULT_CACHE_MS;
  const trusted = new Map<string, number>();
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    if (header === undefined) {
      refuse(res, 'this model server requires an API token: send "Authorization: Bearer <token>" (create one with `sluice tokens create --role viewer --name <name>`)');
      return;
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) {
      refuse(res, 'the Authorization header must read "Bearer <token>"');
      return;
    }
    const key = createHash('sha256').update(m[1]).digest('hex');
    const now = Date.now();
    if ((trusted.get(key) ?? 0) > now) {
      next();
      return;
    }
    try {
      await verifyApiToken(o.metadata, m[1]);
    } catch (e) {
      // verifyApiToken's refusals are 401 problems; anything else (the store down) is the server's.
      if ((e as { status?: unknown }).status === 401) {
        trusted.delete(key);
        refuse(res, (e as { detail?: string }).detail ?? 'the API token is not valid');
        return;
      }
      throw e;
    }
    if (trusted.size > 10_000) trusted.clear();
    trusted.set(key, now + cacheMs);
    next();
  };
}
