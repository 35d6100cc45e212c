import { it, expect, beforeAll } from 'vitest';
import { getGpu, type Gpu, testing, unary } from '@exif-lang/kernels';
import { gradcheck, record, Tensor, ops, noGrad } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

// The checker itself must fail on a wrong backward: here, square whose backward forgets the 2.
it('gradcheck rejects a wrong gradient', async () => {
  const badSquare = (x: Tensor) => {
    const y = Tensor.fromBuffer(unary(x.gpu, 'square', x.buffer, x.size), x.shape);
    return record('bad_square', [x], y, [x], (gy, [sx]) => [ops.mul(gy, sx)]);
  };
  await expect(gradcheck(gpu, badSquare, [{ data: testing.randUniform(9, 1), shape: [9] }])).rejects.toThrow(/analytic .* vs numerical/);
});

// ... and on a gradient that is dropped (zero instead of 2).
it('gradcheck rejects a missing gradient', async () => {
  const dropped = (x: Tensor) => {
    const y = noGrad(() => ops.scale(x, 2));
    return record('dropped', [x], y, [], (gy) => [ops.scale(gy, 0)]);
  };
  await expect(gradcheck(gpu, dropped, [{ data: testing.randUniform(5, 2), shape: [5] }])).rejects.toThrow(/analytic 0 vs numerical/);
});
