// The local store: everything a user does in the browser, kept in IndexedDB through Dexie.
// Datasets, files and results are immutable (a change makes a new record), so sync can
// only ever conflict on small metadata (names, folders).
import Dexie, { type DexieOptions, type EntityTable } from 'dexie';
import type { TextEncodingName } from '../../../shared/engine/table/decode.ts';
import type { ColumnKind } from '../../../shared/engine/table/table.ts';

export interface FolderRecord {
  id: string;
  name: string;
  parentId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ProjectRecord {
  id: string;
  name: string;
  folderId: string | null;
  createdAt: number;
  updatedAt: number;
  /** Set when moved to the trash; null while the project is live. */
  deletedAt: number | null;
}

/** A file's raw bytes, stored once however many datasets use it. */
export interface FileRecord {
  sha256: string;
  bytes: Uint8Array;
  size: number;
  createdAt: number;
}

export interface DatasetRecord {
  id: string;
  projectId: string;
  name: string;
  /** 1 for the first import; appending rows makes version + 1 with parentId set. */
  version: number;
  parentId: string | null;
  fileName: string;
  fileSha256: string;
  rowCount: number;
  columnCount: number;
  createdAt: number;
  /** How the file is read (the import screen's choices); absent: detected. Not indexed, so no schema change. */
  readOptions?: DatasetReadOptions;
}

/** The import screen's overrides, passed to readTable wherever the dataset is read. */
export interface DatasetReadOptions {
  encoding?: TextEncodingName;
  kinds?: Record<string, ColumnKind>;
  /** Columns never used as model inputs (added to a task's spec.ignore). */
  ignore?: string[];
}

export type TaskStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface TaskRecord {
  id: string;
  projectId: string;
  datasetId: string;
  name: string;
  /** The analysis spec (validated by its shared/schema schema where it is made). */
  spec: unknown;
  status: TaskStatus;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

export type ResultKind = 'training' | 'prediction' | 'explanation' | 'optimization' | 'suggestion' | 'design';

export interface ResultRecord {
  id: string;
  taskId: string;
  kind: ResultKind;
  payload: unknown;
  createdAt: number;
}

export const DATABASE_NAME = 'sigma';

export class SigmaDatabase extends Dexie {
  folders!: EntityTable<FolderRecord, 'id'>;
  projects!: EntityTable<ProjectRecord, 'id'>;
  files!: EntityTable<FileRecord, 'sha256'>;
  datasets!: EntityTable<DatasetRecord, 'id'>;
  tasks!: EntityTable<TaskRecord, 'id'>;
  results!: EntityTable<ResultRecord, 'id'>;

  constructor(name = DATABASE_NAME, options?: DexieOptions) {
    super(name, options);
    // Schema version 1. A later change adds version(2) with an upgrade function; never edit this one.
    this.version(1).stores({
      folders: 'id, parentId, name',
      projects: 'id, folderId, name, updatedAt, deletedAt',
      files: 'sha256',
      datasets: 'id, projectId, fileSha256, [projectId+name+version]',
      tasks: 'id, projectId, datasetId, status, createdAt',
      results: 'id, taskId, kind, createdAt',
    });
  }
}
