/**
 * Defining a pipeline input: name, kind, type, default, optional, description. Builds a PortSpec
 * and hands it to the caller, which applies the pure edit and returns its refusal reason, if any.
 */
import { useId, useState, type FormEvent, type ReactElement } from 'react';
import type { Json } from 'sluice/dsl';
import { artifactTypeSchema, BUILTIN_ARTIFACT_TYPES, PARAM_SCALARS, paramTypeSchema, type PortSpec } from 'sluice/ir';
import { FormError } from './FormError';
import { ParamField } from './ParamField';
import { formatParamValue, parseParamField } from './paramValue';

export interface PortSpecFormProps {
  /** Existing input to edit; absent to add a new one. */
  name?: string;
  port?: PortSpec;
  submitLabel: string;
  /** Returns why the input was refused, or undefined when it was applied. */
  onSubmit: (name: string, port: PortSpec) => string | undefined;
  onCancel?: () => void;
}

export function PortSpecForm({ name: initialName = '', port: initial, submitLabel, onSubmit, onCancel }: PortSpecFormProps): ReactElement {
  const id = useId();
  const [name, setName] = useState(initialName);
  const [kind, setKind] = useState<PortSpec['kind']>(initial?.kind ?? 'parameter');
  const [type, setType] = useState(initial?.type ?? 'string');
  const [defaultText, setDefaultText] = useState(initial?.kind === 'parameter' ? formatParamValue(initial.default, initial.type) : '');
  const [optional, setOptional] = useState(initial?.optional === true);
  const [description, setDescription] = useState(initial?.description ?? '');
  const [error, setError] = useState<string | undefined>();

  const typeOk = kind === 'parameter' ? paramTypeSchema.safeParse(type).success : artifactTypeSchema.safeParse(type).success;
  const typeError = typeOk ? undefined : kind === 'parameter' ? 'use string, int, float, bool, json or list<…> (e.g. list<float>)' : 'use a PascalCase artifact type such as Dataset or Model';
  const defaultPort: PortSpec = kind === 'parameter' && typeOk ? { kind: 'parameter', type, optional: true } : { kind: 'parameter', type: 'json', optional: true };
  const parsedDefault = kind === 'parameter' && typeOk ? parseParamField(defaultText, defaultPort) : ({ kind: 'empty' } as const);
  const defaultError = parsedDefault.kind === 'error' ? parsedDefault.error : undefined;

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (typeError || defaultError) return;
    const port: PortSpec =
      kind === 'parameter'
        ? {
            kind: 'parameter',
            type,
            ...(parsedDefault.kind === 'value' ? { default: parsedDefault.value as Json } : {}),
            ...(optional ? { optional: true } : {}),
            ...(description.trim() ? { description: description.trim() } : {}),
          }
        : { kind: 'artifact', type, ...(optional ? { optional: true } : {}), ...(description.trim() ? { description: description.trim() } : {}) };
    const why = onSubmit(name.trim(), port);
    setError(why);
    if (!why && initialName === '') {
      setName('');
      setDefaultText('');
      setDescription('');
    }
  };

  return (
    <form className="port-spec-form" onSubmit={submit} aria-label={initialName ? `Edit input ${initialName}` : 'Add pipeline input'}>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} required />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-kind`}>Kind</label>
          <select
            id={`${id}-kind`}
            value={kind}
            onChange={(e) => {
              const k = e.target.value === 'artifact' ? 'artifact' : 'parameter';
              setKind(k);
              setType(k === 'artifact' ? 'Dataset' : 'string');
            }}
          >
            <option value="parameter">parameter</option>
            <option value="artifact">artifact</option>
          </select>
        </div>
        <div className={`field${typeError ? ' has-error' : ''}`}>
          <label htmlFor={`${id}-type`}>Type</label>
          <input id={`${id}-type`} list={`${id}-types`} value={type} onChange={(e) => setType(e.target.value)} aria-invalid={typeError ? true : undefined} aria-describedby={typeError ? `${id}-type-error` : undefined} />
          <datalist id={`${id}-types`}>
            {(kind === 'parameter' ? [...PARAM_SCALARS, 'list<int>', 'list<float>', 'list<string>', 'list<json>'] : [...BUILTIN_ARTIFACT_TYPES]).map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
          {typeError ? (
            <span id={`${id}-type-error`} className="field__error" role="alert">
              {typeError}
            </span>
          ) : null}
        </div>
      </div>
      {kind === 'parameter' && typeOk ? <ParamField name="default" label="Default" port={defaultPort} text={defaultText} error={defaultError} onText={setDefaultText} /> : null}
      <div className="field field-check">
        <input id={`${id}-optional`} type="checkbox" checked={optional} onChange={(e) => setOptional(e.target.checked)} />
        <label htmlFor={`${id}-optional`}>Optional</label>
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <FormError message={error} />
      <div className="button-row">
        <button type="submit" className="primary" disabled={Boolean(typeError || defaultError)}>
          {submitLabel}
        </button>
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
