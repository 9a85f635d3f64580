// category: unchecked-strings
// expect: compile port "deadline": deadline "2 days" is not a duration
import { approval, collect, component, eq, gt, ifRan, oneOf, pipeline, t } from 'sluice/dsl';
import { deploy, evaluate, load, notify, pick, split, train } from '../components';

const deadline = '2 days' as '2d';
export default pipeline({ name: 'c' }, (p) => {
  p.task(approval, { deadline });
});
