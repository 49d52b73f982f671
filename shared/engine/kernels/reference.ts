// Plain-TypeScript kernels: slow, obviously correct, the yardstick for the others.
import { assertSameLength, type VectorKernels } from './vector-kernels.ts';

export const referenceKernels: VectorKernels = {
  name: 'reference',
  dotF32(a, b) {
    assertSameLength(a, b);
    // Round every step to float32, as the hardware kernels do, so results are comparable.
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum = Math.fround(sum + Math.fround(a[i] * b[i]));
    return sum;
  },
};
