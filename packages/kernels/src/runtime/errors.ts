/** A WebGPU validation / out-of-memory / internal error, tied to the kernels that were recorded. */
export class GpuError extends Error {
  constructor(
    readonly kind: 'validation' | 'out-of-memory' | 'internal' | 'device-lost',
    message: string,
    readonly kernels: string[],
  ) {
    super(message);
    this.name = 'GpuError';
  }
}

/** Shape validation failures thrown by launchers before anything reaches the GPU. */
export class ShapeError extends Error {
  constructor(kernel: string, message: string) {
    super(`${kernel}: ${message}`);
    this.name = 'ShapeError';
  }
}

export function check(cond: boolean, kernel: string, message: string | (() => string)): asserts cond {
  if (!cond) throw new ShapeError(kernel, typeof message === 'string' ? message : message());
}
