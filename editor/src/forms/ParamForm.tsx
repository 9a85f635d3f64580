/**
 * A form generated from port specs (a pipeline's inputs for a run): one ParamField per port,
 * controlled by the texts the parent keeps. `collectParams` turns the texts into the values to
 * send and the errors to show, with the DSL's parsing rules.
 */
import type { ReactElement } from 'react';
import type { PortSpec } from 'sluice/ir';
import { ParamField } from './ParamField';
import { formatParamValue, parseParamField } from './paramValue';

export interface CollectedParams {
  /** Values of the fields that are set (unset ones fall back to their defaults on the server). */
  values: Record<string, unknown>;
  errors: Record<string, string>;
}

export function collectParams(ports: Record<string, PortSpec>, texts: Record<string, string>): CollectedParams {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const [name, port] of Object.entries(ports)) {
    const r = parseParamField(texts[name] ?? '', port);
    if (r.kind === 'value') values[name] = r.value;
    else if (r.kind === 'error') errors[name] = r.error;
  }
  return { values, errors };
}

/** Initial texts: given values, else empty (so defaults apply and show as placeholders). */
export function initialTexts(ports: Record<string, PortSpec>, values: Record<string, unknown> = {}): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [name, port] of Object.entries(ports)) texts[name] = formatParamValue(values[name], port.kind === 'parameter' ? port.type : 'string');
  return texts;
}

export interface ParamFormProps {
  ports: Record<string, PortSpec>;
  texts: Record<string, string>;
  onTexts: (texts: Record<string, string>) => void;
  /** Show "required" errors of untouched empty fields too (after a submit attempt). */
  showMissing: boolean;
  /** Errors from the server, by port name (422 field errors). */
  serverErrors?: Record<string, string>;
}

export function ParamForm({ ports, texts, onTexts, showMissing, serverErrors }: ParamFormProps): ReactElement {
  const names = Object.keys(ports);
  if (names.length === 0) return <p className="muted">This pipeline takes no inputs.</p>;
  return (
    <div className="param-form">
      {names.map((name) => {
        const port = ports[name] as PortSpec;
        const text = texts[name] ?? '';
        const r = parseParamField(text, port);
        const local = r.kind === 'error' && (showMissing || text.trim() !== '') ? r.error : undefined;
        return <ParamField key={name} name={name} port={port} text={text} error={local ?? serverErrors?.[name]} onText={(t) => onTexts({ ...texts, [name]: t })} />;
      })}
    </div>
  );
}
