/**
 * Placeholders in a command component's argv (`{{inputPath:data}}`, …): parsed the same way by the
 * DSL, the validator and the worker that substitutes them. Pure.
 */
import type { PortSpec } from './schema';

/** The four placeholder kinds of a command's argv. */
export const PLACEHOLDER_KINDS = ['inputPath', 'inputValue', 'outputPath', 'outputFile'] as const;
export type PlaceholderKind = (typeof PLACEHOLDER_KINDS)[number];

/** One piece of an argv element: literal text or a placeholder. */
export type ArgPart = { text: string } | { kind: PlaceholderKind; name: string };

// Any `{{word:name}}` is taken for a placeholder, so that a misspelt kind is reported, not passed on.
const PLACEHOLDER_RE = /\{\{([A-Za-z]+):([^{}]*)\}\}/g;
export const HAS_PLACEHOLDER = /\{\{[A-Za-z]+:[^{}]*\}\}/;

export function placeholder(kind: PlaceholderKind, name: string): string {
  return `{{${kind}:${name}}}`;
}

/**
 * Splits an argv element into literal text and placeholders. Shared with the worker so that the
 * DSL and the runtime read placeholders the same way. Throws on an unknown placeholder kind.
 */
export function parseArg(arg: string): ArgPart[] {
  const parts: ArgPart[] = [];
  let last = 0;
  for (const m of arg.matchAll(PLACEHOLDER_RE)) {
    const [whole, kind = '', name = ''] = m;
    if (!(PLACEHOLDER_KINDS as readonly string[]).includes(kind)) {
      throw new Error(`unknown placeholder ${whole}: use one of ${PLACEHOLDER_KINDS.map((k) => `{{${k}:name}}`).join(', ')}`);
    }
    if (m.index > last) parts.push({ text: arg.slice(last, m.index) });
    parts.push({ kind: kind as PlaceholderKind, name });
    last = m.index + whole.length;
  }
  if (last < arg.length) parts.push({ text: arg.slice(last) });
  return parts;
}

/** Why a placeholder does not fit the component's ports, or undefined when it does. */
export function placeholderMismatch(
  kind: PlaceholderKind,
  name: string,
  ports: { inputs: Record<string, PortSpec>; outputs: Record<string, PortSpec> },
): string | undefined {
  const side = kind === 'inputPath' || kind === 'inputValue' ? 'input' : 'output';
  const want = kind === 'inputPath' || kind === 'outputPath' ? 'artifact' : 'parameter';
  const map = side === 'input' ? ports.inputs : ports.outputs;
  const port = Object.hasOwn(map, name) ? map[name] : undefined;
  const ph = placeholder(kind, name);
  if (!port) {
    const names = Object.entries(map)
      .filter(([, p]) => p.kind === want)
      .map(([n]) => `"${n}"`);
    return `${ph} names no ${want} ${side}` + (names.length ? ` (${want} ${side}s: ${names.join(', ')})` : ` (the component declares no ${want} ${side}s)`);
  }
  if (port.kind !== want) {
    const fix = { inputPath: 'inputValue', inputValue: 'inputPath', outputPath: 'outputFile', outputFile: 'outputPath' }[kind];
    return `${ph}: "${name}" is ${port.kind === 'artifact' ? 'an artifact' : 'a parameter'} ${side}, not ${want === 'artifact' ? 'an artifact' : 'a parameter'}; use {{${fix}:${name}}}`;
  }
  return undefined;
}
