// A dataset's stored read choices: as readTable options (the ignore list goes to a task's spec
// instead), and as the import screen's one switch per column.
import type { DatasetReadOptions } from '../db/database.ts';
import type { ReadTableOptions } from '../../../shared/engine/table/read.ts';
import type { ColumnKind } from '../../../shared/engine/table/table.ts';

export function tableReadOptions(options: DatasetReadOptions | undefined): ReadTableOptions {
  return { ...(options?.encoding ? { encoding: options.encoding } : {}), ...(options?.kinds ? { kinds: { ...options.kinds } } : {}) };
}

/** What the import screen offers for a column: a kind the engine reads it as, or left out of every model. */
export type ColumnUse = ColumnKind | 'ignore';

export const COLUMN_USES: readonly ColumnUse[] = ['numeric', 'categorical', 'identifier', 'ignore'];

export function columnUse(options: DatasetReadOptions | undefined, name: string, kind: ColumnKind): ColumnUse {
  return options?.ignore?.includes(name) ? 'ignore' : kind;
}

/**
 * The read options after the user picks `use` for a column detected as `detected`. A kind equal
 * to the detected one is no override (so a column keeps following detection); `ignore` keeps the
 * column's kind and lists it in `ignore`. Empty parts are dropped, and the input is not changed.
 */
export function withColumnUse(options: DatasetReadOptions | undefined, name: string, use: ColumnUse, detected: ColumnKind): DatasetReadOptions {
  const kinds = { ...options?.kinds };
  const ignore = (options?.ignore ?? []).filter((n) => n !== name);
  if (use === 'ignore') ignore.push(name);
  else if (use === detected) delete kinds[name];
  else kinds[name] = use;
  return {
    ...(options?.encoding ? { encoding: options.encoding } : {}),
    ...(Object.keys(kinds).length > 0 ? { kinds } : {}),
    ...(ignore.length > 0 ? { ignore } : {}),
  };
}

/** Columns a task may take as inputs: numeric or categorical, not ignored, not an output. */
export function usableInputs(columns: readonly { name: string; kind: ColumnKind }[], options: DatasetReadOptions | undefined, outputs: readonly string[]): string[] {
  const ignore = options?.ignore ?? [];
  return columns
    .filter((c) => (c.kind === 'numeric' || c.kind === 'categorical') && !ignore.includes(c.name) && !outputs.includes(c.name))
    .map((c) => c.name);
}
