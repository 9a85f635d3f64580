/**
 * The editor talks to the engine only over HTTP (DESIGN.md "Layout"). Errors come back as
 * problem+json documents; `ApiError` keeps their detail and per-field errors for the UI to show.
 */
export interface ProblemField {
  path: string;
  message: string;
  code?: string;
  hint?: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly errors: ProblemField[] = [],
  ) {
    super(message);
  }
}

/** API token for servers with auth on (kept in localStorage; loopback `sluice dev` needs none). */
export function apiToken(): string | undefined {
  try {
    return localStorage.getItem('sluice.token') ?? undefined;
  } catch {
    return undefined;
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = apiToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  const data: unknown = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const problem = (data ?? {}) as { detail?: string; title?: string; errors?: ProblemField[] };
    throw new ApiError(res.status, problem.detail ?? problem.title ?? `${method} ${path} failed with HTTP ${res.status}`, problem.errors ?? []);
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const api = {
  get: <T>(path: string): Promise<T> => request<T>('GET', path),
  post: <T>(path: string, body?: unknown): Promise<T> => request<T>('POST', path, body ?? {}),
  delete: <T>(path: string): Promise<T> => request<T>('DELETE', path),
};

/** URL of an API path with the token in the query (EventSource and downloads cannot send headers). */
export function withToken(path: string): string {
  const token = apiToken();
  if (!token) return path;
  return `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
}

/**
 * Subscribes to a server-sent event stream; returns the function that closes it. EventSource
 * reconnects by itself; the server sends a fresh snapshot on every connection.
 */
export function subscribe(path: string, handlers: Record<string, (data: unknown) => void>, onError?: () => void): () => void {
  const source = new EventSource(withToken(path));
  for (const [event, handle] of Object.entries(handlers)) {
    source.addEventListener(event, (e) => handle(JSON.parse((e as MessageEvent<string>).data) as unknown));
  }
  if (onError) source.onerror = onError;
  return () => source.close();
}
