/**
 * Tuning studies of a run, for the API and the CLI alike: their trials as recorded (tune_trials),
 * the live settings of a running study (its `tuneStatus` query), and changes to a running study
 * (its `tuneControl` update). Errors carry a code; callers map them to a 4xx or a CLI error.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { indexPipeline, isTaskNode, type PipelineSpec } from '../../dsl/ir/index';
import type { Json, MetadataStore, RunRecord, TuneTrialRecord } from '../stores/metadata/index';
import { tuneControlUpdate, tuneStatusQuery } from '../temporal/workflows/index';
import { studyWorkflowId, type StudyControl, type StudyView } from '../temporal/workflows/types';

export type StudyErrorCode = 'no-study' | 'ambiguous-study' | 'study-ended' | 'refused';
export class StudyError extends Error {
  constructor(
    message: string,
    readonly code: StudyErrorCode,
  ) {
    super(message);
    this.name = 'StudyError';
  }
}

export interface StudyTrialRow {
  number: number;
  state: TuneTrialRecord['state'];
  params: Record<string, Json>;
  value: number | null;
  prunedStep: number | null;
  reason: string | null;
  executionId: string;
  startedAt: string;
  finishedAt: string | null;
}
export interface StudyReport {
  study: string;
  trials: StudyTrialRow[];
  best: { number: number; value: number; params: Record<string, Json> } | null;
  control: { parallelTrials: number; maxTrials: number; stopRequested: boolean } | null;
}

const isFinal = (run: RunRecord): boolean => run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled';

/** Best of the recorded trials: the study's goal is not recorded with them, so the live view's, else the lowest/highest by `goal`. */
function bestOf(trials: StudyTrialRow[], goal: 'minimize' | 'maximize'): StudyReport['best'] {
  let best: StudyTrialRow | undefined;
  for (const t of trials) {
    if (t.state !== 'succeeded' || t.value === null) continue;
    if (!best || (goal === 'minimize' ? t.value < (best.value as number) : t.value > (best.value as number))) best = t;
  }
  return best ? { number: best.number, value: best.value as number, params: best.params } : null;
}

/** The run's studies with their trials; a running study's settings come from its workflow (bounded wait, null when it does not answer). */
export async function readStudies(metadata: MetadataStore, client: Client | undefined, run: RunRecord): Promise<StudyReport[]> {
  const rows = await metadata.listTuneTrials(run.id);
  const byStudy = new Map<string, StudyTrialRow[]>();
  for (const r of rows) {
    const list = byStudy.get(r.study) ?? [];
    list.push({
      number: r.number,
      state: r.state,
      params: r.params,
      value: r.value,
      prunedStep: r.prunedStep,
      reason: r.reason,
      executionId: r.executionId,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
    });
    byStudy.set(r.study, list);
  }
  const goals = await goalsOf(run, metadata, byStudy.keys());
  // Only studies with a trial running are asked (all at once, each with its own deadline); a study
  // with none has ended (or is between two trials for an instant) and its recorded trials say all.
  const asker = isFinal(run) ? undefined : client;
  const live = asker ? [...byStudy].filter(([, trials]) => trials.some((t) => t.state === 'running')).map(([study]) => study) : [];
  const views = new Map(
    await Promise.all(
      live.map(async (study) => {
        const view = await asker
          ?.withDeadline(Date.now() + 5000, () => asker.workflow.getHandle(studyWorkflowId(run.id, study)).query(tuneStatusQuery))
          .catch(() => undefined);
        return [study, view] as const;
      }),
    ),
  );
  return [...byStudy].map(([study, trials]) => {
    const view = views.get(study);
    const control: StudyReport['control'] = view ? { parallelTrials: view.parallelTrials, maxTrials: view.maxTrials, stopRequested: view.stopRequested } : null;
    return { study, trials, best: view?.best ?? bestOf(trials, goals.get(study) ?? 'minimize'), control };
  });
}

/**
 * A study's goal, from the run's pipeline version: its path ("tune", "loop[2]/tune",
 * "sub/loop[0]/tune") is walked through loops (one index covers a pipeline's nested scopes) and
 * nested pipelines (their own spec). Undefined when the path does not lead to a study.
 */
export function studyGoal(spec: PipelineSpec, study: string): 'minimize' | 'maximize' | undefined {
  let current = spec;
  const segments = study.split('/').map((s) => s.replace(/\[\d+\]$/, ''));
  for (const [i, id] of segments.entries()) {
    const node = indexPipeline(current).nodes.get(id)?.node;
    if (!node || !isTaskNode(node)) {
      if (node && i < segments.length - 1) continue; // a loop: its body is in the same index
      return undefined;
    }
    if (i === segments.length - 1) return node.tune?.objective.goal;
    const impl = current.components[node.component]?.impl;
    if (impl?.kind !== 'pipeline') return undefined;
    current = impl.spec;
  }
  return undefined;
}

/** Each study's goal (minimize where the path leads to no study: a pipeline version changed under it). */
async function goalsOf(run: RunRecord, metadata: MetadataStore, studies: Iterable<string>): Promise<Map<string, 'minimize' | 'maximize'>> {
  const goals = new Map<string, 'minimize' | 'maximize'>();
  const version = await metadata.getPipelineVersion(run.pipelineVersionId);
  if (version) for (const study of studies) goals.set(study, studyGoal(version.spec, study) ?? 'minimize');
  return goals;
}

/**
 * Changes a running study; `study` may be left out when the run has exactly one. Without the
 * metadata store (its database is held by the process running the stack) the study must be named
 * and the run is taken as running.
 */
export async function controlStudy(metadata: MetadataStore | undefined, client: Client, run: RunRecord | { id: string }, study: string | undefined, change: StudyControl): Promise<StudyView> {
  if (metadata) {
    const studies = [...new Set((await metadata.listTuneTrials(run.id)).map((t) => t.study))];
    if (study === undefined) {
      if (studies.length === 0) throw new StudyError(`run ${run.id} has no tuning study with trials (yet)`, 'no-study');
      if (studies.length > 1) throw new StudyError(`run ${run.id} has several studies (${studies.join(', ')}); name one`, 'ambiguous-study');
      study = studies[0];
    } else if (!studies.includes(study)) {
      throw new StudyError(`run ${run.id} has no study "${study}"${studies.length ? ` (studies: ${studies.join(', ')})` : ''}`, 'no-study');
    }
  }
  if (study === undefined) throw new StudyError(`name the study of run ${run.id} (--study <task path>)`, 'ambiguous-study');
  if ('status' in run && isFinal(run)) throw new StudyError(`run ${run.id} already ${run.status}; only a running study can be changed`, 'study-ended');
  const name = study;
  try {
    return await client.withDeadline(Date.now() + 15_000, () => client.workflow.getHandle(studyWorkflowId(run.id, name)).executeUpdate(tuneControlUpdate, { args: [change] }));
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError) throw new StudyError(`study "${name}" of run ${run.id}: ${e.cause?.message ?? e.message}`, 'refused');
    if (e instanceof Error && e.name === 'WorkflowNotFoundError') throw new StudyError(`study "${name}" of run ${run.id} is not running`, 'study-ended');
    throw e;
  }
}
