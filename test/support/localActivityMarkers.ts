/** Reading local activities out of a workflow history (test/engine's light-step tests). */
import proto from '@temporalio/proto';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const EventType = proto.temporal.api.enums.v1.EventType;

/** The marker the SDK records for each local activity's result (patches have markers of their own). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** Local activity markers recorded by each completed workflow task of one history. */
export function markersPerWorkflowTask(events: HistoryEvent[]): number[] {
  const counts: number[] = [];
  for (const e of events) {
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) counts.push(0);
    else if (e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER && counts.length > 0) counts[counts.length - 1] = (counts[counts.length - 1] ?? 0) + 1;
  }
  return counts;
}
