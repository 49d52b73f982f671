import { describe, expect, it } from 'vitest';
import { createMissingTest, parseNumberCell } from './cells.ts';
import { detectDelimiter, splitRecords } from './delimited.ts';

describe('parseNumberCell', () => {
  it('reads plain, signed, exponent and grouped numbers with a point', () => {
    const cases: [string, number | null][] = [
      ['42', 42],
      [' -3.5 ', -3.5],
      ['+.5', 0.5],
      ['1.', 1],
      ['6.02e23', 6.02e23],
      ['1,234,567.25', 1234567.25],
      ['１２３．４', 123.4],
      ['\u22122.5', -2.5],
      ['\u3000７\u3000', 7],
      ['1,5', null],
      ['0,123', null],
      ['12,34', null],
      ['1.2.3', null],
      ['e5', null],
      ['.', null],
      ['-', null],
      ['0x10', null],
      ['12%', null],
      ['', null],
    ];
    for (const [cell, expected] of cases) expect([cell, parseNumberCell(cell, '.')]).toEqual([cell, expected]);
  });

  it('reads a comma decimal mark with point groups', () => {
    expect(parseNumberCell('1.234.567,5', ',')).toBe(1234567.5);
    expect(parseNumberCell('0,125', ',')).toBe(0.125);
    expect(parseNumberCell('１，５', ',')).toBe(1.5);
    expect(parseNumberCell('0.125', ',')).toBeNull();
    expect(parseNumberCell('1.5', ',')).toBeNull();
  });
});

describe('createMissingTest', () => {
  it('matches tokens case-insensitively, full-width too, and nothing else', () => {
    const isMissing = createMissingTest();
    for (const token of ['', ' ', 'NA', 'na', 'N/A', 'n/a', 'NaN', 'NULL', '-', '－', '#N/A', '#DIV/0!']) {
      expect([token, isMissing(token)]).toEqual([token, true]);
    }
    for (const value of ['0', 'none', 'NAN1', '--']) expect([value, isMissing(value)]).toEqual([value, false]);
    expect(createMissingTest(['?'])('?')).toBe(true);
  });
});

describe('splitRecords and detectDelimiter', () => {
  it('handles CR, LF and CRLF line ends and a missing final newline', () => {
    const { records, lines } = splitRecords('a,b\r1,2\n3,4\r\n5,6', ',');
    expect(records).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
    expect(lines).toEqual([1, 2, 3, 4]);
  });

  it('keeps text after a closing quote instead of dropping it', () => {
    expect(splitRecords('"ab"c,d\n', ',').records).toEqual([['abc', 'd']]);
  });

  it('prefers the delimiter that splits rows consistently', () => {
    expect(detectDelimiter('a;b;c\n1,5;2,5;3\n')).toBe(';');
    expect(detectDelimiter('"a;x",b\n1,2\n')).toBe(',');
    expect(detectDelimiter('a\tb c\n1\t2\n')).toBe('\t');
    expect(detectDelimiter('single\n1\n2\n')).toBe(',');
  });
});
