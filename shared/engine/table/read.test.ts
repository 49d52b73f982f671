import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { utils, write } from '@e965/xlsx';
import { TableError, type TableErrorCode } from './errors.ts';
import { readTable, type ReadTableOptions } from './read.ts';
import type { Column, Table } from './table.ts';

const DATA = new URL('../../../../shared/data/', import.meta.url);
const readData = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, DATA)));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function column(table: Table, name: string): Column {
  const found = table.columns.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no column ${name}`);
  return found;
}

function numbers(table: Table, name: string): number[] {
  const c = column(table, name);
  if (c.kind !== 'numeric') throw new Error(`${name} is ${c.kind}`);
  return [...c.values];
}

function texts(table: Table, name: string): (string | null)[] {
  const c = column(table, name);
  if (c.kind === 'numeric') throw new Error(`${name} is numeric`);
  return [...c.values];
}

function readError(bytes: Uint8Array, options?: ReadTableOptions): TableError {
  try {
    readTable(bytes, options);
  } catch (error) {
    if (error instanceof TableError) return error;
    throw error;
  }
  throw new Error('expected a TableError');
}

function expectError(bytes: Uint8Array, code: TableErrorCode, options?: ReadTableOptions): TableError {
  const error = readError(bytes, options);
  expect(error.code).toBe(code);
  return error;
}

describe('readTable on the shared data', () => {
  it('reads the Shift_JIS resin file with its Japanese headers', () => {
    const { table, report } = readTable(readData('resin_sjis.csv'));
    expect(report.encoding).toBe('shift_jis');
    expect(report.delimiter).toBe(',');
    expect(table.rowCount).toBe(60);
    expect(table.columns.map((c) => c.name)).toEqual([
      '試料No',
      '樹脂A(wt%)',
      '樹脂B(wt%)',
      '充填剤(wt%)',
      '硬化剤(wt%)',
      '硬化温度(℃)',
      '硬化時間(min)',
      '引張強度(MPa)',
      '伸び(%)',
      'コスト(円/kg)',
    ]);
    expect(table.columns.map((c) => c.kind)).toEqual([
      'identifier',
      ...Array<string>(9).fill('numeric'),
    ]);
    expect(texts(table, '試料No').slice(0, 2)).toEqual(['S-001', 'S-002']);
    // Row S-001: 51.9 + 31.7 + 16.2 + 0.2 = 100 (the mixture columns).
    expect(numbers(table, '樹脂A(wt%)')[0] + numbers(table, '硬化剤(wt%)')[0]).toBeCloseTo(52.1, 12);
    // Blank cells: S-042 has no tensile strength; S-006, S-018, S-034 have no elongation.
    const missing = Object.fromEntries(report.columns.map((c) => [c.name, c.missing]));
    expect(missing['引張強度(MPa)']).toBe(1);
    expect(missing['伸び(%)']).toBe(3);
    expect(report.missingCells).toBe(4);
    expect(Number.isNaN(numbers(table, '伸び(%)')[5])).toBe(true);
    expect(report.columns.find((c) => c.name === '伸び(%)')?.missingTokens).toEqual({ '': 3 });
    expect(report.blankLines).toEqual([]);
  });

  it('reads airquality with its 44 NA cells', () => {
    const { table, report } = readTable(readData('airquality.csv'));
    expect(table.rowCount).toBe(153);
    expect(report.encoding).toBe('utf-8');
    expect(report.columns.map((c) => [c.name, c.kind, c.missing])).toEqual([
      ['Ozone', 'numeric', 37],
      ['Solar.R', 'numeric', 7],
      ['Wind', 'numeric', 0],
      ['Temp', 'numeric', 0],
      ['Month', 'numeric', 0],
      ['Day', 'numeric', 0],
    ]);
    expect(report.missingCells).toBe(44);
    expect(numbers(table, 'Wind').slice(0, 3)).toEqual([7.4, 8, 12.6]);
  });

  it('reads the prestige type column as categorical with NA missing', () => {
    const { table, report } = readTable(readData('prestige.csv'));
    expect(table.rowCount).toBe(102);
    const type = report.columns.find((c) => c.name === 'type');
    expect(type).toMatchObject({ kind: 'categorical', missing: 4, distinct: 3, missingTokens: { NA: 4 } });
    expect(texts(table, 'type')[0]).toBe('prof');
  });
});

describe('delimiters and quoting', () => {
  it('detects tab and semicolon delimiters', () => {
    const tsv = readTable(utf8('a\tb\n1\t2\n3\t4\n'));
    expect(tsv.report.delimiter).toBe('\t');
    expect(numbers(tsv.table, 'b')).toEqual([2, 4]);
    const ssv = readTable(utf8('a;b\n1,5;2\n3,25;4\n'));
    expect(ssv.report.delimiter).toBe(';');
    expect(numbers(ssv.table, 'a')).toEqual([1.5, 3.25]);
  });

  it('follows RFC 4180: delimiters, doubled quotes and line breaks inside quotes', () => {
    const text = 'id,note,x\r\n"a,1","say ""hi""",1\r\nb,"two\r\nlines",2\r\n"c",,3\r\n';
    const { table, report } = readTable(utf8(text));
    expect(texts(table, 'id')).toEqual(['a,1', 'b', 'c']);
    expect(texts(table, 'note')).toEqual(['say "hi"', 'two\r\nlines', null]);
    expect(numbers(table, 'x')).toEqual([1, 2, 3]);
    expect(report.columns[1].missing).toBe(1);
  });

  it('counts physical lines through quoted line breaks when reporting a ragged row', () => {
    const error = expectError(utf8('a,b\n"x\ny",1\n2\n'), 'ragged-row');
    expect(error.line).toBe(4);
    expect(error.message).toBe('Line 4 has 1 fields but the header (line 1) has 2');
  });

  it('skips blank lines and reports them', () => {
    const { table, report } = readTable(utf8('a,b\n1,2\n\n3,4\n\n'));
    expect(table.rowCount).toBe(2);
    expect(report.blankLines).toEqual([3, 5]);
  });

  it('skips rows whose cells are all blank and unnamed empty columns, and reports them', () => {
    const { table, report } = readTable(utf8('a,b,\n1,2,\n,,\n3,4,\n'));
    expect(table.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(table.rowCount).toBe(2);
    expect(report.blankRowLines).toEqual([3]);
    expect(report.unnamedEmptyColumns).toEqual([3]);
  });

  it('honours a delimiter given by the caller', () => {
    const { table } = readTable(utf8('a,b;c\n1,2;3\n4,5;6\n'), { delimiter: ';' });
    expect(table.columns.map((c) => c.name)).toEqual(['a,b', 'c']);
  });
});

describe('numbers and missing values', () => {
  it('reads thousands separators, full-width digits and every missing token', () => {
    const text = [
      'grouped\tfull\tmissing',
      '"1,234.5"\t１２３．４\tNA',
      '12,345,678\t－５\tN/A',
      '-0.5\t１，０００\tNaN',
      '1e3\t＋２\tnull',
      '7\t3\t-',
      '8\t4\t#N/A',
      '9\t5\t',
    ].join('\n');
    const { table, report } = readTable(utf8(text));
    expect(numbers(table, 'grouped')).toEqual([1234.5, 12345678, -0.5, 1000, 7, 8, 9]);
    expect(numbers(table, 'full')).toEqual([123.4, -5, 1000, 2, 3, 4, 5]);
    const missing = report.columns.find((c) => c.name === 'missing');
    expect(missing).toMatchObject({ kind: 'constant', missing: 7, reason: 'every cell is missing' });
    expect(missing?.missingTokens).toEqual({ NA: 1, 'N/A': 1, NaN: 1, null: 1, '-': 1, '#N/A': 1, '': 1 });
  });

  it('reads quoted thousands separators in comma-separated files', () => {
    const { table, report } = readTable(utf8('a,b\n"1,234.5",2\n"12,000",3\n'));
    expect(numbers(table, 'a')).toEqual([1234.5, 12000]);
    expect(report.columns[0].decimalMark).toBe('.');
  });

  it('reads a comma decimal mark with point thousands in semicolon files', () => {
    const { table, report } = readTable(utf8('x;y;z\n1.234,5;0,25;1.5\n2,5;1;2.75\n'));
    expect(numbers(table, 'x')).toEqual([1234.5, 2.5]);
    expect(numbers(table, 'y')).toEqual([0.25, 1]);
    // A semicolon file may still use points: 1.5 is no well-formed thousands group.
    expect(numbers(table, 'z')).toEqual([1.5, 2.75]);
    expect(report.columns.map((c) => c.decimalMark)).toEqual([',', ',', '.']);
  });

  it('does not read 1,5 as fifteen in a tab-separated file', () => {
    const { table, report } = readTable(utf8('x\ty\n1,5\t1\n2,25\t2\n'));
    expect(numbers(table, 'x')).toEqual([1.5, 2.25]);
    expect(report.columns[0].decimalMark).toBe(',');
    const forced = readTable(utf8('x\ty\n1,5\tA\n2,25\tA\n'), { decimalMark: '.' });
    expect(forced.report.columns[0]).toMatchObject({ kind: 'identifier', notNumeric: 2, firstNotNumericLine: 2 });
  });
});

describe('column kinds', () => {
  const text = 'id,group,value,fixed,mostly\nS1,a,1,5,1\nS2,b,2,5,2\nS3,a,3,5,ND\nS4,b,4,5,4\n';

  it('detects identifier, categorical, numeric and constant columns', () => {
    const { table, report } = readTable(utf8(text));
    expect(table.columns.map((c) => c.kind)).toEqual(['identifier', 'categorical', 'numeric', 'constant', 'categorical']);
    expect(report.columns[3].reason).toBe('one value in every row');
    expect(report.columns[4]).toMatchObject({ notNumeric: 1, firstNotNumericLine: 4 });
    expect(report.columns[4].reason).toBe('1 of 4 values are not numbers (first on line 4)');
  });

  it('lets the caller override kinds, reporting text made missing', () => {
    const { table, report } = readTable(utf8(text), { kinds: { mostly: 'numeric', fixed: 'numeric', group: 'identifier' } });
    expect(numbers(table, 'mostly')).toEqual([1, 2, NaN, 4]);
    expect(report.columns[4]).toMatchObject({ kind: 'numeric', detectedKind: 'categorical', coercedToMissing: 1, missing: 1 });
    expect(numbers(table, 'fixed')).toEqual([5, 5, 5, 5]);
    expect(column(table, 'group').kind).toBe('identifier');
    expect(expectError(utf8(text), 'unknown-column', { kinds: { nope: 'numeric' } }).column).toBe('nope');
  });

  it('keeps the text of numeric-looking codes overridden to categorical', () => {
    const { table } = readTable(utf8('code,y\n001,1\n002,2\n001,3\n'), { kinds: { code: 'categorical' } });
    expect(texts(table, 'code')).toEqual(['001', '002', '001']);
  });
});

describe('text encodings', () => {
  // 温度 in Shift_JIS is 89 B7 93 78; あ is 82 A0.
  const sjis = Uint8Array.from([0x89, 0xb7, 0x93, 0x78, 0x2c, 0x82, 0xa0, 0x0d, 0x0a, 0x31, 0x2c, 0x32, 0x0d, 0x0a, 0x33, 0x2c, 0x34]);

  it('detects Shift_JIS and lets the caller override it', () => {
    const { table, report } = readTable(sjis);
    expect(report.encoding).toBe('shift_jis');
    expect(table.columns.map((c) => c.name)).toEqual(['温度', 'あ']);
    expect(expectError(sjis, 'bad-encoding', { encoding: 'utf-8' }).message).toBe('The file is not valid utf-8 text');
  });

  it('reads UTF-8 with a byte-order mark without a stray character in the first name', () => {
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('名前,x\nA,1\nB,2\n')]);
    const { table, report } = readTable(bytes);
    expect(report).toMatchObject({ encoding: 'utf-8', bom: true });
    expect(table.columns[0].name).toBe('名前');
  });

  it('reads UTF-16 little- and big-endian with a byte-order mark', () => {
    const text = '温度\tx\n1\t2\n3\t4\n';
    const le = [0xff, 0xfe];
    const be = [0xfe, 0xff];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      le.push(c & 0xff, c >> 8);
      be.push(c >> 8, c & 0xff);
    }
    for (const [bytes, encoding] of [
      [le, 'utf-16le'],
      [be, 'utf-16be'],
    ] as const) {
      const { table, report } = readTable(Uint8Array.from(bytes));
      expect(report).toMatchObject({ encoding, bom: true, delimiter: '\t' });
      expect(numbers(table, '温度')).toEqual([1, 3]);
    }
  });
});

describe('bad input', () => {
  it('refuses binary files', () => {
    const error = expectError(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 'not-a-table');
    expect(error.message).toMatch(/NUL byte at offset 8/);
    expect(expectError(Uint8Array.from({ length: 200 }, (_, i) => (i % 2 ? 0x01 : 0x41)), 'not-a-table').message).toMatch(
      /control characters/,
    );
  });

  it('refuses empty files and headers without rows', () => {
    expect(expectError(new Uint8Array(0), 'empty').message).toBe('The file is empty');
    expect(expectError(utf8('\r\n\n  \n'), 'empty').message).toBe('The file has no text');
    expect(expectError(utf8('a,b\n'), 'empty').message).toBe('The table has a header but no data rows');
  });

  it('names blank and duplicate headers', () => {
    const blank = expectError(utf8('a,,c\n1,2,3\n'), 'blank-header');
    expect(blank).toMatchObject({ column: '2', line: 1 });
    const duplicate = expectError(utf8('\na,b,a\n1,2,3\n'), 'duplicate-header');
    expect(duplicate).toMatchObject({ column: 'a', line: 2 });
    expect(duplicate.message).toBe('Columns 1 and 3 are both named "a" (line 2)');
  });

  it('refuses files over the byte limit before parsing', () => {
    const error = expectError(utf8('a,b\n1,2\n'), 'too-large', { maxBytes: 4 });
    expect(error.message).toBe('The file has 8 bytes; the limit is 4');
  });

  it('points at the line where an unclosed quote opens', () => {
    expect(expectError(utf8('a,b\n1,2\n3,"4\n5,6\n'), 'unterminated-quote').line).toBe(3);
  });
});

describe('XLSX', () => {
  function workbook(sheets: Record<string, unknown[][]>): Uint8Array {
    const book = utils.book_new();
    for (const [name, rows] of Object.entries(sheets)) utils.book_append_sheet(book, utils.aoa_to_sheet(rows), name);
    return new Uint8Array(write(book, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
  }

  const bytes = workbook({
    first: [
      ['試料No', '温度', 'type', 'y'],
      ['S-1', 120, 'a', 1.5],
      ['S-2', 140, 'b', 'NA'],
      [null, null, null, null],
      ['S-3', '１６０', 'a', 3],
      ['S-4', 150, 'b', null],
    ],
    second: [
      [null, null],
      ['x', 'z'],
      [1, true],
      [2, false],
      [3, true],
    ],
  });

  it('reads the first sheet with numbers kept as numbers', () => {
    const { table, report } = readTable(bytes);
    expect(report).toMatchObject({ format: 'xlsx', sheet: 'first', sheetNames: ['first', 'second'], headerLine: 1 });
    expect(table.columns.map((c) => c.kind)).toEqual(['identifier', 'numeric', 'categorical', 'numeric']);
    expect(numbers(table, '温度')).toEqual([120, 140, 160, 150]);
    expect(numbers(table, 'y')).toEqual([1.5, NaN, 3, NaN]);
    expect(report.blankRowLines).toEqual([4]);
    expect(report.columns[3].missingTokens).toEqual({ '': 1, NA: 1 });
  });

  it('reads a named sheet, finding the header below blank rows', () => {
    const { table, report } = readTable(bytes, { sheet: 'second' });
    expect(report.headerLine).toBe(2);
    expect(numbers(table, 'x')).toEqual([1, 2, 3]);
    expect(texts(table, 'z')).toEqual(['TRUE', 'FALSE', 'TRUE']);
    expect(expectError(bytes, 'unknown-sheet', { sheet: 'third' }).message).toBe('The workbook has no worksheet named "third"');
  });

  it('refuses a ZIP that is not a workbook', () => {
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...Array<number>(40).fill(0)]);
    expectError(zip, 'not-a-table');
  });
});
