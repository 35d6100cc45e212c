/**
 * Co-occurrences of 4 consecutive quantised residuals (Splicebuster, Cozzolino et al. 2015;
 * the SPAM/SRM recipe): a residual level in [-T, T] has 2T + 1 values, a 4-tuple (2T + 1)^4
 * (625 for T = 2). Tuples are pooled under the natural symmetries, sign flip (d -> -d: inverted
 * intensities) and reversal (d0..d3 -> d3..d0; for the antisymmetric [1,-3,3,-1] filter a mirror
 * image is reversal together with sign flip), which leaves 169 classes for T = 2.
 */

export const TRUNCATION = 2;
/** Pixels one co-occurrence reads along its axis: 4 residuals of span 4. */
export const COOC_SPAN = 7;

/** Encoding of a tuple of levels: sum (d_i + T) * L^(3 - i), L = 2T + 1. */
export function encodeTuple(d: ArrayLike<number>, t: number): number {
  const l = 2 * t + 1;
  return (((d[0] + t) * l + (d[1] + t)) * l + (d[2] + t)) * l + (d[3] + t);
}

export interface SymmetryTable {
  /** tuple code (0 .. L^4 - 1) -> class index (0 .. classes - 1) */
  classOf: Uint16Array;
  classes: number;
}

const tables = new Map<number, SymmetryTable>();

/** The code -> class table for truncation T; classes are numbered by their smallest code. */
export function symmetryTable(t: number = TRUNCATION): SymmetryTable {
  const cached = tables.get(t);
  if (cached) return cached;
  const l = 2 * t + 1;
  const n = l ** 4;
  const rep = new Int32Array(n);
  const d = [0, 0, 0, 0];
  for (let code = 0; code < n; code++) {
    let c = code;
    for (let i = 3; i >= 0; i--) {
      d[i] = (c % l) - t;
      c = Math.floor(c / l);
    }
    const rev = [d[3], d[2], d[1], d[0]];
    rep[code] = Math.min(
      code,
      encodeTuple(rev, t),
      encodeTuple(d.map((v) => -v), t),
      encodeTuple(rev.map((v) => -v), t),
    );
  }
  const classOf = new Uint16Array(n);
  const index = new Map<number, number>();
  for (let code = 0; code < n; code++) {
    // the representative is the smallest code of its orbit, so it is met first
    let k = index.get(rep[code]);
    if (k === undefined) {
      k = index.size;
      index.set(rep[code], k);
    }
    classOf[code] = k;
  }
  const table = { classOf, classes: index.size };
  tables.set(t, table);
  return table;
}

/**
 * Class index of the co-occurrence anchored at each pixel along `axis`: levels at
 * p, p+1, p+2, p+3 (steps along the axis). Anchors whose 7 pixels do not fit are -1.
 */
export function cooccurrenceBins(levels: Int8Array, width: number, height: number, axis: 'h' | 'v', t: number, out?: Int32Array): Int32Array {
  const { classOf } = symmetryTable(t);
  const l = 2 * t + 1;
  const bins = out ?? new Int32Array(width * height);
  bins.fill(-1);
  const step = axis === 'h' ? 1 : width;
  const xEnd = axis === 'h' ? width - COOC_SPAN + 1 : width;
  const yEnd = axis === 'h' ? height : height - COOC_SPAN + 1;
  for (let y = 0; y < yEnd; y++) {
    const row = y * width;
    for (let x = 0; x < xEnd; x++) {
      const i = row + x;
      const code = (((levels[i] + t) * l + (levels[i + step] + t)) * l + (levels[i + 2 * step] + t)) * l + (levels[i + 3 * step] + t);
      bins[i] = classOf[code];
    }
  }
  return bins;
}
