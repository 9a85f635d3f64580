/** engine/stack: public entry point (other folders import only this file). */
export { StateDirBusyError, annotateStateOwner, lockStateDir, readStateOwner } from './stateLock';
export { EmbeddedStack } from './EmbeddedStack';
export type { EmbeddedStackOptions } from './EmbeddedStack';
