/** An API server over a test stack, on a free loopback port, with auth off (unless asked) and a silent log (unless given one). */
import { createLogger, type Logger } from '../../engine/logging';
import { createApiServer, type AuthOptions, type RunningApiServer } from '../../engine/server/index';
import type { TestStack } from './stackHarness';

export async function startTestApi(ts: TestStack, options: { auth?: AuthOptions; logger?: Logger } = {}): Promise<RunningApiServer> {
  const api = createApiServer({
    metadata: ts.stack.metadata,
    artifacts: ts.stack.artifacts,
    client: ts.stack.client,
    registry: ts.stack.registry,
    taskQueuePrefix: ts.stack.taskQueuePrefix,
    auth: options.auth ?? { enabled: false },
    logger: options.logger ?? createLogger({ level: 'silent' }),
    live: { pollMs: 150, heartbeatMs: 300 },
  });
  return api.listen({ host: '127.0.0.1', port: 0 });
}
