// The training queue with the store and the engine replaced: tasks run one at a time in the
// order started, the line lists the running one then the waiting ones, and a cancelled task
// lets the next one run.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const statuses: [string, string][] = [];
const results: string[] = [];
const pending = new Map<string, { resolve: (value: unknown) => void; signal: AbortSignal }>();
let created = 0;

vi.mock('../db/index.ts', () => ({
  repositories: {
    tasks: {
      create: async ({ projectId, datasetId, name, spec }: { projectId: string; datasetId: string; name: string; spec: unknown }) => ({
        id: `task-${++created}`,
        projectId,
        datasetId,
        name,
        spec,
      }),
      setStatus: async (id: string, status: string) => void statuses.push([id, status]),
    },
    datasets: {
      fileBytes: async () => new Uint8Array([1]),
      get: async () => ({ readOptions: undefined }),
    },
    results: { add: async (taskId: string) => void results.push(taskId) },
  },
}));

vi.mock('../workers/engine.ts', () => ({
  engine: {
    call: (
      signal: AbortSignal,
      _method: string,
      _bytes: Uint8Array,
      _options: unknown,
      spec: { name: string },
      onProgress: (f: number, s: string, fits?: { epoch: number; loss: number; valLoss: number; fold: number; folds: number }[]) => void,
    ) =>
      new Promise((resolve, reject) => {
        onProgress(0.2, 'cross-validation', [
          { epoch: 1, loss: 2, valLoss: 3, fold: 0, folds: 5 },
          { epoch: 2, loss: 1.5, valLoss: 2.5, fold: 0, folds: 5 },
        ]);
        onProgress(0.25, 'cross-validation', [{ epoch: 3, loss: 1, valLoss: 2, fold: 0, folds: 5 }]);
        signal.addEventListener('abort', () => reject(new DOMException('Aborted', 'AbortError')));
        pending.set(spec.name, { resolve, signal });
      }),
  },
}));

const { training } = await import('./training.svelte.ts');

/** Lets the queue's promise chain move on. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  statuses.length = 0;
  results.length = 0;
  pending.clear();
});

describe('training queue', () => {
  it('runs tasks one at a time in order, lists them, and moves on when one is cancelled', async () => {
    const a = await training.start('p1', 'd1', 'first', { name: 'first' } as never);
    const b = await training.start('p1', 'd1', 'second', { name: 'second' } as never);
    await settle();
    expect(training.line.map(({ id, name, projectId, progress }) => [id, name, projectId, progress?.fraction ?? null])).toEqual([
      [a.id, 'first', 'p1', 0.25],
      [b.id, 'second', 'p1', null],
    ]);
    expect([...pending.keys()]).toEqual(['first']);
    // The epochs reported so far make the running task's loss curve.
    expect(training.running[a.id].curve).toEqual({ candidate: null, fold: 0, folds: 5, epochs: [1, 2, 3], loss: [2, 1.5, 1], valLoss: [3, 2.5, 2] });

    training.cancel(a.id);
    await settle();
    await settle();
    expect(statuses).toContainEqual([a.id, 'cancelled']);
    expect(training.line.map((entry) => entry.id)).toEqual([b.id]);
    expect([...pending.keys()]).toEqual(['first', 'second']);

    const revision = training.revision;
    pending.get('second')?.resolve({ modelFile: {}, report: {} });
    await settle();
    await settle();
    expect(results).toEqual([b.id]);
    expect(statuses.at(-1)).toEqual([b.id, 'done']);
    expect(training.line).toEqual([]);
    expect(training.revision).toBe(revision + 1);
  });

  it('never starts a task cancelled while it waits', async () => {
    const a = await training.start('p1', 'd1', 'third', { name: 'third' } as never);
    const b = await training.start('p1', 'd1', 'fourth', { name: 'fourth' } as never);
    training.cancel(b.id);
    await settle();
    pending.get('third')?.resolve({ modelFile: {}, report: {} });
    await settle();
    await settle();
    expect(pending.has('fourth')).toBe(false);
    expect(statuses).toContainEqual([b.id, 'cancelled']);
    expect(statuses).toContainEqual([a.id, 'done']);
    expect(training.line).toEqual([]);
  });
});
