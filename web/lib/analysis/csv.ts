// CSV text for the tables users download: RFC 4180 quoting, and text cells a spreadsheet would
// read as a formula (=, +, -, @ first) get a leading apostrophe (OWASP, CSV injection).
// A UTF-8 byte order mark goes first so that Excel reads Japanese headers correctly.
export type Cell = string | number | boolean | null | undefined;

function cellText(value: Cell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return '\uFEFF' + [header, ...rows].map((row) => row.map(cellText).join(',')).join('\r\n') + '\r\n';
}
