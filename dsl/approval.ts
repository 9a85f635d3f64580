/**
 * The built-in approval gate. The workflow itself waits (durably: across worker and server
 * restarts) until someone runs `sluice runs approve|reject <run> [task]`; a rejection or a missed
 * deadline fails the gate, and so the run (the exit handler still runs).
 */
import { defineComponent } from './component';
import { NonRetryableError } from './errors';
import { sha256Hex } from './ir/digest';
import { t } from './ports';

export const APPROVAL_COMPONENT_NAME = 'approval';

export const approval = defineComponent(
  {
    name: APPROVAL_COMPONENT_NAME,
    description: 'Waits until a person approves or rejects the run (sluice runs approve|reject).',
    category: 'control',
    inputs: {
      message: t.string({ optional: true, description: 'What the approver is asked, shown by `sluice runs show`' }),
      deadline: t.duration({ optional: true, description: 'e.g. "30m", "2d": without a decision by then the gate fails' }),
    },
    outputs: {
      approved: t.bool(),
      comment: t.string(),
      by: t.string(),
    },
  },
  { kind: 'approval', digest: sha256Hex('sluice/approval@1') },
  () => {
    throw new NonRetryableError('the approval gate is run by the workflow, never by a worker');
  },
);
