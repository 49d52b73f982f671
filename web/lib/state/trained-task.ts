// A task with its training result and the latest result record of one analysis kind: what
// the factor, optimize and next-experiment screens open with.
import { repositories } from '../db/index.ts';
import type { ResultKind, ResultRecord, TaskRecord } from '../db/database.ts';
import type { ModelFile } from '../../../shared/schema/model-file.ts';
import type { TrainReport } from '../../../shared/engine/train/train.ts';

export interface TrainedTask {
  task: TaskRecord;
  training: { modelFile: ModelFile; report: TrainReport } | null;
}

export async function loadTrainedTask(projectId: string, taskId: string): Promise<TrainedTask | null> {
  const task = (await repositories.tasks.listByProject(projectId)).find((x) => x.id === taskId);
  if (!task) return null;
  const [stored] = await repositories.results.listByTask(taskId, 'training');
  return { task, training: (stored?.payload as TrainedTask['training']) ?? null };
}

/** Result records of one kind, newest first. */
export async function resultHistory(taskId: string, kind: ResultKind): Promise<ResultRecord[]> {
  return (await repositories.results.listByTask(taskId, kind)).reverse();
}
