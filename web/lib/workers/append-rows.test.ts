import { describe, expect, it } from 'vitest';
import { readTable } from '../../../shared/engine/table/read.ts';
import { appendRows } from './append-rows.ts';

const table = (text: string) => readTable(new TextEncoder().encode(text)).table;

describe('appending experiment results', () => {
  it('puts the sheet rows under the dataset columns, by name, and reads back as one table', () => {
    const dataset = table('id,a,b,y\nS1,1,x,10\nS2,2,"p, q",20\nS3,3,x,\n');
    const sheet = table('run,b,a,y\n1,x,4,40\n2,x,5,50\n');
    const result = appendRows(dataset, sheet);
    expect(result).toMatchObject({ rows: 5, added: 2, ignored: ['run'], blank: ['id'] });
    expect(result.csv).toBe('id,a,b,y\r\nS1,1,x,10\r\nS2,2,"p, q",20\r\nS3,3,x,\r\n,4,x,40\r\n,5,x,50\r\n');
    const combined = table(result.csv);
    expect(combined.rowCount).toBe(5);
    expect(Array.from(combined.columns.find((c) => c.name === 'y')?.values as Float64Array)).toEqual([10, 20, NaN, 40, 50]);
    // Unique sample IDs with blanks for the new rows are still IDs, never a model input.
    expect(combined.columns[0].kind).toBe('identifier');
  });

  it('refuses text in a numeric column, naming the row and column, and a file without shared columns', () => {
    const dataset = table('a,y\n1,10\n2,20\n');
    expect(() => appendRows(dataset, table('a,y\n3,abc\n'))).toThrow('Row 1 of the file, column "y": "abc" is not a number');
    expect(() => appendRows(dataset, table('p,q\n1,2\n3,4\n'))).toThrow(/none of the dataset's columns/);
  });
});
