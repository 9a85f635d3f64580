/**
 * The size of a task node from its port labels, shared by the layout (elk), the canvas and the
 * run view, so what elk places is what React draws. Inputs sit on the left, outputs on the right of
 * the same rows when both fit side by side within MAX_NODE_WIDTH; otherwise the outputs go below
 * the inputs (rows of their own). Each side gets a width its longest label fits in, so labels
 * neither overlap nor get cut.
 *
 * Widths are estimated from character counts (no DOM measuring: the layout runs before React
 * draws, and in tests): generous per-character widths for the 11 px name and 10 px monospace type.
 */
import type { Binding } from 'sluice/ir';
import { portTypeLabel } from '../edit/ports';
import type { GraphNode, GraphPort } from '../graph/pipelineGraph';

export const NODE_WIDTH = 220;
export const MAX_NODE_WIDTH = 460;
export const HEADER_HEIGHT = 34;
export const PORT_ROW_HEIGHT = 20;
/** Inner padding left and right, and the gap between an input label and the output label of its row. */
export const NODE_PAD = 8;
export const SIDE_GAP = 14;
// DejaVu Sans at 11 px averages ~6.9 px a character, DejaVu Sans Mono at 10 px 6.02 px; rounded
// up, plus slack, because a label that misses by half a pixel is cut with an ellipsis.
const NAME_CHAR = 7.4;
const TYPE_CHAR = 6.4;
/** Between a port's name and its type (4 px CSS gap), plus slack. */
const LABEL_GAP = 10;
const TITLE_CHAR = 7.4;
/** The header's state pill and badges. */
const HEADER_EXTRA = 90;

/** What a port shows: its name and, beside it, its type or what it reads ("= 0.2", "← epochs"). */
export interface PortLabel {
  name: string;
  text: string;
}

export interface TaskNodeSize {
  width: number;
  height: number;
  /** Outputs below the inputs (true) or beside them on the same rows. */
  stacked: boolean;
  /** The row of the first output. */
  outputRow: number;
  /** Room for an input label and for an output label (px). */
  inputWidth: number;
  outputWidth: number;
}

/** Estimated drawn width of a port label (px). */
export function labelWidth(p: PortLabel): number {
  return Math.ceil(p.name.length * NAME_CHAR + LABEL_GAP + p.text.length * TYPE_CHAR);
}

const widest = (ports: readonly PortLabel[]): number => ports.reduce((w, p) => Math.max(w, labelWidth(p)), 0);

export function taskNodeSize(inputs: readonly PortLabel[], outputs: readonly PortLabel[], title = ''): TaskNodeSize {
  const inW = widest(inputs);
  const outW = widest(outputs);
  const titleW = Math.min(MAX_NODE_WIDTH, Math.ceil(title.length * TITLE_CHAR) + HEADER_EXTRA + 2 * NODE_PAD);
  const sideBySide = 2 * NODE_PAD + inW + (inputs.length && outputs.length ? SIDE_GAP : 0) + outW;
  if (sideBySide <= MAX_NODE_WIDTH) {
    const width = Math.max(NODE_WIDTH, sideBySide, titleW);
    const rows = Math.max(1, inputs.length, outputs.length);
    // The width left over goes to the inputs (the names people read first).
    const outputWidth = outW;
    const inputWidth = width - 2 * NODE_PAD - (outputs.length ? SIDE_GAP + outW : 0);
    return { width, height: HEADER_HEIGHT + rows * PORT_ROW_HEIGHT + 8, stacked: false, outputRow: 0, inputWidth, outputWidth };
  }
  const width = Math.max(NODE_WIDTH, titleW, Math.min(MAX_NODE_WIDTH, 2 * NODE_PAD + Math.max(inW, outW)));
  const rows = Math.max(1, inputs.length + outputs.length);
  const inner = width - 2 * NODE_PAD;
  return { width, height: HEADER_HEIGHT + rows * PORT_ROW_HEIGHT + 8, stacked: true, outputRow: inputs.length, inputWidth: inner, outputWidth: inner };
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 16 ? `${text.slice(0, 15)}…` : text;
}

/** What an input reads, when no edge on the canvas shows it. */
export function bindingText(binding: Binding | undefined): string | undefined {
  if (!binding) return undefined;
  if ('const' in binding) return `= ${shortJson(binding.const)}`;
  if ('pipelineInput' in binding) return `← ${binding.pipelineInput}`;
  if ('loopItem' in binding) return `item${binding.field !== undefined ? `.${binding.field}` : ''}`;
  if ('runStatus' in binding) return `run ${binding.runStatus}`;
  return undefined;
}

const portLabel = (p: GraphPort, binding?: Binding): PortLabel => ({ name: p.name, text: bindingText(binding) ?? portTypeLabel(p.spec) });

/** A graph node's size as the canvas draws it (ports with their bindings' text). */
export function graphNodeSize(node: GraphNode): TaskNodeSize {
  return taskNodeSize(
    node.inputs.map((p) => portLabel(p, node.bindings?.[p.name])),
    node.outputs.map((p) => portLabel(p)),
    node.label,
  );
}
