import { describe, expect, it } from 'vitest';
import { sparklineBars } from './sparkline.ts';

describe('histogram sparkline', () => {
  it('scales bars to the fullest bin and keeps small bins visible', () => {
    const bars = sparklineBars([0, 2, 8, 4, 1000], 50, 20, 1);
    expect(bars.map((b) => b.x)).toEqual([0, 10, 20, 30, 40]);
    expect(bars.map((b) => b.width)).toEqual([9, 9, 9, 9, 9]);
    // 2/1000 of 20 px is 0.04 px: raised to one pixel; 0 stays empty.
    expect(bars.map((b) => b.height)).toEqual([0, 1, 1, 1, 20]);
    expect(bars.map((b) => b.y)).toEqual([20, 19, 19, 19, 0]);
  });

  it('draws nothing for no bins or only empty ones', () => {
    expect(sparklineBars([], 50, 20)).toEqual([]);
    expect(sparklineBars([0, 0], 50, 20).map((b) => b.height)).toEqual([0, 0]);
  });
});
