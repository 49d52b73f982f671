// Windowing for the data grid: which rows of a long table to render for a scroll position, and
// where to scroll so that the active cell is in view. Rows have one fixed height, so both are
// arithmetic, whatever the number of rows.

export interface GridWindow {
  /** First row rendered (0-based, inclusive). */
  readonly start: number;
  /** One past the last row rendered. */
  readonly end: number;
}

export interface WindowInput {
  readonly rowCount: number;
  readonly rowHeight: number;
  /** Scroll offset of the rows' area (the sticky header excluded). */
  readonly scrollTop: number;
  /** Height of the visible rows' area (the sticky header excluded). */
  readonly viewportHeight: number;
  /** Rows rendered beyond each edge, so a fast scroll shows no blank band before the next frame. */
  readonly overscan?: number;
}

export function gridWindow({ rowCount, rowHeight, scrollTop, viewportHeight, overscan = 4 }: WindowInput): GridWindow {
  if (rowCount <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.min(rowCount - 1, Math.max(0, first - overscan));
  const end = Math.min(rowCount, Math.max(start + 1, last + overscan));
  return { start, end };
}

/** The scroll offset that brings `row` fully into view, moving as little as possible. */
export function revealRow(row: number, { rowHeight, scrollTop, viewportHeight }: Omit<WindowInput, 'rowCount' | 'overscan'>): number {
  const top = row * rowHeight;
  if (top < scrollTop) return top;
  const bottom = top + rowHeight;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

export interface Cell {
  readonly row: number;
  readonly column: number;
}

/**
 * The active cell after a key press, following the WAI-ARIA grid pattern: arrows move by one,
 * Page Up/Down by a page, Home/End to the row's ends, Ctrl+Home/End to the table's corners.
 * Null for a key the grid does not handle.
 */
export function moveCell(
  cell: Cell,
  key: string,
  { rows, columns, pageRows, ctrl = false }: { rows: number; columns: number; pageRows: number; ctrl?: boolean },
): Cell | null {
  const clamp = (row: number, column: number): Cell => ({
    row: Math.min(Math.max(0, rows - 1), Math.max(0, row)),
    column: Math.min(Math.max(0, columns - 1), Math.max(0, column)),
  });
  const page = Math.max(1, pageRows);
  switch (key) {
    case 'ArrowDown':
      return clamp(cell.row + 1, cell.column);
    case 'ArrowUp':
      return clamp(cell.row - 1, cell.column);
    case 'ArrowRight':
      return clamp(cell.row, cell.column + 1);
    case 'ArrowLeft':
      return clamp(cell.row, cell.column - 1);
    case 'PageDown':
      return clamp(cell.row + page, cell.column);
    case 'PageUp':
      return clamp(cell.row - page, cell.column);
    case 'Home':
      return ctrl ? clamp(0, 0) : clamp(cell.row, 0);
    case 'End':
      return ctrl ? clamp(rows - 1, columns - 1) : clamp(cell.row, columns - 1);
    default:
      return null;
  }
}
