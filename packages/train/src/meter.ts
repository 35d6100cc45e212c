/**
 * Running sums of per-step scalars (loss, train accuracies) kept on the GPU, so a step records
 * two tiny dispatches instead of a readback: the host reads the sums once per logging window
 * and gets window means.
 */
import { keep, noGrad, ops, scope, type Tensor } from '@exif-lang/models';

export class GpuMeter {
  private sum: Tensor | null = null;
  private count = 0;

  constructor(readonly names: readonly string[]) {}

  /** Adds one step's scalars (in `names` order); the tensors stay the caller's. */
  add(values: readonly Tensor[]): void {
    if (values.length !== this.names.length) throw new Error(`GpuMeter: ${values.length} values for ${this.names.length} names`);
    const prev = this.sum;
    this.sum = noGrad(() =>
      scope(() => {
        const row = ops.concat(values.map((v) => ops.reshape(v, [1])), 0);
        return keep(prev ? ops.add(prev, row) : row);
      }),
    );
    prev?.dispose();
    this.count++;
  }

  /** Steps added since the last read. */
  get pending(): number {
    return this.count;
  }

  /** Window means by name (syncs with the GPU), then starts a new window; null when empty. */
  async read(): Promise<Record<string, number> | null> {
    if (!this.sum || this.count === 0) return null;
    const data = await this.sum.data();
    const out = Object.fromEntries(this.names.map((n, i) => [n, data[i] / this.count]));
    this.reset();
    return out;
  }

  reset(): void {
    this.sum?.dispose();
    this.sum = null;
    this.count = 0;
  }
}
