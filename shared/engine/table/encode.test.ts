import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { TableEncoding } from '../../schema/table-encoding.ts';
import {
  applyNumericTransform,
  applyOneHotTransform,
  decodeOutputs,
  encodeInputs,
  encodeOutputs,
  fitEncoding,
  invertNumericTransform,
  invertOneHotTransform,
  isPositiveSkewed,
} from './encode.ts';
import { TableError } from './errors.ts';
import { handleMissing } from './missing.ts';
import { readTable } from './read.ts';
import { createTable } from './table.ts';

const table = createTable([
  { name: 'x', kind: 'numeric', values: Float64Array.from([1, 2, 3, 4]) },
  { name: 'g', kind: 'categorical', values: ['b', 'a', 'b', 'c'] },
  { name: 'id', kind: 'identifier', values: ['r1', 'r2', 'r3', 'r4'] },
  { name: 'y', kind: 'numeric', values: Float64Array.from([1, 10, 100, 1000]) },
  { name: 'z', kind: 'numeric', values: Float64Array.from([-1, 0, 1, 0]) },
]);

/** Distance in units in the last place, so "equal up to rounding" has a precise meaning. */
function ulps(a: number, b: number): number {
  return Math.abs(a - b) / (Number.EPSILON * Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE));
}

describe('fitEncoding', () => {
  const encoding = fitEncoding(table, ['x', 'g'], ['y', 'z'], { logOutputs: ['y'] });

  it('learns mean, population std and sorted levels', () => {
    const ln10 = Math.log(10);
    expect(encoding.inputs).toEqual([
      { type: 'numeric', column: 'x', log: false, mean: 2.5, std: Math.sqrt(1.25) },
      { type: 'one-hot', column: 'g', levels: ['a', 'b', 'c'] },
    ]);
    expect(encoding.outputs[0]).toMatchObject({ column: 'y', log: true });
    expect(encoding.outputs[0].mean).toBeCloseTo(1.5 * ln10, 14);
    expect(encoding.outputs[0].std).toBeCloseTo(Math.sqrt(1.25) * ln10, 14);
    expect(encoding.outputs[1]).toEqual({ type: 'numeric', column: 'z', log: false, mean: 0, std: Math.sqrt(0.5) });
    expect(v.parse(TableEncoding, encoding)).toEqual(encoding);
  });

  it('encodes inputs row-major, one-hot after numeric', () => {
    const { matrix, rows, features } = encodeInputs(encoding, table);
    expect(rows).toBe(4);
    expect(features).toEqual(['x', 'g=a', 'g=b', 'g=c']);
    const s = Math.sqrt(1.25);
    expect([...matrix]).toEqual([-1.5 / s, 0, 1, 0, -0.5 / s, 1, 0, 0, 0.5 / s, 0, 1, 0, 1.5 / s, 0, 0, 1]);
  });

  it('round-trips outputs through encode and decode to within 2 ulps', () => {
    const { matrix, rows } = encodeOutputs(encoding, table);
    const [y, z] = decodeOutputs(encoding, matrix, rows);
    [1, 10, 100, 1000].forEach((expected, i) => expect(ulps(y[i], expected)).toBeLessThanOrEqual(2));
    expect([...z]).toEqual([-1, 0, 1, 0]);
  });

  it('round-trips through JSON without changing a bit', () => {
    const restored = v.parse(TableEncoding, JSON.parse(JSON.stringify(encoding)));
    expect(restored).toEqual(encoding);
    expect(encodeInputs(restored, table).matrix).toEqual(encodeInputs(encoding, table).matrix);
  });

  it('refuses identifiers, non-positive logs and unknown columns', () => {
    expect(() => fitEncoding(table, ['id'], ['y'])).toThrow('column id is an identifier and cannot be a model input');
    expect(() => fitEncoding(table, ['x'], ['z'], { logOutputs: ['z'] })).toThrow(
      'column z has values ≤ 0, so it cannot be log-transformed',
    );
    expect(() => fitEncoding(table, ['x'], ['g'])).toThrow('output column g has no numbers (it was read as categorical)');
    expect(() => fitEncoding(table, ['x'], ['y'], { logOutputs: ['x'] })).toThrow(TableError);
  });
});

describe('single transforms', () => {
  it('inverts standardization of awkward values up to the rounding of the arithmetic', () => {
    // x → (x − m)/s → z·s + m rounds twice at the scale of |x| + |m|, so a value far below the
    // mean keeps an absolute, not relative, error of a few ε·|m|; the log adds ε·|ln x| relative.
    const values = Float64Array.from([0.1, 0.2, 0.3, 1e-9, 123456.789, -7.25, 1 / 3]);
    for (const log of [false, true]) {
      const input = log ? values.map(Math.abs) : values;
      const transform = { type: 'numeric' as const, column: 'c', log, mean: 0.7, std: 3.3 };
      const back = invertNumericTransform(transform, applyNumericTransform(transform, input));
      input.forEach((x, i) => {
        const scale = log ? x * (Math.abs(Math.log(x)) + 0.7 + 1) : Math.abs(x) + 0.7;
        expect(Math.abs(back[i] - x)).toBeLessThanOrEqual(4 * Number.EPSILON * scale);
      });
    }
  });

  it('inverts one-hot exactly, and marks missing and unseen labels', () => {
    const transform = { type: 'one-hot' as const, column: 'g', levels: ['a', 'b', 'c'] };
    const labels = ['c', 'a', 'b', 'a'];
    const features = applyOneHotTransform(transform, labels);
    expect(features.map((f) => [...f])).toEqual([
      [0, 1, 0, 1],
      [0, 0, 1, 0],
      [1, 0, 0, 0],
    ]);
    expect(invertOneHotTransform(transform, features)).toEqual(labels);
    expect(applyOneHotTransform(transform, [null]).map((f) => f[0])).toEqual([NaN, NaN, NaN]);
    expect(() => applyOneHotTransform(transform, ['a', 'd'])).toThrow('column g has a label not seen in training (row 2)');
  });

  it('rejects malformed transforms at the schema', () => {
    expect(v.safeParse(TableEncoding, { version: 1, inputs: [{ type: 'one-hot', column: 'g', levels: ['a', 'a'] }], outputs: [] }).success).toBe(false);
    expect(
      v.safeParse(TableEncoding, { version: 1, inputs: [], outputs: [{ type: 'numeric', column: 'y', log: false, mean: 0, std: 0 }] }).success,
    ).toBe(false);
  });
});

describe('isPositiveSkewed', () => {
  it('flags positive right-skewed columns only', () => {
    // Skewness of 1, 1, 1, 1, 10 is 69.984 / 12.96^1.5 = 1.5.
    expect(isPositiveSkewed([1, 1, 1, 1, 10])).toBe(true);
    expect(isPositiveSkewed([1, 2, 3, 4, 5])).toBe(false);
    expect(isPositiveSkewed([0, 1, 1, 1, 10])).toBe(false);
  });
});

describe('encoding prestige', () => {
  it('standardizes to mean 0 and std 1 and one-hot encodes the occupation type', () => {
    const read = readTable(new Uint8Array(readFileSync(new URL('../../../../shared/data/prestige.csv', import.meta.url))));
    const { table: complete } = handleMissing(read.table, ['type'], { strategy: 'drop' });
    expect(complete.rowCount).toBe(98);
    const encoding = fitEncoding(complete, ['education', 'income', 'type'], ['prestige']);
    const { matrix, rows, features } = encodeInputs(encoding, complete);
    expect(features).toEqual(['education', 'income', 'type=bc', 'type=prof', 'type=wc']);
    const d = features.length;
    for (const j of [0, 1]) {
      let sum = 0;
      let squares = 0;
      for (let i = 0; i < rows; i++) {
        sum += matrix[i * d + j];
        squares += matrix[i * d + j] ** 2;
      }
      expect(sum / rows).toBeCloseTo(0, 12);
      expect(squares / rows).toBeCloseTo(1, 12);
    }
    const counts = [2, 3, 4].map((j) => Array.from({ length: rows }, (_, i) => matrix[i * d + j]).reduce((s, x) => s + x, 0));
    // Prestige has 44 blue-collar, 31 professional and 23 white-collar occupations with a type.
    expect(counts).toEqual([44, 31, 23]);
  });
});
