import { describe, expect, it } from 'vitest';
import type { EarlyStopping, Objective, TrialRecord } from '../../dsl/ir/tuneSpace';
import { judgeTrial, type Judgement } from './index';

const minimize: Objective = { metric: 'loss', goal: 'minimize' };

/** A learning curve: loss falls from 1 + final towards `final`. */
const curve = (final: number, steps: number, from = 1): { step: number; value: number }[] =>
  Array.from({ length: steps - from + 1 }, (_, i) => ({ step: from + i, value: final + Math.exp(-(from + i) / 3) }));

const trial = (number: number, state: TrialRecord['state'], intermediate: TrialRecord['intermediate'], value?: number): TrialRecord => ({
  number,
  params: {},
  state,
  intermediate,
  ...(value === undefined ? {} : { value }),
});

describe('judgeTrial: median stopping rule', () => {
  const rule: EarlyStopping = { rule: 'median' };
  const finals = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45];
  const completed = finals.map((f, i) => trial(i, 'succeeded', curve(f, 10), f + Math.exp(-10 / 3)));

  it('stops a clearly worse trial at its last step, saying why', () => {
    const bad = trial(6, 'running', curve(0.9, 8));
    const j = judgeTrial({ rule, objective: minimize, trial: bad, others: completed });
    expect(j.stop).toBe(true);
    const stop = j as Extract<Judgement, { stop: true }>;
    expect(stop.step).toBe(8);
    // The median of the six completed trials at step 8: (0.3 + 0.35)/2 + e^(-8/3).
    const med = 0.325 + Math.exp(-8 / 3);
    expect(stop.reason).toMatch(/^loss 0\.9\d+ \(its best by step 8\) is worse than the median 0\.3\d+ of 6 completed trials at step 8$/);
    expect(stop.reason).toContain(String(Number.parseFloat(med.toPrecision(4))));
  });

  it('keeps a good trial', () => {
    expect(judgeTrial({ rule, objective: minimize, trial: trial(6, 'running', curve(0.1, 8)), others: completed })).toEqual({ stop: false });
  });

  it('compares the best value so far, not the last one', () => {
    const spiky = trial(6, 'running', [...curve(0.1, 7), { step: 8, value: 5 }]);
    expect(judgeTrial({ rule, objective: minimize, trial: spiky, others: completed }).stop).toBe(false);
  });

  it('waits for startupTrials completed trials (pruned and running ones do not count) and for warmupSteps', () => {
    const bad = trial(9, 'running', curve(0.9, 8));
    const four = completed.slice(0, 4);
    const notCompleted = [trial(4, 'pruned', curve(0.1, 8)), trial(5, 'running', curve(0.1, 8)), trial(6, 'failed', curve(0.1, 8))];
    expect(judgeTrial({ rule, objective: minimize, trial: bad, others: [...four, ...notCompleted] }).stop).toBe(false);
    expect(judgeTrial({ rule: { rule: 'median', startupTrials: 4 }, objective: minimize, trial: bad, others: four }).stop).toBe(true);
    expect(judgeTrial({ rule: { rule: 'median', warmupSteps: 9 }, objective: minimize, trial: bad, others: completed }).stop).toBe(false);
    expect(judgeTrial({ rule: { rule: 'median', warmupSteps: 8 }, objective: minimize, trial: bad, others: completed }).stop).toBe(true);
  });

  it('gives no verdict at a step no completed trial reported', () => {
    const bad = trial(6, 'running', curve(0.9, 12));
    expect(judgeTrial({ rule, objective: minimize, trial: bad, others: completed }).stop).toBe(false);
  });

  it('maximises when the goal says so', () => {
    const acc = (f: number, steps: number) => curve(f, steps).map((p) => ({ step: p.step, value: 1 - p.value }));
    const others = finals.map((f, i) => trial(i, 'succeeded', acc(f, 10)));
    const objective: Objective = { metric: 'accuracy', goal: 'maximize' };
    expect(judgeTrial({ rule, objective, trial: trial(6, 'running', acc(0.9, 8)), others }).stop).toBe(true);
    expect(judgeTrial({ rule, objective, trial: trial(6, 'running', acc(0.1, 8)), others }).stop).toBe(false);
  });
});

/**
 * A study of `qualities.length` trials, `parallel` at a time, each running `maxSteps` steps with
 * loss quality + 1/step, judged after every step (what the study engine does on each report).
 * Returns each trial's record in the end.
 */
function simulateAsha(rule: EarlyStopping, qualities: number[], parallel: number, maxSteps: number): TrialRecord[] {
  const trials: TrialRecord[] = [];
  const active: TrialRecord[] = [];
  let next = 0;
  const stoppedAt = new Map<number, string>();
  while (next < qualities.length || active.length > 0) {
    while (active.length < parallel && next < qualities.length) {
      const t = trial(next++, 'running', []);
      trials.push(t);
      active.push(t);
    }
    // Round-robin: every active trial reports one step, in turn.
    for (const t of [...active]) {
      const step = t.intermediate.length + 1;
      t.intermediate.push({ step, value: qualities[t.number]! + 1 / step });
      const j = judgeTrial({ rule, objective: minimize, trial: t, others: trials.filter((o) => o !== t) });
      if (j.stop) {
        t.state = 'pruned';
        stoppedAt.set(t.number, j.reason);
      } else if (step === maxSteps) {
        t.state = 'succeeded';
        t.value = qualities[t.number]! + 1 / step;
      }
      if (t.state !== 'running') active.splice(active.indexOf(t), 1);
    }
  }
  return trials;
}

describe('judgeTrial: ASHA', () => {
  // A fixed shuffle of 27 qualities 0.00, 0.01, …, 0.26; the best arrives halfway.
  const qualities = Array.from({ length: 27 }, (_, i) => ((i * 10 + 5) % 27) / 100);

  it.each([1, 3, 8])('stops only at rungs, runs the best trial to the end and stops the clearly worse ones at the first rung (parallelism %i)', (parallel) => {
    const rule: EarlyStopping = { rule: 'asha', minResource: 1, reductionFactor: 3, maxResource: 27 };
    const trials = simulateAsha(rule, qualities, parallel, 27);
    const steps = (t: TrialRecord) => t.intermediate.length;
    const q = (t: TrialRecord) => qualities[t.number]!;
    for (const t of trials.filter((t) => t.state === 'pruned')) expect([1, 3, 9]).toContain(steps(t));
    expect(trials.find((t) => q(t) === 0)!.state).toBe('succeeded');
    // Only good trials run to the end (asynchronous: a good one that came after better ones may not).
    for (const t of trials.filter((t) => t.state === 'succeeded')) expect(q(t)).toBeLessThanOrEqual(0.05);
    // The worse half stops at the first rung (the first three trials fill the rung first).
    for (const t of trials.filter((t) => q(t) >= 0.14 && t.number >= 3)) expect(steps(t), `trial ${t.number}`).toBe(1);
    expect(trials.filter((t) => t.state === 'pruned').length).toBeGreaterThanOrEqual(20);
  });

  it('judges each rung once, when the trial reaches it, not again as better trials arrive', () => {
    const rule: EarlyStopping = { rule: 'asha', minResource: 1, reductionFactor: 2 };
    const me = trial(0, 'running', [{ step: 1, value: 0.5 }, { step: 2, value: 0.4 }, { step: 3, value: 0.35 }]);
    // Three better trials reached rung 1 and 2 after it did; at step 3 it is between rungs: no verdict.
    const later = [0.1, 0.2, 0.3].map((v, i) => trial(i + 1, 'running', [{ step: 1, value: v }, { step: 2, value: v }]));
    expect(judgeTrial({ rule, objective: minimize, trial: me, others: later })).toEqual({ stop: false });
  });

  it('judges every rung crossed since the last judgement when steps arrive in a batch', () => {
    const rule: EarlyStopping = { rule: 'asha', minResource: 1, reductionFactor: 2 };
    const others = [0.1, 0.2, 0.3].map((v, i) => trial(i + 1, 'succeeded', [{ step: 1, value: v }, { step: 2, value: v }, { step: 4, value: v }]));
    // Good at rung 1, bad at rung 2; reported steps 1–3 at once.
    const me = trial(0, 'running', [{ step: 1, value: 0.05 }, { step: 2, value: 0.9 }, { step: 3, value: 0.9 }]);
    expect(judgeTrial({ rule, objective: minimize, trial: me, others })).toEqual({ stop: false });
    const j = judgeTrial({ rule, objective: minimize, trial: me, others, judgedThrough: 0 });
    expect(j).toMatchObject({ stop: true, step: 3 });
    expect((j as { reason: string }).reason).toContain('at rung 2 (step 2)');
    expect(judgeTrial({ rule, objective: minimize, trial: me, others, judgedThrough: 2 })).toEqual({ stop: false });
  });

  it('says which rung, how many trials reached it and where the cut was', () => {
    const rule: EarlyStopping = { rule: 'asha', minResource: 2, reductionFactor: 2 };
    const others = [0.1, 0.2, 0.3].map((q, i) => trial(i, 'succeeded', [{ step: 1, value: q + 1 }, { step: 2, value: q + 0.5 }, { step: 4, value: q }]));
    const j = judgeTrial({ rule, objective: minimize, trial: trial(3, 'running', [{ step: 1, value: 2 }, { step: 3, value: 1.5 }]), others });
    // Reached rung 2 at step 3; four trials at rung 2 (0.6, 0.7, 0.8 and its 1.5): the top 2 stay.
    expect(j).toEqual({ stop: true, step: 3, reason: 'loss 1.5 at rung 2 (step 3) is not in the top 1/2 (2 of 4) of the 4 trials that reached it: the cut is 0.7' });
    // Fewer than η at the rung: only the best goes on.
    const few = judgeTrial({ rule: { ...rule, reductionFactor: 3 }, objective: minimize, trial: trial(3, 'running', [{ step: 2, value: 0.65 }]), others: others.slice(0, 1) });
    expect(few.stop && few.reason).toContain('is not the best of the 2 trials');
    expect(judgeTrial({ rule, objective: minimize, trial: trial(3, 'running', [{ step: 2, value: 0.65 }]), others })).toEqual({ stop: false });
    // Before the first rung: no verdict.
    expect(judgeTrial({ rule, objective: minimize, trial: trial(3, 'running', [{ step: 1, value: 9 }]), others })).toEqual({ stop: false });
  });

  it('does not judge at or past maxResource, where the trial simply completes', () => {
    const rule: EarlyStopping = { rule: 'asha', minResource: 4, reductionFactor: 2, maxResource: 4 };
    const others = [trial(0, 'succeeded', [{ step: 4, value: 0 }])];
    expect(judgeTrial({ rule, objective: minimize, trial: trial(1, 'running', [{ step: 4, value: 9 }]), others }).stop).toBe(false);
  });
});
