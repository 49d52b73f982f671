// Draws the app icons (a white Σ on the brand blue) into web/static/icons/.
// The PNGs are committed; run this only to change the design: node scripts/make-icons.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [31, 78, 121];
const WHITE = [255, 255, 255];

function crc32(bytes) {
  let c;
  let crc = 0xffffffff;
  for (const b of bytes) {
    c = (crc ^ b) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function distanceToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

// The Σ in unit coordinates, drawn as four strokes.
const strokes = [
  [[0.3, 0.26], [0.72, 0.26]],
  [[0.3, 0.26], [0.54, 0.5]],
  [[0.54, 0.5], [0.3, 0.74]],
  [[0.3, 0.74], [0.72, 0.74]],
];

function icon(size, { glyphScale, rounded }) {
  return png(size, (x, y) => {
    const u = x / size;
    const v = y / size;
    if (rounded) {
      const r = 0.18;
      const cx = Math.min(Math.max(u, r), 1 - r);
      const cy = Math.min(Math.max(v, r), 1 - r);
      if (Math.hypot(u - cx, v - cy) > r) return [0, 0, 0, 0];
    }
    // Glyph coordinates around the centre, scaled so a maskable icon keeps it in the safe zone.
    const gu = 0.5 + (u - 0.5) / glyphScale;
    const gv = 0.5 + (v - 0.5) / glyphScale;
    const d = Math.min(...strokes.map((s) => distanceToSegment(gu, gv, s[0], s[1])));
    const edge = 0.055 - d;
    const alpha = Math.max(0, Math.min(1, edge * size * glyphScale + 0.5));
    return [...BLUE.map((c, i) => Math.round(c + (WHITE[i] - c) * alpha)), 255];
  });
}

const out = new URL('../web/static/icons/', import.meta.url);
writeFileSync(new URL('icon-192.png', out), icon(192, { glyphScale: 1, rounded: true }));
writeFileSync(new URL('icon-512.png', out), icon(512, { glyphScale: 1, rounded: true }));
writeFileSync(new URL('icon-maskable-512.png', out), icon(512, { glyphScale: 0.7, rounded: false }));
console.log('icons written');
