/**
 * Text ↔ value for parameter fields, with the DSL's own parsing and type rules (parseParamText,
 * valueMismatch), so a form accepts exactly what the validator and the engine accept.
 */
import { isRequired, parseParamText, type PortSpec } from 'sluice/ir';

export type FieldResult = { kind: 'empty' } | { kind: 'value'; value: unknown } | { kind: 'error'; error: string };

/** The text a field shows for a value ("" when unset; strings as they are; JSON for the rest). */
export function formatParamValue(value: unknown, type: string): string {
  if (value === undefined) return '';
  if (type === 'string' && typeof value === 'string') return value;
  return JSON.stringify(value) ?? '';
}

/**
 * Parses a field. Empty text means "not set" (the default applies), which is an error for a
 * required port. Artifact inputs take an artifact id.
 */
export function parseParamField(text: string, port: PortSpec): FieldResult {
  if (text.trim() === '' && !(port.kind === 'parameter' && port.type === 'string' && text !== '')) {
    if (isRequired(port)) return { kind: 'error', error: port.kind === 'artifact' ? `required: give the id of a stored ${port.type} artifact` : `required: give a ${port.type} value` };
    return { kind: 'empty' };
  }
  if (port.kind === 'artifact') return { kind: 'value', value: text.trim() };
  try {
    const r = parseParamText(text, port.type);
    return r.ok ? { kind: 'value', value: r.value } : { kind: 'error', error: r.error };
  } catch (e) {
    return { kind: 'error', error: (e as Error).message };
  }
}

/** A short description of a port for a field's hint: "int, default 100" / "Dataset artifact id". */
export function portHint(port: PortSpec): string {
  if (port.kind === 'artifact') return `${port.type} artifact id${port.optional ? ', optional' : ''}`;
  const parts = [port.type];
  if (port.default !== undefined) parts.push(`default ${formatParamValue(port.default, port.type) || '""'}`);
  else if (port.optional) parts.push('optional');
  else parts.push('required');
  return parts.join(', ');
}
