/** Adding a task for a catalog component: its spec is copied into `components`, the id made unique. */
import type { ComponentSpec, PipelineSpec, TaskSpec } from 'sluice/ir';
import { allNodeIds, insertNode, uniqueId } from './nodeTree';

export interface AddTaskOptions {
  position: { x: number; y: number };
  /** Add into the body of this loop (position relative to it). */
  parent?: string;
  /** Preferred id (default: the component's name). */
  id?: string;
}

/** The `components` key for this spec: an identical spec already there is reused. */
export function componentRef(spec: PipelineSpec, component: ComponentSpec): { spec: PipelineSpec; ref: string } {
  const same = (c: ComponentSpec | undefined): boolean => c !== undefined && c.impl.digest === component.impl.digest && c.version === component.version;
  for (const [ref, c] of Object.entries(spec.components)) if (same(c)) return { spec, ref };
  const ref = uniqueId(component.name, new Set(Object.keys(spec.components)));
  return { spec: { ...spec, components: { ...spec.components, [ref]: component } }, ref };
}

export function addTask(spec: PipelineSpec, component: ComponentSpec, options: AddTaskOptions): { spec: PipelineSpec; id: string } {
  const withComponent = componentRef(spec, component);
  const id = uniqueId(options.id ?? component.name, allNodeIds(spec));
  const task: TaskSpec = {
    component: withComponent.ref,
    inputs: {},
    ui: { x: Math.round(options.position.x), y: Math.round(options.position.y) },
  };
  return { spec: insertNode(withComponent.spec, id, task, options.parent), id };
}
