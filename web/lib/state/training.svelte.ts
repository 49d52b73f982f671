// The training queue: tasks run one at a time in the engine worker, in the order started,
// and keep running while the user moves between screens. Results go to the local store.
import { proxy } from 'comlink';
import { handleError, isAbortError } from '../errors.ts';
import { repositories } from '../db/index.ts';
import type { TaskRecord } from '../db/database.ts';
import { engine } from '../workers/engine.ts';
import { tableReadOptions } from '../analysis/read-options.ts';
import type { TrainSpecInput } from '../../../shared/schema/model-file.ts';
import type { FitProgressDetail } from '../../../shared/engine/models/types.ts';
import { extendLossCurve, type LossCurve } from './loss-curve.ts';

export interface TrainingProgress {
  fraction: number;
  stage: string;
  startedAt: number;
  /** The neural network's losses in the fit running now, while one trains. */
  curve: LossCurve | null;
}

class TrainingQueue {
  /** Progress of the running task, by task id. */
  running = $state<Record<string, TrainingProgress>>({});
  queued = $state<string[]>([]);
  /** Tasks started in this session, by id: what the queue list names and links to. */
  started = $state<Record<string, { name: string; projectId: string }>>({});
  /** Bumped when a task finishes, so screens reload what they show. */
  revision = $state(0);
  #controllers = new Map<string, AbortController>();
  #chain: Promise<void> = Promise.resolve();

  /** Creates the task record and queues its training. */
  async start(projectId: string, datasetId: string, name: string, spec: TrainSpecInput): Promise<TaskRecord> {
    const task = await repositories.tasks.create({ projectId, datasetId, name, spec });
    const controller = new AbortController();
    this.#controllers.set(task.id, controller);
    this.started = { ...this.started, [task.id]: { name, projectId } };
    this.queued = [...this.queued, task.id];
    this.#chain = this.#chain.then(() => this.#run(task, controller.signal));
    return task;
  }

  /** The running task, then the waiting ones in the order they will run. */
  get line(): { id: string; name: string; projectId: string; progress: TrainingProgress | null }[] {
    return [...Object.keys(this.running), ...this.queued]
      .filter((id) => id in this.started)
      .map((id) => ({ id, ...this.started[id], progress: this.running[id] ?? null }));
  }

  cancel(taskId: string): void {
    this.#controllers.get(taskId)?.abort();
  }

  async #run(task: TaskRecord, signal: AbortSignal): Promise<void> {
    this.queued = this.queued.filter((id) => id !== task.id);
    if (signal.aborted) {
      await repositories.tasks.setStatus(task.id, 'cancelled');
      this.#finish(task.id);
      return;
    }
    this.running = { ...this.running, [task.id]: { fraction: 0, stage: 'starting', startedAt: performance.now(), curve: null } };
    await repositories.tasks.setStatus(task.id, 'running');
    try {
      const bytes = await repositories.datasets.fileBytes(task.datasetId);
      const { readOptions } = await repositories.datasets.get(task.datasetId);
      const onProgress = proxy((fraction: number, stage: string, fits?: FitProgressDetail[]) => {
        const current = this.running[task.id];
        if (!current) return;
        const curve = fits ? extendLossCurve(current.curve, fits) : current.curve;
        this.running = { ...this.running, [task.id]: { ...current, fraction, stage, curve } };
      });
      const result = await engine.call(signal, 'train', bytes, tableReadOptions(readOptions), task.spec as TrainSpecInput, onProgress);
      await repositories.results.add(task.id, 'training', result);
      await repositories.tasks.setStatus(task.id, 'done');
    } catch (error) {
      if (isAbortError(error)) await repositories.tasks.setStatus(task.id, 'cancelled');
      else await repositories.tasks.setStatus(task.id, 'failed', handleError(error, 'Training failed'));
    }
    this.#finish(task.id);
  }

  #finish(taskId: string): void {
    const { [taskId]: _, ...rest } = this.running;
    this.running = rest;
    this.#controllers.delete(taskId);
    this.revision++;
  }
}

export const training = new TrainingQueue();
