import * as v from 'valibot';

const FiniteNumber = v.pipe(v.number(), v.finite());
const ColumnName = v.pipe(v.string(), v.minLength(1));

/**
 * A numeric column for modelling: z = (x − mean) / std, or with `log`, z = (ln x − mean) / std.
 * mean and std are those of the training column (after the log); std is 1 for a constant column.
 */
export const NumericTransform = v.strictObject({
  type: v.literal('numeric'),
  column: ColumnName,
  log: v.boolean(),
  mean: FiniteNumber,
  std: v.pipe(v.number(), v.finite(), v.gtValue(0)),
});
export type NumericTransform = v.InferOutput<typeof NumericTransform>;

/** A categorical column for modelling: one 0/1 feature per level, in this order. */
export const OneHotTransform = v.strictObject({
  type: v.literal('one-hot'),
  column: ColumnName,
  levels: v.pipe(
    v.array(v.string()),
    v.minLength(1),
    v.check((levels) => new Set(levels).size === levels.length, 'one-hot levels must be distinct'),
  ),
});
export type OneHotTransform = v.InferOutput<typeof OneHotTransform>;

export const ColumnTransform = v.variant('type', [NumericTransform, OneHotTransform]);
export type ColumnTransform = v.InferOutput<typeof ColumnTransform>;

/** How a trained model's inputs and outputs map to table columns; stored in the model file. */
export const TableEncoding = v.strictObject({
  version: v.literal(1),
  inputs: v.array(ColumnTransform),
  outputs: v.array(NumericTransform),
});
export type TableEncoding = v.InferOutput<typeof TableEncoding>;
