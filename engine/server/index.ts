/** The HTTP API server: what `sluice dev` and the compose service start. */
export { ApiServerError, DEFAULT_API_HOST, DEFAULT_API_PORT, createApiServer, isLoopbackHost, startApiServer } from './server';
export type { ApiServer, ApiServerDeps, RunningApiServer } from './server';
export { createApiToken, hashTokenSecret, parseApiToken, verifyApiToken, API_ROLES } from './auth';
export type { AuthOptions } from './auth';
export type { Principal } from './routing';
export { EDITOR_DIST_DIR, serveEditor } from './editorAssets';
export { actorOf, modelVersionDetail } from './models';
