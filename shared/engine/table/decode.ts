// Bytes → text for delimited files. Excel in Japan saves "CSV" as Shift_JIS (CP932) without
// a byte-order mark, so a file that is not strict UTF-8 is tried as Shift_JIS before giving up.
import { TableError } from './errors.ts';

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'shift_jis';

export interface DecodedText {
  readonly text: string;
  readonly encoding: TextEncodingName;
  /** Whether the bytes started with a byte-order mark (removed from `text`). */
  readonly bom: boolean;
}

const BOMS: readonly { readonly bytes: readonly number[]; readonly encoding: TextEncodingName }[] = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

/** The encoding a byte-order mark announces, or null without one. */
export function detectBom(bytes: Uint8Array): TextEncodingName | null {
  for (const { bytes: bom, encoding } of BOMS) {
    if (bytes.length >= bom.length && bom.every((b, i) => bytes[i] === b)) return encoding;
  }
  return null;
}

/**
 * Decodes a text table. Order: a byte-order mark; else the requested encoding; else strict
 * UTF-8, then Shift_JIS (WHATWG's Shift_JIS decoder is Windows-31J, i.e. CP932, which is what
 * Excel writes). Every decode is fatal, so a wrong guess fails instead of producing U+FFFD.
 */
export function decodeText(bytes: Uint8Array, encoding?: TextEncodingName): DecodedText {
  const bomEncoding = detectBom(bytes);
  const chosen = encoding ?? bomEncoding;
  const bom = bomEncoding !== null && chosen === bomEncoding;
  if (chosen === null || !chosen.startsWith('utf-16')) rejectBinary(bytes);
  let decoded: DecodedText;
  if (chosen !== null) {
    const text = strictDecode(bytes, chosen);
    if (text === null) {
      throw new TableError('bad-encoding', `The file is not valid ${chosen} text`);
    }
    decoded = { text, encoding: chosen, bom };
  } else {
    const utf8 = strictDecode(bytes, 'utf-8');
    const sjis = utf8 === null ? strictDecode(bytes, 'shift_jis') : null;
    if (utf8 !== null) decoded = { text: utf8, encoding: 'utf-8', bom: false };
    else if (sjis !== null) decoded = { text: sjis, encoding: 'shift_jis', bom: false };
    else {
      throw new TableError(
        'bad-encoding',
        'The file is neither UTF-8 nor Shift_JIS text; choose its encoding explicitly',
      );
    }
  }
  rejectControlCharacters(decoded.text);
  return decoded;
}

function strictDecode(bytes: Uint8Array, encoding: TextEncodingName): string | null {
  try {
    // ignoreBOM: false (the default) strips a BOM that matches the decoder's own encoding.
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return null;
    throw error;
  }
}

function rejectBinary(bytes: Uint8Array): void {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new TableError(
      'not-a-table',
      `The file is not a text table: it contains a NUL byte at offset ${nul} ` +
        '(a binary file, or UTF-16 text without a byte-order mark)',
    );
  }
}

// Tab, line feed, vertical tab, form feed, carriage return and Ctrl-Z (an old end-of-file mark)
// occur in real text files; other C0/C1 controls do not.
const TOLERATED_CONTROLS = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1a]);
const CONTROL_SAMPLE = 65_536;
const CONTROL_LIMIT = 0.01;

function rejectControlCharacters(text: string): void {
  const n = Math.min(text.length, CONTROL_SAMPLE);
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && !TOLERATED_CONTROLS.has(c)) || (c >= 0x7f && c <= 0x9f)) controls++;
  }
  if (n > 0 && controls / n > CONTROL_LIMIT) {
    throw new TableError('not-a-table', 'The file is not a text table: it is full of control characters');
  }
}
