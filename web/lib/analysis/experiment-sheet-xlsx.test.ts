import { read, utils } from '@e965/xlsx';
import { describe, expect, it } from 'vitest';
import { experimentSheetXlsx } from './experiment-sheet-xlsx.ts';

describe('experimentSheetXlsx', () => {
  it('writes run, inputs and blank outputs, numbers as numbers, Japanese names intact', () => {
    const bytes = experimentSheetXlsx({
      inputs: ['樹脂A(wt%)', 'grade'],
      outputs: ['引張強度(MPa)', 'コスト(円/kg)'],
      runs: [
        { inputs: { '樹脂A(wt%)': 42.5, grade: 'B' }, reason: '' },
        { inputs: { '樹脂A(wt%)': 57.5, grade: 'A' }, reason: '' },
      ],
    });
    // An XLSX file is a ZIP archive: "PK\x03\x04".
    expect([...bytes.slice(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const book = read(bytes, { type: 'array' });
    expect(book.SheetNames).toEqual(['experiments']);
    const sheet = book.Sheets.experiments;
    const rows = utils.sheet_to_json<unknown[]>(sheet, { header: 1, defval: null });
    expect(rows).toEqual([
      ['run', '樹脂A(wt%)', 'grade', '引張強度(MPa)', 'コスト(円/kg)'],
      [1, 42.5, 'B', null, null],
      [2, 57.5, 'A', null, null],
    ]);
    expect(sheet.B2.t).toBe('n');
  });
});
