// File and terminal helpers shared by the analysis commands.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TextEncodingName } from '../../shared/engine/table/decode.ts';
import { readTable, type ReadResult } from '../../shared/engine/table/read.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Paths are relative to where the user typed the command: npm runs scripts in the package
 * folder but records the caller's folder in INIT_CWD.
 */
export function userPath(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

export function requireOption(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

export function listOption(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const ENCODINGS: Record<string, TextEncodingName | undefined> = {
  auto: undefined,
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  shift_jis: 'shift_jis',
  sjis: 'shift_jis',
  cp932: 'shift_jis',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

export function readDataFile(path: string, options: { encoding?: string; sheet?: string }): ReadResult {
  const name = (options.encoding ?? 'auto').toLowerCase();
  if (!(name in ENCODINGS)) throw new UsageError(`--encoding must be auto, utf-8 or shift_jis, not "${options.encoding}"`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(userPath(path)));
  } catch {
    throw new UsageError(`Cannot read ${path}`);
  }
  return readTable(bytes, { encoding: ENCODINGS[name], sheet: options.sheet, maxBytes: maxFileBytes() });
}

/** The largest data file accepted, from SIGMA_MAX_FILE_MB (default 64 MB). */
export function maxFileBytes(): number {
  const text = process.env.SIGMA_MAX_FILE_MB;
  if (text === undefined) return 64 * 1024 * 1024;
  const mb = Number(text);
  if (!(mb > 0)) throw new UsageError(`SIGMA_MAX_FILE_MB must be a positive number, not "${text}"`);
  return Math.floor(mb * 1024 * 1024);
}

export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(userPath(path), 'utf8');
  } catch {
    throw new UsageError(`Cannot read ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON`);
  }
}

export function writeTextFile(path: string, text: string): void {
  writeFileSync(userPath(path), text);
}

/** RFC 4180: quote a field that holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

/** A progress bar on stderr, drawn only when stderr is a terminal. */
export function progressBar(label: string): (fraction: number, detail?: string) => void {
  if (!process.stderr.isTTY) return () => {};
  let last = -1;
  return (fraction, detail = '') => {
    const percent = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    if (percent === last && fraction < 1) return;
    last = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${percent}% ${detail}`.padEnd(78));
    if (fraction >= 1) process.stderr.write('\n');
  };
}
