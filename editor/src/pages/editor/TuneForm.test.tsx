// @vitest-environment jsdom
/** The study form: what each field hands on, and the refusals and validator problems shown at their fields. */
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { useState, type ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { component, pipeline, t } from 'sluice/dsl';
import type { ComponentSpec, TaskSpec, TuneSpec } from 'sluice/ir';
import { parseTune } from '../../edit/tune';
import { TuneForm } from './TuneForm';

afterEach(cleanup);

const train = component({ name: 'train', inputs: { lr: t.float(), units: t.int({ default: 8 }), act: t.enum(['relu', 'tanh']) }, outputs: { loss: t.float() }, run: ({ lr }) => ({ loss: lr }) });
const start: TuneSpec = { space: { lr: { type: 'logUniform', low: 0.001, high: 0.1 } }, objective: { metric: 'loss', goal: 'minimize' }, algorithm: { name: 'random' }, maxTrials: 10, seed: 3 };

/** The form over a tune block that `apply` replaces as the Inspector does (schema first). */
function Host({ problems = new Map(), seen, component = train.spec, first = start }: { problems?: Map<string, string[]>; seen: TuneSpec[]; component?: ComponentSpec; first?: TuneSpec }): ReactElement {
  const [tune, setTune] = useState(first);
  return (
    <TuneForm
      taskId="train"
      tune={tune}
      component={component}
      problems={problems}
      apply={(candidate) => {
        const r = parseTune(candidate);
        if (!r.ok) return r.reason;
        seen.push(r.tune);
        setTune(r.tune);
        return undefined;
      }}
    />
  );
}

const commit = (label: string, text: string): void => {
  const field = screen.getByLabelText(label);
  fireEvent.change(field, { target: { value: text } });
  fireEvent.keyDown(field, { key: 'Enter' });
};

describe('TuneForm', () => {
  it('for a nested pipeline as the trial, chooses the task that reports the metric among those that can, and shows its problem there', () => {
    const score = component({ name: 'score', inputs: { lr: t.float() }, outputs: { loss: t.float() }, run: ({ lr }) => ({ loss: lr }) });
    const inner = pipeline({ name: 'inner', inputs: { lr: t.float() } }, (p) => {
      const a = p.task(score, { lr: p.inputs.lr }, { id: 'fit' });
      p.task(score, { lr: a.outputs.loss }, { id: 'evaluate' });
    });
    const outer = pipeline({ name: 'outer' }, (p) => {
      p.task(inner, { lr: 0.1 }, { id: 'trial' });
    });
    const comp = outer.spec.components[(outer.spec.dag.tasks.trial as TaskSpec).component] as ComponentSpec;
    const seen: TuneSpec[] = [];
    const problems = new Map([['objective.task', ['the objective\'s task "gone" is not a task of the nested pipeline "inner"']]]);
    render(<Host seen={seen} component={comp} problems={problems} first={{ ...start, objective: { metric: 'loss', task: 'fit', goal: 'minimize' } }} />);
    const select = screen.getByLabelText('Objective task');
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual(['fit', 'evaluate']);
    fireEvent.change(select, { target: { value: 'evaluate' } });
    expect(seen.at(-1)?.objective).toEqual({ metric: 'loss', task: 'evaluate', goal: 'minimize' });
    expect(screen.getByText(/"gone" is not a task of the nested pipeline/)).toBeTruthy();
  });

  it('shows no objective task for a component trial', () => {
    render(<Host seen={[]} />);
    expect(screen.queryByLabelText('Objective task')).toBeNull();
  });

  it('hands on whole tune blocks the IR schema parses: budgets, seed cleared, algorithm with its options, a new search parameter', () => {
    const seen: TuneSpec[] = [];
    render(<Host seen={seen} />);
    commit('Parallel trials', '4');
    expect(seen.at(-1)?.parallelTrials).toBe(4);
    commit('Seed', '');
    expect(seen.at(-1) && 'seed' in seen.at(-1)!).toBe(false);
    fireEvent.change(screen.getByLabelText('Algorithm'), { target: { value: 'tpe' } });
    expect(seen.at(-1)?.algorithm).toEqual({ name: 'tpe' });
    commit('Startup trials', '3');
    expect(seen.at(-1)?.algorithm).toEqual({ name: 'tpe', startupTrials: 3 });
    // The constant liar is on unless turned off; off is stored as false, on again as the default (absent).
    const liar = screen.getByLabelText('constant liar for parallel trials');
    expect((liar as HTMLInputElement).checked).toBe(true);
    fireEvent.click(liar);
    expect(seen.at(-1)?.algorithm).toEqual({ name: 'tpe', startupTrials: 3, constantLiar: false });
    fireEvent.click(liar);
    expect(seen.at(-1)?.algorithm).toEqual({ name: 'tpe', startupTrials: 3 });
    fireEvent.change(screen.getByLabelText('Search another input'), { target: { value: 'act' } });
    expect(seen.at(-1)?.space.act).toEqual({ type: 'choice', values: ['relu', 'tanh'] });
    // units may now be conditioned on act, a choice listed before it.
    fireEvent.change(screen.getByLabelText('Search another input'), { target: { value: 'units' } });
    fireEvent.change(screen.getByLabelText('units only when'), { target: { value: 'act' } });
    expect(seen.at(-1)?.space.units).toEqual({ type: 'intRange', low: 4, high: 16, when: { param: 'act', in: ['relu'] } });
    commit('units exists when act is one of', 'relu, tanh');
    expect(seen.at(-1)?.space.units?.when).toEqual({ param: 'act', in: ['relu', 'tanh'] });
    fireEvent.change(screen.getByLabelText('Early stopping'), { target: { value: 'asha' } });
    commit('Reduction factor', '3');
    expect(seen.at(-1)?.earlyStopping).toEqual({ rule: 'asha', minResource: 1, reductionFactor: 3 });
  });

  it('shows what the schema refuses at the field, and stores nothing', () => {
    const seen: TuneSpec[] = [];
    render(<Host seen={seen} />);
    commit('Max trials', '0');
    expect(screen.getByRole('alert').textContent).toBe('maxTrials: Too small: expected number to be >0');
    commit('Max trials', 'many');
    expect(screen.getByRole('alert').textContent).toBe('Max trials must be a number; got "many"');
    expect(seen).toEqual([]);
  });

  it("shows the validator's problems at their fields", () => {
    render(<Host seen={[]} problems={new Map([['space.lr', ['search parameter "lr" is logUniform with a non-positive bound (low 0)']], ['parallelTrials', ['parallelTrials 20 is more than maxTrials 10']]])} />);
    expect(within(screen.getByTestId('tune-param-lr')).getByRole('alert').textContent).toMatch(/non-positive bound/);
    const parallel = screen.getByLabelText('Parallel trials');
    expect(parallel.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(parallel.getAttribute('aria-describedby') ?? '')?.textContent).toBe('parallelTrials 20 is more than maxTrials 10');
  });
});
