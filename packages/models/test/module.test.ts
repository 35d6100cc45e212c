import { it, expect, beforeAll } from 'vitest';
import { getGpu, type Gpu } from '@exif-lang/kernels';
import { nn } from '../src/index.ts';

let gpu: Gpu;
beforeAll(async () => {
  gpu = await getGpu();
});

it('a rejected state dict leaves the module untouched', async () => {
  const a = new nn.Sequential(gpu, [new nn.Linear(gpu, 3, 4, { seed: 1 }), new nn.Linear(gpu, 4, 2, { seed: 2 })]);
  const b = new nn.Sequential(gpu, [new nn.Linear(gpu, 3, 4, { seed: 3 }), new nn.Linear(gpu, 4, 5, { seed: 4 })]);
  const before = await a.stateDict();
  const other = await b.stateDict();
  // First layer fits, second has the wrong shape: nothing may be written.
  expect(() => a.loadStateDict(other)).toThrow(/shape \[5,4\], the model expects \[2,4\]/);
  const after = await a.stateDict();
  for (const [k, t] of before) expect(Array.from(after.get(k)!.data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
  // Missing keys are reported (strict) or returned (non-strict), again before any write.
  const partial = new Map([...other].filter(([k]) => k.startsWith('0.')));
  expect(() => a.loadStateDict(partial)).toThrow(/2 missing/);
  const r = a.loadStateDict(partial, { strict: false });
  expect(r.missing).toEqual(['1.weight', '1.bias']);
  expect(Array.from((await a.stateDict()).get('0.weight')!.data as Float32Array)).toEqual(Array.from(other.get('0.weight')!.data as Float32Array));
  a.dispose();
  b.dispose();
});
