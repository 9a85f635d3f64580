// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsView } from './MetricsView';

afterEach(cleanup);

const points = (n: number): { step: number; value: number }[] => Array.from({ length: n }, (_, i) => ({ step: i + 1, value: 1 / (i + 1) }));

describe('a task\'s metric charts', () => {
  it('puts what the steps count on the x axis when the component said so (issue 12)', () => {
    render(<MetricsView series={[{ taskId: 'train', key: 'loss', stepLabel: 'epoch', points: points(40) }]} />);
    expect(screen.getByText('loss per epoch')).toBeTruthy();
    expect(screen.getByRole('img', { name: 'loss per epoch' }).textContent).toContain('loss by epoch. loss: 40 points');
  });

  it('says "step" for a series that does not say what its steps count', () => {
    render(<MetricsView series={[{ taskId: 'train', key: 'loss', points: points(3) }]} />);
    expect(screen.getByText('loss per step')).toBeTruthy();
  });
});
