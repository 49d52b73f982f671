import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from './rng.ts';

describe('createRng', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const first = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(first);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(first);
  });

  it('draws uniforms and normals with the right moments', () => {
    const rng = createRng(7);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let normalSum = 0;
    let normalSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) outside++;
      sum += u;
      sumSq += u * u;
      const z = rng.normal();
      normalSum += z;
      normalSq += z * z;
    }
    expect(outside).toBe(0);
    // Standard errors: uniform mean 0.0009, normal mean 0.0032, normal variance 0.0045.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(sumSq / n - sum ** 2 / n ** 2 - 1 / 12)).toBeLessThan(0.002);
    expect(Math.abs(normalSum / n)).toBeLessThan(0.015);
    expect(Math.abs(normalSq / n - 1)).toBeLessThan(0.02);
  });

  it('shuffles into a permutation and draws integers in range', () => {
    const rng = createRng(1);
    const values = rng.shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(values).sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[rng.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('derives distinct, repeatable sub-seeds', () => {
    expect(deriveSeed(5, 1, 2)).toBe(deriveSeed(5, 1, 2));
    expect(new Set([deriveSeed(5, 1, 2), deriveSeed(5, 2, 1), deriveSeed(6, 1, 2), deriveSeed(5, 1)]).size).toBe(4);
  });
});
