// A dataset's stored read choices as readTable options (the ignore list goes to a task's spec instead).
import type { DatasetReadOptions } from '../db/database.ts';
import type { ReadTableOptions } from '../../../shared/engine/table/read.ts';

export function tableReadOptions(options: DatasetReadOptions | undefined): ReadTableOptions {
  return { ...(options?.encoding ? { encoding: options.encoding } : {}), ...(options?.kinds ? { kinds: { ...options.kinds } } : {}) };
}
