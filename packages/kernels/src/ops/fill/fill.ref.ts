/** float64 reference for fill.wgsl. */
export function rampRef(n: number, start: number, step: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (step === 0 ? start : start + step * i));
}
