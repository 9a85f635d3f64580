/**
 * The editor talks to the engine only over HTTP (DESIGN.md "Layout"), through the typed client of the
 * API contract (`sluice/api`): every request and answer is typed by the contract's schemas, answers
 * are checked against them, and problem+json errors arrive as an `ApiError` with the problem's code,
 * detail and per-field errors for the UI to show.
 */
import { createApiClient, readStreamEvent, type ApiRoutes, type EventData, type EventsOf, type RequestOf, type StreamOperation } from 'sluice/api';

export { ApiError, type FieldError } from 'sluice/api';

/** What a failed call says, for the page to show (an ApiError's message names the field and what was wrong). */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** API token for servers with auth on (kept in localStorage; loopback `sluice dev` needs none). */
export function apiToken(): string | undefined {
  try {
    return localStorage.getItem('sluice.token') ?? undefined;
  } catch {
    return undefined;
  }
}

/** The API of the server that serves the editor (same origin). */
export const api = createApiClient({ baseUrl: '', token: apiToken });

type Events<K extends StreamOperation> = EventsOf<ApiRoutes[K]>;
export type StreamHandlers<K extends StreamOperation> = { [E in keyof Events<K> & string]?: (data: EventData<Events<K>>[E]) => void };

/**
 * Subscribes to a server-sent event stream of the API; returns the function that closes it. Each
 * event's payload is checked against the contract before its handler sees it (an event that does not
 * match goes to `onError`). EventSource reconnects by itself; the server sends a fresh snapshot on
 * every connection.
 */
export function subscribe<K extends StreamOperation>(
  operation: K,
  request: RequestOf<ApiRoutes[K]>,
  handlers: StreamHandlers<K>,
  onError?: (error?: unknown) => void,
): () => void {
  const source = new EventSource(api.url(operation, request));
  const events = api.events(operation);
  for (const [event, handle] of Object.entries(handlers) as [keyof Events<K> & string, ((data: unknown) => void) | undefined][]) {
    if (!handle) continue;
    source.addEventListener(event, (e) => {
      let data: unknown;
      try {
        data = readStreamEvent(events, event, (e as MessageEvent<string>).data);
      } catch (error) {
        // The server sent what the contract does not describe: say so where developers look.
        console.error(error);
        onError?.(error);
        return;
      }
      handle(data);
    });
  }
  if (onError) source.onerror = () => onError();
  return () => source.close();
}
