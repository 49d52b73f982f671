import { describe, expect, it } from 'vitest';
import { forestFromJSON, fitForest } from './forest.ts';
import { createMatrix } from './matrix.ts';

describe('random forest', () => {
  it('learns a step that a smooth model would blur, and an interaction', () => {
    // y = 10 where x0 > 0.5 else 0, plus 5 where both x0 > 0.5 and x1 > 0.5; x2 is noise.
    const n = 200;
    const x = createMatrix(n, 3);
    const y = createMatrix(n, 1);
    for (let i = 0; i < n; i++) {
      const a = ((i * 37) % 200) / 200;
      const b = ((i * 91) % 200) / 200;
      x.data.set([a, b, ((i * 53) % 17) / 17], i * 3);
      y.data[i] = (a > 0.5 ? 10 : 0) + (a > 0.5 && b > 0.5 ? 5 : 0);
    }
    const forest = fitForest(x, y, { trees: 30 }, { seed: 1 });
    const probe = createMatrix(3, 3, Float64Array.from([0.2, 0.8, 0.3, 0.8, 0.2, 0.3, 0.8, 0.8, 0.3]));
    const { mean, std } = forest.predict(probe);
    expect(Array.from(mean.data)).toEqual([expect.closeTo(0, 0), expect.closeTo(10, 0), expect.closeTo(15, 0)]);
    expect(std.data.every((s) => s >= 0)).toBe(true);
  });

  it('is deterministic for a seed and round-trips through JSON', () => {
    const x = createMatrix(40, 2, Float64Array.from({ length: 80 }, (_, k) => Math.sin(k * 1.7)));
    const y = createMatrix(40, 2, Float64Array.from({ length: 80 }, (_, k) => Math.cos(k * 0.9)));
    const a = fitForest(x, y, { trees: 10 }, { seed: 5 });
    const b = fitForest(x, y, { trees: 10 }, { seed: 5 });
    expect(a.predict(x).mean.data).toEqual(b.predict(x).mean.data);
    const restored = forestFromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(restored.predict(x).mean.data).toEqual(a.predict(x).mean.data);
    expect(restored.predict(x).std.data).toEqual(a.predict(x).std.data);
  });
});
