import { describe, expect, it } from 'vitest';
import { gridWindow, moveCell, revealRow } from './grid-window.ts';

describe('grid windowing', () => {
  it('renders only the rows in view plus the overscan, for any table length', () => {
    // 10,000 rows of 28 px, a 280 px viewport scrolled to row 5,000: rows 5,000–5,009 are visible.
    expect(gridWindow({ rowCount: 10_000, rowHeight: 28, scrollTop: 5_000 * 28, viewportHeight: 280, overscan: 4 })).toEqual({ start: 4_996, end: 5_014 });
    expect(gridWindow({ rowCount: 10_000, rowHeight: 28, scrollTop: 0, viewportHeight: 280, overscan: 4 })).toEqual({ start: 0, end: 14 });
    // Half a row scrolled: the partly visible eleventh row is rendered too.
    expect(gridWindow({ rowCount: 10_000, rowHeight: 28, scrollTop: 14, viewportHeight: 280, overscan: 0 })).toEqual({ start: 0, end: 11 });
  });

  it('stops at the last row and handles short and empty tables', () => {
    expect(gridWindow({ rowCount: 10_000, rowHeight: 28, scrollTop: 9_990 * 28, viewportHeight: 280, overscan: 4 })).toEqual({ start: 9_986, end: 10_000 });
    expect(gridWindow({ rowCount: 3, rowHeight: 28, scrollTop: 0, viewportHeight: 280 })).toEqual({ start: 0, end: 3 });
    expect(gridWindow({ rowCount: 0, rowHeight: 28, scrollTop: 0, viewportHeight: 280 })).toEqual({ start: 0, end: 0 });
    // Scrolled past the end (a table that just got shorter): still the last row.
    expect(gridWindow({ rowCount: 5, rowHeight: 28, scrollTop: 10_000, viewportHeight: 280, overscan: 0 })).toEqual({ start: 4, end: 5 });
  });

  it('scrolls as little as needed to reveal a row', () => {
    const view = { rowHeight: 28, scrollTop: 280, viewportHeight: 280 };
    expect(revealRow(12, view)).toBe(280);
    expect(revealRow(5, view)).toBe(140);
    // Row 20 ends at 588 px; the viewport must end there.
    expect(revealRow(20, view)).toBe(308);
    expect(revealRow(9_999, { ...view, scrollTop: 0 })).toBe(9_999 * 28 + 28 - 280);
  });

  it('moves the active cell by the keys of the ARIA grid pattern, within the table', () => {
    const size = { rows: 100, columns: 5, pageRows: 10 };
    expect(moveCell({ row: 0, column: 0 }, 'ArrowDown', size)).toEqual({ row: 1, column: 0 });
    expect(moveCell({ row: 0, column: 0 }, 'ArrowUp', size)).toEqual({ row: 0, column: 0 });
    expect(moveCell({ row: 3, column: 4 }, 'ArrowRight', size)).toEqual({ row: 3, column: 4 });
    expect(moveCell({ row: 3, column: 4 }, 'ArrowLeft', size)).toEqual({ row: 3, column: 3 });
    expect(moveCell({ row: 95, column: 2 }, 'PageDown', size)).toEqual({ row: 99, column: 2 });
    expect(moveCell({ row: 15, column: 2 }, 'PageUp', size)).toEqual({ row: 5, column: 2 });
    expect(moveCell({ row: 15, column: 2 }, 'Home', size)).toEqual({ row: 15, column: 0 });
    expect(moveCell({ row: 15, column: 2 }, 'End', size)).toEqual({ row: 15, column: 4 });
    expect(moveCell({ row: 15, column: 2 }, 'End', { ...size, ctrl: true })).toEqual({ row: 99, column: 4 });
    expect(moveCell({ row: 15, column: 2 }, 'Home', { ...size, ctrl: true })).toEqual({ row: 0, column: 0 });
    expect(moveCell({ row: 15, column: 2 }, 'a', size)).toBeNull();
  });
});
