import { describe, expect, it } from 'vitest';
import { component, compile, pipeline, t } from '../index';
import { runLimitIssues } from './limits';

const inc = component({ name: 'inc', inputs: { x: t.int() }, outputs: { y: t.int() }, run: ({ x }) => ({ y: x + 1 }) });

describe('runLimitIssues', () => {
  it('passes a scope at the limit and refuses one over it, naming the count and the limit', () => {
    const flat = (n: number) =>
      compile(
        pipeline({ name: `flat-${n}` }, (p) => {
          for (let i = 0; i < n; i++) p.task(inc, { x: i }, { id: `t${i}` });
        }),
      ).spec;
    expect(runLimitIssues(flat(10), 10)).toEqual([]);
    const [issue, ...rest] = runLimitIssues(flat(11), 10);
    expect(rest).toEqual([]);
    expect(issue).toMatchObject({ code: 'too-large', pipeline: 'flat-11', path: ['dag', 'tasks'] });
    expect(issue?.message).toContain('pipeline "flat-11" has 11 tasks, but one workflow runs at most 10');
  });

  it('counts a loop as one node of its scope and checks its body, and checks nested pipelines on their own', () => {
    const inner = pipeline({ name: 'inner', inputs: { x: t.int() } }, (p) => {
      for (let i = 0; i < 4; i++) p.task(inc, { x: p.inputs.x }, { id: `i${i}` });
    });
    const spec = compile(
      pipeline({ name: 'outer', inputs: { xs: t.list(t.int()) } }, (p) => {
        p.forEach(
          p.inputs.xs,
          (x) => {
            for (let i = 0; i < 4; i++) p.task(inc, { x }, { id: `b${i}` });
          },
          { id: 'each' },
        );
        p.task(inner, { x: 1 }, { id: 'sub' });
      }),
    ).spec;
    const issues = runLimitIssues(spec, 3);
    expect(issues.map((i) => [i.pipeline, i.task, i.path.join('/')])).toEqual([
      ['outer', 'each', 'dag/tasks/each/loop/tasks'],
      ['inner', undefined, expect.stringMatching(/^components\/.+\/impl\/spec\/dag\/tasks$/)],
    ]);
    expect(runLimitIssues(spec, 4)).toEqual([]);
  });
});
