// Everything the printable report of a task shows, read from the local store: the task, its
// dataset, the training result and the latest factor analysis, optimization and plan.
import { repositories } from '$lib/db/index.ts';
import type { DatasetRecord, TaskRecord } from '$lib/db/database.ts';
import type { ExplanationRecord, NextExperimentsRecord, OptimizationRecord } from '$lib/analysis/results.ts';
import { loadTrainedTask, type TrainedTask } from '$lib/state/trained-task.ts';

export interface TaskReport {
  task: TaskRecord;
  dataset: DatasetRecord | null;
  training: TrainedTask['training'];
  explanation: { createdAt: number; record: ExplanationRecord } | null;
  optimization: { createdAt: number; record: OptimizationRecord } | null;
  plan: { createdAt: number; record: NextExperimentsRecord } | null;
}

async function latest<T>(taskId: string, kinds: readonly ('explanation' | 'optimization' | 'suggestion' | 'design')[]): Promise<{ createdAt: number; record: T } | null> {
  const records = (await Promise.all(kinds.map((kind) => repositories.results.listByTask(taskId, kind)))).flat();
  const newest = records.sort((a, b) => b.createdAt - a.createdAt)[0];
  return newest ? { createdAt: newest.createdAt, record: newest.payload as T } : null;
}

export async function loadReport(projectId: string, taskId: string): Promise<TaskReport | null> {
  const trained = await loadTrainedTask(projectId, taskId);
  if (!trained) return null;
  const [dataset, explanation, optimization, plan] = await Promise.all([
    repositories.datasets.get(trained.task.datasetId).catch(() => null),
    latest<ExplanationRecord>(taskId, ['explanation']),
    latest<OptimizationRecord>(taskId, ['optimization']),
    latest<NextExperimentsRecord>(taskId, ['suggestion', 'design']),
  ]);
  return { task: trained.task, dataset, training: trained.training, explanation, optimization, plan };
}
