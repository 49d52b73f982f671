// Float32 parameters as base64 of their little-endian bytes: exact, and about a third of the size
// of decimal numbers in JSON. DataView fixes the byte order whatever the platform's.
import { decodeBase64, encodeBase64 } from '@oslojs/encoding';

export function encodeFloat32(values: Float32Array): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let q = 0; q < values.length; q++) view.setFloat32(q * 4, values[q], true);
  return encodeBase64(bytes);
}

export function decodeFloat32(encoded: string): Float32Array {
  const bytes = decodeBase64(encoded);
  if (bytes.length % 4 !== 0) throw new RangeError('Encoded float32 data has a partial value');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(bytes.length / 4);
  for (let q = 0; q < values.length; q++) values[q] = view.getFloat32(q * 4, true);
  return values;
}
