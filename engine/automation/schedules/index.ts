/** Schedules (Temporal Schedules starting `scheduledRun`). */
export {
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  describeSchedule,
  listSchedules,
  OVERLAP_POLICIES,
  pauseSchedule,
  resumeSchedule,
  ScheduleError,
  scheduleInputSchema,
  triggerSchedule,
} from './schedules';
export type { OverlapPolicy, ScheduleDeps, ScheduleErrorCode, ScheduleInput, ScheduleSummary } from './schedules';
