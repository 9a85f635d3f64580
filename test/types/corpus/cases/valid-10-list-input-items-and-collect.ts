// category: valid
// expect: valid
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

export default pipeline({ name: 'c', inputs: { lrs: t.list(t.float()) } }, (p) => {
  const l = p.task(load, {});
  const sweep = p.forEach(p.inputs.lrs, (lr) => {
    const tr = p.task(train, { data: l.outputs.data, lr });
    const ev = p.task(evaluate, { model: tr.outputs.model, test: l.outputs.data, metric: 'f1-macro' });
    return { model: tr.outputs.model, score: ev.outputs.score };
  }, { parallelism: 2, minSuccessRatio: 0.5 });
  const best = p.task(pick, { models: collect(sweep.outputs.model), scores: collect(sweep.outputs.score) });
  return { best: best.outputs.best };
});
