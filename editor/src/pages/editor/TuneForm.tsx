/**
 * The Inspector's form for a tuning study (a task with a `tune` block): the search space per input,
 * the objective, the algorithm, the budgets, early stopping and the seed. Every change builds a
 * whole tune block and hands it to `apply`, which parses it with the IR's schema (edit/tune.ts) and
 * returns the refusal shown at the field; the validator's problems (`problems`, keyed by the path
 * inside the block) are shown at their fields too.
 */
import { useState, type ReactElement } from 'react';
import { objectiveTasks, type ComponentSpec, type EarlyStopping, type ParamValue, type SearchParam, type TuneAlgorithm, type TuneSpec } from 'sluice/ir';
import { changeParamType, defaultSearchParam, formatChoiceValues, parseChoiceValues, searchableInputs, withSearchParam } from '../../edit/tune';
import { TextCommitField } from './TextCommitField';

export interface TuneFormProps {
  taskId: string;
  tune: TuneSpec;
  component: ComponentSpec;
  /** The validator's problems by field ("space.lr", "parallelTrials", "" for the block). */
  problems: ReadonlyMap<string, string[]>;
  /** Stores the candidate block; returns why it was refused (the IR schema's message), if it was. */
  apply: (candidate: TuneSpec) => string | undefined;
}

const problemAt = (problems: ReadonlyMap<string, string[]>, key: string): string | undefined => problems.get(key)?.join('; ');

/** A number field: '' clears an optional setting; anything else must read as a number. */
function NumberField(props: { label: string; value: number | undefined; optional?: boolean; hint?: string; problem?: string | undefined; onNumber: (n: number | undefined) => string | undefined }): ReactElement {
  return (
    <TextCommitField
      label={props.label}
      value={props.value === undefined ? '' : String(props.value)}
      {...(props.hint !== undefined ? { hint: props.hint } : {})}
      problem={props.problem}
      onCommit={(text) => {
        const t = text.trim();
        if (t === '') return props.optional ? props.onNumber(undefined) : `${props.label} is required`;
        const n = Number(t);
        return Number.isFinite(n) ? props.onNumber(n) : `${props.label} must be a number; got "${text}"`;
      }}
    />
  );
}

/** `{...o, key: v}`, or without `key` when v is undefined (optional IR fields are left out, not null). */
function withOptional<T extends object, K extends string>(o: T, key: K, v: number | boolean | undefined): T {
  const { [key]: _old, ...rest } = o as Record<string, unknown>;
  return (v === undefined ? rest : { ...rest, [key]: v }) as T;
}

function SearchParamFields(props: { name: string; param: SearchParam; earlierChoices: { name: string; values: ParamValue[] }[]; problems: ReadonlyMap<string, string[]>; set: (p: SearchParam | undefined) => string | undefined }): ReactElement {
  const { name, param, set } = props;
  const [error, setError] = useState<string | undefined>();
  const key = `space.${name}`;
  const bound = (label: 'low' | 'high', value: number): ReactElement => (
    <NumberField label={`${name} ${label}`} value={value} onNumber={(n) => set({ ...param, [label]: n })} />
  );
  const when = param.when;
  return (
    <fieldset className="tune-param" data-testid={`tune-param-${name}`}>
      <legend>{name}</legend>
      <label>
        Distribution{' '}
        <select aria-label={`${name} distribution`} value={param.type} onChange={(e) => setError(set(changeParamType(param, e.target.value as SearchParam['type'])))}>
          <option value="uniform">uniform</option>
          <option value="logUniform">logUniform</option>
          <option value="intRange">intRange</option>
          <option value="choice">choice</option>
        </select>
      </label>{' '}
      <button type="button" onClick={() => setError(set(undefined))} aria-label={`Stop searching ${name}`}>
        Remove
      </button>
      {param.type === 'choice' ? (
        <TextCommitField
          label={`${name} values`}
          value={formatChoiceValues(param.values)}
          hint="comma-separated; quote a string that reads as a number"
          onCommit={(text) => set({ ...param, values: parseChoiceValues(text) })}
        />
      ) : (
        <>
          {bound('low', param.low)}
          {bound('high', param.high)}
          {param.type !== 'logUniform' ? (
            <NumberField label={`${name} step`} value={param.step} optional hint="empty: continuous (uniform) or 1 (intRange)" onNumber={(n) => set(withOptional(param, 'step', n))} />
          ) : null}
          {param.type === 'intRange' ? (
            <label>
              <input type="checkbox" checked={param.log === true} onChange={(e) => setError(set(withOptional(param, 'log', e.target.checked ? true : undefined)))} /> log scale
            </label>
          ) : null}
        </>
      )}
      {props.earlierChoices.length > 0 || when ? (
        <div className="tune-when">
          <label>
            Only when{' '}
            <select
              aria-label={`${name} only when`}
              value={when?.param ?? ''}
              onChange={(e) => {
                const { when: _w, ...rest } = param;
                // A new condition starts with the other choice's first value (the IR wants at least one).
                const first = props.earlierChoices.find((c) => c.name === e.target.value)?.values.slice(0, 1) ?? [];
                setError(set(e.target.value === '' ? rest : { ...rest, when: { param: e.target.value, in: first } }));
              }}
            >
              <option value="">always</option>
              {[...new Set([...props.earlierChoices.map((c) => c.name), ...(when ? [when.param] : [])])].map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          {when ? (
            <TextCommitField
              label={`${name} exists when ${when.param} is one of`}
              value={formatChoiceValues(when.in)}
              problem={problemAt(props.problems, `${key}.when.in`) ?? problemAt(props.problems, `${key}.when`)}
              onCommit={(text) => set({ ...param, when: { param: when.param, in: parseChoiceValues(text) } })}
            />
          ) : null}
        </div>
      ) : null}
      {(error ?? problemAt(props.problems, key)) ? (
        <p className="field__error" role="alert">
          {error ?? problemAt(props.problems, key)}
        </p>
      ) : null}
    </fieldset>
  );
}

export function TuneForm({ taskId, tune, component, problems, apply }: TuneFormProps): ReactElement {
  const [selectError, setSelectError] = useState<string | undefined>();
  const names = Object.keys(tune.space);
  const addable = searchableInputs(component).filter((n) => !names.includes(n));
  const algorithm = (name: TuneAlgorithm['name']): TuneAlgorithm => (name === 'tpe' ? { name } : name === 'grid' ? { name } : { name: 'random' });
  const stopping = (rule: string): EarlyStopping | undefined => (rule === 'median' ? { rule: 'median' } : rule === 'asha' ? { rule: 'asha', minResource: 1 } : undefined);
  const a = tune.algorithm;
  const es = tune.earlyStopping;
  return (
    <div className="tune-form" data-testid={`tune-form-${taskId}`}>
      {problemAt(problems, '') !== undefined || problemAt(problems, 'space') !== undefined ? (
        <p className="field__error" role="alert">
          {[problemAt(problems, ''), problemAt(problems, 'space')].filter(Boolean).join('; ')}
        </p>
      ) : null}
      <h5>Search space</h5>
      {names.map((name, i) => (
        <SearchParamFields
          key={name}
          name={name}
          param={tune.space[name] as SearchParam}
          earlierChoices={names.slice(0, i).flatMap((n) => {
            const p = tune.space[n];
            return p?.type === 'choice' ? [{ name: n, values: p.values }] : [];
          })}
          problems={problems}
          set={(p) => apply(withSearchParam(tune, name, p))}
        />
      ))}
      {addable.length > 0 ? (
        <label>
          Search another input{' '}
          <select
            aria-label="Search another input"
            value=""
            onChange={(e) => {
              const port = component.inputs[e.target.value];
              if (port) setSelectError(apply(withSearchParam(tune, e.target.value, defaultSearchParam(port))));
            }}
          >
            <option value="">choose…</option>
            {addable.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      ) : null}

      <h5>Objective</h5>
      <TextCommitField
        label="Objective metric"
        value={tune.objective.metric}
        hint="the key the trial reports with ctx.metric(key, value); its last value counts"
        problem={problemAt(problems, 'objective.metric')}
        onCommit={(text) => apply({ ...tune, objective: { ...tune.objective, metric: text.trim() } })}
      />
      {component.impl.kind === 'pipeline' ? (
        // A nested pipeline as the trial: which of its tasks reports the metric.
        <label>
          Reported by task{' '}
          <select
            aria-label="Objective task"
            value={tune.objective.task ?? ''}
            onChange={(e) => setSelectError(apply({ ...tune, objective: { metric: tune.objective.metric, ...(e.target.value ? { task: e.target.value } : {}), goal: tune.objective.goal } }))}
          >
            {tune.objective.task === undefined ? <option value="">(choose)</option> : null}
            {objectiveTasks(component.impl.spec).map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
          {problemAt(problems, 'objective.task') !== undefined ? (
            <span className="field__error" role="alert">
              {problemAt(problems, 'objective.task')}
            </span>
          ) : null}
        </label>
      ) : null}
      <label>
        Goal{' '}
        <select aria-label="Objective goal" value={tune.objective.goal} onChange={(e) => setSelectError(apply({ ...tune, objective: { ...tune.objective, goal: e.target.value as 'minimize' | 'maximize' } }))}>
          <option value="minimize">minimize</option>
          <option value="maximize">maximize</option>
        </select>
      </label>

      <h5>Algorithm</h5>
      <label>
        Algorithm{' '}
        <select aria-label="Algorithm" value={a.name} onChange={(e) => setSelectError(apply({ ...tune, algorithm: algorithm(e.target.value as TuneAlgorithm['name']) }))}>
          <option value="random">random</option>
          <option value="grid">grid</option>
          <option value="tpe">tpe (Bayesian)</option>
        </select>
      </label>
      {problemAt(problems, 'algorithm') ? (
        <p className="field__error" role="alert">
          {problemAt(problems, 'algorithm')}
        </p>
      ) : null}
      {a.name === 'tpe' ? (
        <>
          <NumberField label="Startup trials" value={a.startupTrials} optional hint="random trials before TPE takes over (default 10)" onNumber={(n) => apply({ ...tune, algorithm: withOptional(a, 'startupTrials', n) })} />
          <NumberField label="Candidates" value={a.candidates} optional hint="default 24" onNumber={(n) => apply({ ...tune, algorithm: withOptional(a, 'candidates', n) })} />
          <label>
            <input type="checkbox" checked={a.multivariate !== false} onChange={(e) => setSelectError(apply({ ...tune, algorithm: withOptional(a, 'multivariate', e.target.checked ? undefined : false) }))} /> multivariate
          </label>
          <label title="trials suggested while others run treat those as the worst seen, so they look elsewhere (Optuna's constant_liar)">
            <input type="checkbox" checked={a.constantLiar !== false} onChange={(e) => setSelectError(apply({ ...tune, algorithm: withOptional(a, 'constantLiar', e.target.checked ? undefined : false) }))} /> constant liar for parallel trials
          </label>
        </>
      ) : null}

      <h5>Budgets</h5>
      <NumberField label="Max trials" value={tune.maxTrials} problem={problemAt(problems, 'maxTrials')} onNumber={(n) => apply({ ...tune, maxTrials: n as number })} />
      <NumberField label="Parallel trials" value={tune.parallelTrials} optional hint="default 1" problem={problemAt(problems, 'parallelTrials')} onNumber={(n) => apply(withOptional(tune, 'parallelTrials', n))} />
      <NumberField label="Max failed trials" value={tune.maxFailedTrials} optional hint="default: max trials" problem={problemAt(problems, 'maxFailedTrials')} onNumber={(n) => apply(withOptional(tune, 'maxFailedTrials', n))} />

      <h5>Early stopping</h5>
      <label>
        Rule{' '}
        <select
          aria-label="Early stopping"
          value={es?.rule ?? ''}
          onChange={(e) => {
            const rule = stopping(e.target.value);
            const { earlyStopping: _e, ...rest } = tune;
            setSelectError(apply(rule ? { ...rest, earlyStopping: rule } : rest));
          }}
        >
          <option value="">none</option>
          <option value="median">median rule</option>
          <option value="asha">ASHA</option>
        </select>
      </label>
      {es?.rule === 'median' ? (
        <>
          <NumberField label="Median startup trials" value={es.startupTrials} optional hint="completed trials before any is stopped (default 5)" onNumber={(n) => apply({ ...tune, earlyStopping: withOptional(es, 'startupTrials', n) })} />
          <NumberField label="Warm-up steps" value={es.warmupSteps} optional hint="steps a trial runs before it may be stopped (default 0)" onNumber={(n) => apply({ ...tune, earlyStopping: withOptional(es, 'warmupSteps', n) })} />
        </>
      ) : null}
      {es?.rule === 'asha' ? (
        <>
          <NumberField label="Min resource" value={es.minResource} onNumber={(n) => apply({ ...tune, earlyStopping: { ...es, minResource: n as number } })} />
          <NumberField label="Reduction factor" value={es.reductionFactor} optional hint="η, default 4" onNumber={(n) => apply({ ...tune, earlyStopping: withOptional(es, 'reductionFactor', n) })} />
          <NumberField label="Max resource" value={es.maxResource} optional onNumber={(n) => apply({ ...tune, earlyStopping: withOptional(es, 'maxResource', n) })} />
        </>
      ) : null}

      <h5>Seed</h5>
      <NumberField label="Seed" value={tune.seed} optional hint="fixes every suggestion (default 0)" onNumber={(n) => apply(withOptional(tune, 'seed', n))} />
      {selectError ? (
        <p className="field__error" role="alert">
          {selectError}
        </p>
      ) : null}
    </div>
  );
}
