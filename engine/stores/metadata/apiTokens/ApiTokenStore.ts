/** API tokens: public id, role and the sha256 of the secret (for the HTTP API's authentication). */

/** Roles of API tokens: viewer reads; editor also submits and controls runs; admin also manages tokens. */
export type ApiRole = 'viewer' | 'editor' | 'admin';

export interface ApiTokenRecord {
  /** Public, random: the `<id>` of `sluice_<id>_<secret>`. */
  id: string;
  name: string;
  role: ApiRole;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiTokenStore {
  /** Stores a token's public id and the sha256 of its secret (never the secret). */
  createApiToken(t: { id: string; name: string; role: ApiRole; secretHash: string }): Promise<ApiTokenRecord>;
  /** The token and its secret's hash, revoked or not; undefined for an unknown id. */
  findApiToken(id: string): Promise<{ token: ApiTokenRecord; secretHash: string } | undefined>;
  /** Oldest first, revoked ones included. */
  listApiTokens(): Promise<ApiTokenRecord[]>;
  /** False when there is no such token or it was already revoked. */
  revokeApiToken(id: string): Promise<boolean>;
  touchApiToken(id: string, at?: Date): Promise<void>;
}
