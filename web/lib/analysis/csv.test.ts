import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

describe('toCsv', () => {
  it('quotes what RFC 4180 needs, keeps numbers exact and defuses formulas', () => {
    const csv = toCsv(['name', 'value'], [['a,b', 0.1 + 0.2], ['=SUM(A1)', -3], ['say "hi"', NaN], ['樹脂A(wt%)', null]]);
    expect(csv).toBe('\uFEFFname,value\r\n"a,b",0.30000000000000004\r\n\'=SUM(A1),-3\r\n"say ""hi""",\r\n樹脂A(wt%),\r\n');
  });
});
