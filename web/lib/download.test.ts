import { describe, expect, it } from 'vitest';
import { dataUrlBlob, fileNameFor, safeFileName } from './download.ts';

describe('dataUrlBlob', () => {
  it('decodes a base64 PNG data URL to its bytes and type', async () => {
    // The 8-byte PNG signature and "IHDR", base64-encoded.
    const blob = dataUrlBlob('data:image/png;base64,iVBORw0KGgpJSERS');
    expect(blob.type).toBe('image/png');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x49, 0x48, 0x44, 0x52]);
  });

  it('decodes a percent-encoded data URL as text', async () => {
    const blob = dataUrlBlob('data:image/svg+xml,%3Csvg%2F%3E');
    expect(blob.type).toBe('image/svg+xml');
    expect(await blob.text()).toBe('<svg/>');
  });

  it('refuses anything else', () => {
    expect(() => dataUrlBlob('https://example.com/a.png')).toThrow(TypeError);
  });
});

describe('file names', () => {
  it('replaces characters file systems refuse and keeps Japanese', () => {
    expect(fileNameFor('引張強度 (MPa)/v2', 'accuracy')).toBe('引張強度_(MPa)_v2-accuracy.csv');
    expect(safeFileName('a:b*c', 'png')).toBe('a_b_c.png');
  });
});
