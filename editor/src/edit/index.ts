/** Pure graph edits over the pipeline IR: the editor's React code renders and dispatches these. */
export { addTask, componentRef, type AddTaskOptions } from './addTask';
export { disconnect, setInput, type EdgeRef } from './bindings';
export { copyNodes, isFragment, pasteFragment, type Fragment, type PasteOptions, type PasteResult } from './clipboard';
export { cachedIndex, connect, connectableOutputs, connectionProblem, type EditResult, type PortConnection } from './connect';
export { historyReducer, initialHistory, HISTORY_LIMIT, type History, type HistoryAction } from './history';
export { moveNodes, setGroupCollapsed, setNodeUi } from './nodeUi';
export { allNodeIds, mapNodeRefs, sanitizeId, uniqueId, type NodeRef, type RefMapper, type RefPlace } from './nodeTree';
export { equalJson } from './equalJson';
export { addPipelineInput, removePipelineInput, renamePipelineOutput, setPipelineOutput, updatePipelineInput } from './pipelinePorts';
export { inputPort, LOOP_ITEMS_PORT, LOOP_ITEMS_SPEC, outputPort, portTypeLabel } from './ports';
export { dropUnusedComponents, removeNodes } from './removeNodes';
export { renameNodes, renameTask } from './renameTask';
export { emptyPipeline } from './emptyPipeline';
