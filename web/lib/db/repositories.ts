// The only way screens and state touch the local store.
import type { Clock } from './clock.ts';
import type {
  DatasetReadOptions,
  DatasetRecord,
  FolderRecord,
  ProjectRecord,
  ResultKind,
  ResultRecord,
  SigmaDatabase,
  TaskRecord,
  TaskStatus,
} from './database.ts';

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new RangeError('A name cannot be empty');
  if (trimmed.length > 200) throw new RangeError('A name can have at most 200 characters');
  return trimmed;
}

export class FoldersRepository {
  constructor(
    private readonly db: SigmaDatabase,
    private readonly clock: Clock,
  ) {}

  async create(name: string, parentId: string | null = null): Promise<FolderRecord> {
    const now = this.clock.now();
    const folder: FolderRecord = { id: crypto.randomUUID(), name: cleanName(name), parentId, createdAt: now, updatedAt: now };
    await this.db.folders.add(folder);
    return folder;
  }

  async rename(id: string, name: string): Promise<void> {
    const changed = await this.db.folders.update(id, { name: cleanName(name), updatedAt: this.clock.now() });
    if (!changed) throw new NotFoundError('No such folder');
  }

  list(): Promise<FolderRecord[]> {
    return this.db.folders.orderBy('name').toArray();
  }

  /** Deletes a folder; its projects (trashed ones too) move out of it, none is deleted. */
  async remove(id: string): Promise<void> {
    // Checked outside the transaction: Dexie rewraps an error named NotFoundError thrown inside one.
    if (!(await this.db.folders.get(id))) throw new NotFoundError('No such folder');
    await this.db.transaction('rw', this.db.folders, this.db.projects, async () => {
      const now = this.clock.now();
      await this.db.projects.where('folderId').equals(id).modify({ folderId: null, updatedAt: now });
      await this.db.folders.delete(id);
    });
  }
}

export class ProjectsRepository {
  constructor(
    private readonly db: SigmaDatabase,
    private readonly clock: Clock,
  ) {}

  async create(name: string, folderId: string | null = null): Promise<ProjectRecord> {
    const now = this.clock.now();
    const project: ProjectRecord = {
      id: crypto.randomUUID(),
      name: cleanName(name),
      folderId,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    await this.db.projects.add(project);
    return project;
  }

  async get(id: string): Promise<ProjectRecord> {
    const project = await this.db.projects.get(id);
    if (!project) throw new NotFoundError('No such project');
    return project;
  }

  /** Live projects (not in the trash), newest change first; optionally only names containing `search`. */
  async list({ folderId, search }: { folderId?: string | null; search?: string } = {}): Promise<ProjectRecord[]> {
    const needle = search?.trim().toLocaleLowerCase();
    const projects = await this.db.projects.orderBy('updatedAt').reverse().toArray();
    return projects.filter(
      (p) =>
        p.deletedAt === null &&
        (folderId === undefined || p.folderId === folderId) &&
        (!needle || p.name.toLocaleLowerCase().includes(needle)),
    );
  }

  async trash(): Promise<ProjectRecord[]> {
    return (await this.db.projects.toArray()).filter((p) => p.deletedAt !== null);
  }

  rename(id: string, name: string): Promise<void> {
    return this.#update(id, { name: cleanName(name) });
  }

  async moveToFolder(id: string, folderId: string | null): Promise<void> {
    if (folderId !== null && !(await this.db.folders.get(folderId))) throw new NotFoundError('No such folder');
    await this.#update(id, { folderId });
  }

  moveToTrash(id: string): Promise<void> {
    return this.#update(id, { deletedAt: this.clock.now() });
  }

  restore(id: string): Promise<void> {
    return this.#update(id, { deletedAt: null });
  }

  async #update(id: string, changes: Partial<ProjectRecord>): Promise<void> {
    const changed = await this.db.projects.update(id, { ...changes, updatedAt: this.clock.now() });
    if (!changed) throw new NotFoundError('No such project');
  }
}

export interface NewDataset {
  projectId: string;
  name: string;
  fileName: string;
  bytes: Uint8Array;
  rowCount: number;
  columnCount: number;
  /** The dataset this one extends (appended rows); its version + 1 is used. */
  parentId?: string;
  readOptions?: DatasetReadOptions;
}

export class DatasetsRepository {
  constructor(
    private readonly db: SigmaDatabase,
    private readonly clock: Clock,
  ) {}

  /** Stores the file (once per content) and a new immutable dataset record pointing at it. */
  async add(input: NewDataset): Promise<DatasetRecord> {
    const sha = await sha256Hex(input.bytes);
    const now = this.clock.now();
    return this.db.transaction('rw', this.db.files, this.db.datasets, async () => {
      const parent = input.parentId ? await this.db.datasets.get(input.parentId) : undefined;
      if (input.parentId && !parent) throw new NotFoundError('No such parent dataset');
      if (!(await this.db.files.get(sha))) {
        await this.db.files.add({ sha256: sha, bytes: input.bytes, size: input.bytes.length, createdAt: now });
      }
      const dataset: DatasetRecord = {
        id: crypto.randomUUID(),
        projectId: input.projectId,
        name: cleanName(input.name),
        version: parent ? parent.version + 1 : 1,
        parentId: parent?.id ?? null,
        fileName: input.fileName,
        fileSha256: sha,
        rowCount: input.rowCount,
        columnCount: input.columnCount,
        createdAt: now,
        ...(input.readOptions ? { readOptions: input.readOptions } : {}),
      };
      await this.db.datasets.add(dataset);
      return dataset;
    });
  }

  listByProject(projectId: string): Promise<DatasetRecord[]> {
    return this.db.datasets.where('projectId').equals(projectId).sortBy('createdAt');
  }

  async get(datasetId: string): Promise<DatasetRecord> {
    const dataset = await this.db.datasets.get(datasetId);
    if (!dataset) throw new NotFoundError('No such dataset');
    return dataset;
  }

  /**
   * Changes how the dataset is read (the import screen's column switches). The one change a
   * dataset takes in place: its file and rows stay as they are, and each task reads the options
   * when it trains.
   */
  async setReadOptions(datasetId: string, readOptions: DatasetReadOptions): Promise<DatasetRecord> {
    const dataset = await this.db.datasets.get(datasetId);
    if (!dataset) throw new NotFoundError('No such dataset');
    const { readOptions: _, ...rest } = dataset;
    const updated: DatasetRecord = Object.keys(readOptions).length > 0 ? { ...rest, readOptions } : rest;
    await this.db.datasets.put(updated);
    return updated;
  }

  async fileBytes(datasetId: string): Promise<Uint8Array> {
    const dataset = await this.db.datasets.get(datasetId);
    const file = dataset && (await this.db.files.get(dataset.fileSha256));
    if (!file) throw new NotFoundError('No such dataset');
    return file.bytes;
  }
}

export class TasksRepository {
  constructor(
    private readonly db: SigmaDatabase,
    private readonly clock: Clock,
  ) {}

  async create(input: { projectId: string; datasetId: string; name: string; spec: unknown }): Promise<TaskRecord> {
    const now = this.clock.now();
    const task: TaskRecord = { id: crypto.randomUUID(), ...input, name: cleanName(input.name), status: 'queued', error: null, createdAt: now, updatedAt: now };
    await this.db.tasks.add(task);
    return task;
  }

  async setStatus(id: string, status: TaskStatus, error: string | null = null): Promise<void> {
    const changed = await this.db.tasks.update(id, { status, error, updatedAt: this.clock.now() });
    if (!changed) throw new NotFoundError('No such task');
  }

  listByProject(projectId: string): Promise<TaskRecord[]> {
    return this.db.tasks.where('projectId').equals(projectId).sortBy('createdAt');
  }

  /** Tasks left running when the page closed: the queue restarts or marks them on start-up. */
  interrupted(): Promise<TaskRecord[]> {
    return this.db.tasks.where('status').equals('running').toArray();
  }
}

export class ResultsRepository {
  constructor(
    private readonly db: SigmaDatabase,
    private readonly clock: Clock,
  ) {}

  /** Results are immutable: add only, never update. */
  async add(taskId: string, kind: ResultKind, payload: unknown): Promise<ResultRecord> {
    if (!(await this.db.tasks.get(taskId))) throw new NotFoundError('No such task');
    const result: ResultRecord = { id: crypto.randomUUID(), taskId, kind, payload, createdAt: this.clock.now() };
    await this.db.results.add(result);
    return result;
  }

  listByTask(taskId: string, kind?: ResultKind): Promise<ResultRecord[]> {
    return this.db.results
      .where('taskId')
      .equals(taskId)
      .filter((r) => kind === undefined || r.kind === kind)
      .sortBy('createdAt');
  }
}

export interface Repositories {
  folders: FoldersRepository;
  projects: ProjectsRepository;
  datasets: DatasetsRepository;
  tasks: TasksRepository;
  results: ResultsRepository;
}

export function createRepositories(db: SigmaDatabase, clock: Clock): Repositories {
  return {
    folders: new FoldersRepository(db, clock),
    projects: new ProjectsRepository(db, clock),
    datasets: new DatasetsRepository(db, clock),
    tasks: new TasksRepository(db, clock),
    results: new ResultsRepository(db, clock),
  };
}
