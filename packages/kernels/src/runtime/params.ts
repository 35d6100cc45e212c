/**
 * Packs a kernel's uniform `Params` struct. Every field is a 4-byte scalar (u32, i32 or f32),
 * declared in the WGSL struct in the same order, so the layout is simply 4 bytes per field.
 */
export type ParamValue = ['u32' | 'i32' | 'f32', number];

export function packParams(fields: ParamValue[]): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const view = new DataView(buf);
  fields.forEach(([type, v], i) => {
    if (type === 'f32') view.setFloat32(i * 4, v, true);
    else {
      if (!Number.isInteger(v)) throw new Error(`param ${i}: ${type} must be an integer, got ${v}`);
      if (type === 'u32') {
        if (v < 0 || v > 0xffffffff) throw new Error(`param ${i}: u32 out of range: ${v}`);
        view.setUint32(i * 4, v, true);
      } else view.setInt32(i * 4, v, true);
    }
  });
  return buf;
}

/** Shorthands: u(3), f(0.5), i(-1). */
export const u = (v: number): ParamValue => ['u32', v];
export const i = (v: number): ParamValue => ['i32', v];
export const f = (v: number): ParamValue => ['f32', v];
