// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState, type ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Binding, PortSpec } from 'sluice/ir';
import { collectParams, initialTexts, ParamForm } from './ParamForm';
import { PortSpecForm } from './PortSpecForm';
import { TaskInputsForm, type SourceOption } from './TaskInputsForm';

afterEach(cleanup);

const ports: Record<string, PortSpec> = {
  epochs: { kind: 'parameter', type: 'int', default: 100 },
  lr: { kind: 'parameter', type: 'float' },
  shuffle: { kind: 'parameter', type: 'bool', default: true },
  layers: { kind: 'parameter', type: 'list<int>', optional: true },
};

function RunForm({ onValues }: { onValues: (v: ReturnType<typeof collectParams>) => void }): ReactElement {
  const [texts, setTexts] = useState(initialTexts(ports));
  const [submitted, setSubmitted] = useState(false);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        onValues(collectParams(ports, texts));
      }}
    >
      <ParamForm ports={ports} texts={texts} onTexts={setTexts} showMissing={submitted} />
      <button type="submit">Start run</button>
    </form>
  );
}

describe('ParamForm', () => {
  it('labels every field, shows types and defaults, and validates with the DSL rules', () => {
    const onValues = vi.fn();
    render(<RunForm onValues={onValues} />);
    const epochs = screen.getByLabelText('epochs');
    expect(screen.getByText('int, default 100')).toBeTruthy();
    fireEvent.change(epochs, { target: { value: '2.5' } });
    expect(screen.getByRole('alert').textContent).toMatch(/integer/);
    expect(epochs.getAttribute('aria-invalid')).toBe('true');
    fireEvent.change(epochs, { target: { value: '20' } });
    expect(screen.queryByRole('alert')).toBeNull();
    // The required float is reported only once a submit was tried.
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    expect(screen.getByRole('alert').textContent).toBe('required: give a float value');
    expect(onValues).toHaveBeenLastCalledWith({ values: { epochs: 20 }, errors: { lr: 'required: give a float value' } });
    fireEvent.change(screen.getByLabelText('lr'), { target: { value: '0.01' } });
    fireEvent.change(screen.getByLabelText('shuffle'), { target: { value: 'false' } });
    fireEvent.change(screen.getByLabelText('layers'), { target: { value: '[8, 4]' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start run' }));
    expect(onValues).toHaveBeenLastCalledWith({ values: { epochs: 20, lr: 0.01, shuffle: false, layers: [8, 4] }, errors: {} });
  });
});

describe('PortSpecForm', () => {
  it('builds a port spec with a typed default, and shows the refusal reason', () => {
    const onSubmit = vi.fn((name: string): string | undefined => (name === 'seed' ? 'the pipeline already has an input named "seed"' : undefined));
    render(<PortSpecForm submitLabel="Add input" onSubmit={onSubmit} />);
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'epochs' } });
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'int' } });
    fireEvent.change(screen.getByLabelText('Default'), { target: { value: 'ten' } });
    expect(screen.getByRole('alert').textContent).toMatch(/integer/);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Add input' }).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Default'), { target: { value: '10' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add input' }));
    expect(onSubmit).toHaveBeenLastCalledWith('epochs', { kind: 'parameter', type: 'int', default: 10 });
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'seed' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add input' }));
    expect(screen.getByRole('alert').textContent).toMatch(/already has/);
  });

  it('refuses a bad type name with advice', () => {
    render(<PortSpecForm submitLabel="Add input" onSubmit={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Type'), { target: { value: 'integer' } });
    expect(screen.getByRole('alert').textContent).toMatch(/list</);
  });
});

describe('TaskInputsForm', () => {
  it('binds a literal value on blur, a compatible pipeline input, and unbinds', () => {
    const onBind = vi.fn<(port: string, b: Binding | undefined) => void>();
    render(
      <TaskInputsForm
        taskId="train"
        ports={{ epochs: { kind: 'parameter', type: 'int' }, train: { kind: 'artifact', type: 'Dataset' } }}
        bindings={{ train: { task: 'split', output: 'train' } }}
        pipelineInputs={{ maxEpochs: { kind: 'parameter', type: 'int' }, name: { kind: 'parameter', type: 'string' } }}
        onBind={onBind}
        onPromote={() => undefined}
      />,
    );
    const source = screen.getByLabelText('Source of input epochs');
    // Only type-compatible pipeline inputs are offered.
    expect([...(source as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(['not set', 'a value', 'pipeline input maxEpochs']);
    fireEvent.change(source, { target: { value: 'const' } });
    const value = screen.getByLabelText('Value of epochs');
    fireEvent.change(value, { target: { value: '1.5' } });
    fireEvent.blur(value);
    expect(onBind).not.toHaveBeenCalled();
    fireEvent.change(value, { target: { value: '12' } });
    fireEvent.blur(value);
    expect(onBind).toHaveBeenLastCalledWith('epochs', { const: 12 });
    fireEvent.change(source, { target: { value: 'input:maxEpochs' } });
    expect(onBind).toHaveBeenLastCalledWith('epochs', { pipelineInput: 'maxEpochs' });
    fireEvent.click(screen.getByRole('button', { name: 'Disconnect input train' }));
    expect(onBind).toHaveBeenLastCalledWith('train', undefined);
  });

  it('keeps the row (and focus) when a commit changes the binding (regression: rows keyed by the binding remounted)', () => {
    function Stateful(): ReactElement {
      const [bindings, setBindings] = useState<Record<string, Binding>>({ epochs: { const: 1 } });
      return (
        <TaskInputsForm
          taskId="train"
          ports={{ epochs: { kind: 'parameter', type: 'int' } }}
          bindings={bindings}
          pipelineInputs={{}}
          onBind={(port, b) => setBindings((prev) => (b === undefined ? {} : { ...prev, [port]: b }))}
          onPromote={() => undefined}
        />
      );
    }
    render(<Stateful />);
    const value = screen.getByLabelText<HTMLInputElement>('Value of epochs');
    value.focus();
    fireEvent.change(value, { target: { value: '12' } });
    fireEvent.keyDown(value, { key: 'Enter' });
    expect(screen.getByLabelText('Value of epochs')).toBe(value);
    expect(document.activeElement).toBe(value);
    expect(value.value).toBe('12');
  });

  it('commits a bool choice once, not again on blur (regression: onChange and onBlur both committed)', () => {
    const onBind = vi.fn<(port: string, b: Binding | undefined) => void>();
    render(
      <TaskInputsForm taskId="t" ports={{ shuffle: { kind: 'parameter', type: 'bool' } }} bindings={{ shuffle: { const: true } }} pipelineInputs={{}} onBind={onBind} onPromote={() => undefined} />,
    );
    const field = screen.getByLabelText('Value of shuffle');
    fireEvent.change(field, { target: { value: 'false' } });
    fireEvent.blur(field);
    expect(onBind.mock.calls).toEqual([['shuffle', { const: false }]]);
  });

  it('offers compatible task outputs as sources, so a keyboard user can connect', () => {
    const onConnect = vi.fn<(port: string, o: SourceOption) => void>();
    render(
      <TaskInputsForm
        taskId="train"
        ports={{ train: { kind: 'artifact', type: 'Dataset' } }}
        bindings={{}}
        pipelineInputs={{}}
        onBind={() => undefined}
        onPromote={() => undefined}
        sources={{ train: [{ task: 'split', output: 'train' }, { task: 'trials', output: 'data', loop: true }] }}
        onConnect={onConnect}
      />,
    );
    const source = screen.getByLabelText<HTMLSelectElement>('Source of input train');
    expect([...source.options].map((o) => o.textContent)).toEqual(['not set', 'output train of split', 'data collected from loop trials']);
    fireEvent.change(source, { target: { value: 'source:split.train' } });
    expect(onConnect).toHaveBeenLastCalledWith('train', { task: 'split', output: 'train' });
  });
});
