// InfoNCE, step 0: resolves the logit scale into a 2-float buffer read by the other kernels.
//
//   sc[0] = s                 the logit scale
//   sc[1] = d s / d param     1 when the parameter is s itself, s when it is log s
//
// so the loss kernels never branch on how the scale is held, and a learned log s stays on the
// GPU (no readback per step).
//
// Entry points (one thread):
//   from_value:  0 Params {value}     1 sc f32 [2] write
//   from_buffer: 1 src f32 [1] read   2 sc f32 [2] write     override LOG: src holds log s

override LOG: bool = false;

struct Params { value: f32, }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> sc_value: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> sc: array<f32>;

@compute @workgroup_size(1)
fn from_value() {
  sc_value[0] = p.value;
  sc_value[1] = 1.0;
}

@compute @workgroup_size(1)
fn from_buffer() {
  let x = src[0];
  if (LOG) {
    let s = exp(x);
    sc[0] = s;
    sc[1] = s;
  } else {
    sc[0] = x;
    sc[1] = 1.0;
  }
}
