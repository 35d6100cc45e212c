import { BufferPool, STORAGE_USAGE, type PoolStats } from './pool.ts';
import { GpuBuffer } from './buffer.ts';
import { GpuError } from './errors.ts';
import { overridesKey, type Kernel, type Overrides } from './kernel.ts';
import { KernelProfiler, type DispatchTime } from './profiler.ts';
import { envVar, gpuApi, notice, onProcessExit } from './environment.ts';

/**
 * The GPU runtime: one Dawn device, a buffer pool, and a recorder that batches every dispatch
 * into one command encoder until something needs the results (a readback, an upload into a
 * recycled buffer, a timing read, or `sync()`). A training step therefore records hundreds of
 * dispatches and submits them at once, with no readback unless asked.
 *
 * Errors: each encoder is recorded inside WebGPU error scopes (validation, out-of-memory,
 * internal); when it is submitted the scopes are popped and the result is checked at the next
 * sync point (`sync`, `read`), where any error is thrown as a GpuError naming the kernels and
 * shapes recorded in that encoder. With EXIFLANG_GPU_DEBUG=1 every dispatch is submitted on its
 * own, so an error names exactly one kernel.
 */

export interface GpuOptions {
  /** Substring of the adapter's name/description/vendor to pick; default env EXIFLANG_ADAPTER. */
  adapter?: string;
  /** Don't print the adapter line. Default: env EXIFLANG_QUIET=1. */
  quiet?: boolean;
  /** Submit after every dispatch (precise error attribution). Default: env EXIFLANG_GPU_DEBUG=1. */
  debug?: boolean;
}

export interface DispatchSpec {
  /** Uniform Params (binding 0), packed with packParams. Omit when the kernel has none. */
  params?: ArrayBuffer;
  /** Storage buffers, bound at 1, 2, ... in this order. */
  buffers: GpuBuffer[];
  /** Workgroup counts; use grid() for 1-D launches larger than 65535 workgroups. */
  workgroups: [number, number?, number?];
  overrides?: Overrides;
  /** Shapes/arguments, for error messages and profiles, e.g. "64x128x32 transB". */
  label?: string;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** true for software rasterizers such as lavapipe (CPU Vulkan). */
  isCpu: boolean;
}

const UNIFORM_SIZE = 256;
const AUTO_FLUSH_DISPATCHES = 256;

interface PendingCheck {
  scopes: Promise<GPUError | null>[];
  kernels: string[];
}

export class Gpu {
  readonly pool: BufferPool;
  readonly limits: GPUSupportedLimits;
  readonly hasTimestamps: boolean;
  readonly hasF16: boolean;
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private passTimestamps: GPUComputePassTimestampWrites | undefined;
  private recorded: string[] = [];
  private freeUniforms: GPUBuffer[] = [];
  private usedUniforms: GPUBuffer[] = [];
  private readonly pending: PendingCheck[] = [];
  private readonly uncaptured: string[] = [];
  private readonly stagingDestroyQueue: GPUBuffer[] = [];
  private lost: string | null = null;
  private profiler: KernelProfiler | null = null;
  private destroyed = false;
  private counters = { dispatches: 0, submits: 0, readbacks: 0, uploads: 0 };

  constructor(
    readonly device: GPUDevice,
    readonly adapter: AdapterDescription,
    readonly debug: boolean,
  ) {
    this.limits = device.limits;
    this.hasTimestamps = device.features.has('timestamp-query');
    this.hasF16 = device.features.has('shader-f16');
    this.pool = new BufferPool(
      (capacity, label) => device.createBuffer({ size: capacity, usage: STORAGE_USAGE, label }),
      device.limits.maxStorageBufferBindingSize,
    );
    device.onuncapturederror = (ev) => {
      this.uncaptured.push(ev.error.message);
    };
    void device.lost.then((info) => {
      if (!this.destroyed) this.lost = `${info.reason}: ${info.message}`;
    });
  }

  // ---------------------------------------------------------------- buffers

  /** Uninitialised storage buffer of `bytes` bytes from the pool. */
  alloc(bytes: number, label = 'buffer'): GpuBuffer {
    this.assertAlive();
    const { buffer, capacity } = this.pool.acquire(bytes, label);
    return new GpuBuffer(this, buffer, bytes, capacity, label);
  }

  /** Storage buffer cleared to zero (ordered with the recorded commands). */
  zeros(bytes: number, label = 'zeros'): GpuBuffer {
    const b = this.alloc(bytes, label);
    this.commandEncoder().clearBuffer(b.buffer, 0, Math.ceil(Math.max(bytes, 4) / 4) * 4);
    return b;
  }

  /** New buffer holding `data`. */
  upload(data: ArrayBufferView, label = 'upload'): GpuBuffer {
    const b = this.alloc(data.byteLength, label);
    this.write(b, data);
    return b;
  }

  /**
   * Overwrites `dst` (from byte `offset`) with `data`. queue.writeBuffer runs before any
   * unsubmitted commands, so those are submitted first: they may still read `dst`'s old content.
   */
  write(dst: GpuBuffer, data: ArrayBufferView, offset = 0): void {
    this.assertAlive();
    dst.assertLive();
    if (offset + data.byteLength > dst.byteLength) {
      throw new Error(`write into '${dst.label}': ${data.byteLength} bytes at ${offset} exceed its ${dst.byteLength}`);
    }
    if (this.encoder) this.flush();
    // Typed as ArrayBuffer-backed: the DOM lib (the web page's type check) refuses a view that
    // might sit on a SharedArrayBuffer; our uploads never do.
    const bytes = new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    const padded = bytes.byteLength % 4 === 0 ? bytes : padTo4(bytes);
    this.device.queue.writeBuffer(dst.buffer, offset, padded);
    this.counters.uploads++;
  }

  /** Copies `bytes` bytes from src to dst, in order with the recorded commands. */
  copy(src: GpuBuffer, dst: GpuBuffer, bytes = src.byteLength, srcOffset = 0, dstOffset = 0): void {
    src.assertLive();
    dst.assertLive();
    if (srcOffset + bytes > src.capacity || dstOffset + bytes > dst.capacity) {
      throw new Error(`copy ${src.label} -> ${dst.label}: ${bytes} bytes out of range`);
    }
    this.commandEncoder().copyBufferToBuffer(src.buffer, srcOffset, dst.buffer, dstOffset, Math.ceil(bytes / 4) * 4);
  }

  /** Reads `buf` back (flushes, waits for the GPU, checks errors). */
  async read(buf: GpuBuffer, byteOffset = 0, byteLength = buf.byteLength - byteOffset): Promise<ArrayBuffer> {
    buf.assertLive();
    const size = Math.ceil(Math.max(byteLength, 4) / 4) * 4;
    const staging = this.device.createBuffer({ size, usage: 0x01 /* MAP_READ */ | 0x08 /* COPY_DST */, label: `readback ${buf.label}` });
    this.commandEncoder().copyBufferToBuffer(buf.buffer, byteOffset, staging, 0, size);
    this.flush();
    this.counters.readbacks++;
    try {
      await staging.mapAsync(0x0001 /* GPUMapMode.READ */);
    } catch (e) {
      await this.checkErrors();
      throw new GpuError('validation', `readback of '${buf.label}' failed: ${(e as Error).message}`, []);
    }
    const out = staging.getMappedRange().slice(0, byteLength);
    staging.unmap();
    staging.destroy();
    await this.checkErrors();
    return out;
  }

  async readF32(buf: GpuBuffer): Promise<Float32Array> {
    return new Float32Array(await this.read(buf));
  }

  async readU32(buf: GpuBuffer): Promise<Uint32Array> {
    return new Uint32Array(await this.read(buf));
  }

  /** Called by GpuBuffer.release(). */
  releaseBuffer(b: GpuBuffer): void {
    if (this.destroyed) return;
    this.pool.release(b.buffer, b.capacity);
  }

  poolStats(): PoolStats {
    return this.pool.stats();
  }

  // ---------------------------------------------------------------- kernels

  pipeline(kernel: Kernel, overrides?: Overrides): GPUComputePipeline {
    const key = `${kernel.name}|${overridesKey(overrides)}`;
    let p = this.pipelines.get(key);
    if (p) return p;
    // One scope around module + pipeline creation: a WGSL error is reported once, with the kernel's name.
    this.device.pushErrorScope('validation');
    let module = this.modules.get(kernel.name);
    if (!module) {
      module = this.device.createShaderModule({ code: kernel.code, label: kernel.name });
      this.modules.set(kernel.name, module);
    }
    p = this.device.createComputePipeline({
      layout: 'auto',
      label: key,
      compute: { module, entryPoint: kernel.entryPoint, constants: overrides && numericOverrides(overrides) },
    });
    const scope = this.device.popErrorScope();
    this.pending.push({ scopes: [scope], kernels: [`compile ${key}`] });
    this.pipelines.set(key, p);
    return p;
  }

  /** Records one dispatch of `kernel`. */
  dispatch(kernel: Kernel, spec: DispatchSpec): void {
    this.assertAlive();
    const [x, y = 1, z = 1] = spec.workgroups;
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    const what = `${kernel.name}${spec.label ? ` [${spec.label}]` : ''}`;
    if (x > max || y > max || z > max) throw new Error(`${what}: grid ${x}x${y}x${z} exceeds ${max} workgroups per dimension`);
    if (x === 0 || y === 0 || z === 0) return; // empty tensor: nothing to do
    const pipeline = this.pipeline(kernel, spec.overrides);
    if (this.profiler) {
      this.endPass(); // a pass of its own, timed at its beginning and end
      this.passTimestamps = this.profiler.next(kernel.name, spec.label ?? '');
    }
    const pass = this.computePass();
    const entries: GPUBindGroupEntry[] = [];
    if (spec.params) {
      if (spec.params.byteLength > UNIFORM_SIZE) throw new Error(`${what}: params larger than ${UNIFORM_SIZE} bytes`);
      const ub = this.freeUniforms.pop() ?? this.device.createBuffer({ size: UNIFORM_SIZE, usage: 0x40 /* UNIFORM */ | 0x08, label: 'params' });
      this.device.queue.writeBuffer(ub, 0, spec.params);
      this.usedUniforms.push(ub);
      entries.push({ binding: 0, resource: { buffer: ub, size: spec.params.byteLength } });
    }
    spec.buffers.forEach((b, i) => {
      if (spec.buffers.indexOf(b) !== i) {
        throw new Error(`${what}: buffer '${b.label}' bound twice; WebGPU forbids aliasing a writable binding (use the kernel's in-place variant)`);
      }
      if (b.isReleased) throw new Error(`${what}: input ${i} ('${b.label}') was already released`);
      entries.push({ binding: i + 1, resource: b.binding() });
    });
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label: what });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    if (this.profiler) this.endPass();
    this.recorded.push(what);
    this.counters.dispatches++;
    if (this.debug || this.recorded.length >= AUTO_FLUSH_DISPATCHES) this.flush();
  }

  // ---------------------------------------------------------------- profiling

  /**
   * Times every dispatch from now on, each in a pass of its own (see profiler.ts). Returns the
   * profiler, whose `phase` labels what is recorded next. Needs timestamp-query.
   */
  startProfile(): KernelProfiler {
    if (!this.hasTimestamps) throw new Error('kernel profiling needs the timestamp-query feature, which this adapter lacks');
    if (this.profiler) throw new Error('a kernel profile is already running');
    this.profiler = new KernelProfiler(this);
    return this.profiler;
  }

  /** Ends the profile: waits for the GPU and returns the time of every dispatch since startProfile. */
  async stopProfile(): Promise<DispatchTime[]> {
    const p = this.profiler;
    if (!p) throw new Error('no kernel profile is running (call startProfile first)');
    this.profiler = null;
    p.closeAll();
    await this.sync();
    return p.collect();
  }

  // ---------------------------------------------------------------- recording

  /** Submits everything recorded so far (does not wait). */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    const cb = this.encoder.finish();
    this.device.queue.submit([cb]);
    this.counters.submits++;
    // Popped in reverse order of pushing.
    const scopes = [this.device.popErrorScope(), this.device.popErrorScope(), this.device.popErrorScope()];
    this.pending.push({ scopes, kernels: this.recorded });
    this.recorded = [];
    this.encoder = null;
    // Queue order makes the uniform buffers safe to rewrite by later writeBuffer calls.
    this.freeUniforms.push(...this.usedUniforms);
    this.usedUniforms = [];
  }

  /** Flushes and waits until the GPU has finished; throws any recorded error. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    for (const b of this.stagingDestroyQueue.splice(0)) b.destroy();
    await this.checkErrors();
  }

  /** Throws the first error reported by any submitted encoder or pipeline compile. */
  async checkErrors(): Promise<void> {
    const checks = this.pending.splice(0);
    let first: GpuError | null = null;
    for (const c of checks) {
      const errs = await Promise.all(c.scopes);
      for (const e of errs) {
        if (e && !first) {
          const kind = e.constructor.name.includes('OutOfMemory') ? 'out-of-memory' : e.constructor.name.includes('Internal') ? 'internal' : 'validation';
          first = new GpuError(kind, `GPU ${kind} error in ${describe(c.kernels)}: ${e.message}`, c.kernels);
        }
      }
    }
    if (!first && this.uncaptured.length) first = new GpuError('validation', `GPU error: ${this.uncaptured.splice(0).join('\n')}`, []);
    if (!first && this.lost) first = new GpuError('device-lost', `GPU device lost (${this.lost})`, []);
    if (first) throw first;
  }

  /** Ends the open compute pass so the next dispatch starts a new one (with timestamps if set). */
  endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  /**
   * Records an empty compute pass that writes a timestamp at index `index` of `querySet`.
   * Dispatches between two markers are timed without changing how they are recorded.
   */
  timestampMarker(querySet: GPUQuerySet, index: number): void {
    this.endPass();
    this.passTimestamps = { querySet, beginningOfPassWriteIndex: index };
    this.computePass();
    this.endPass();
  }

  resolveQueries(querySet: GPUQuerySet, count: number, dst: GPUBuffer): void {
    this.commandEncoder().resolveQuerySet(querySet, 0, count, dst, 0);
  }

  /** The command encoder with no compute pass open (for copies, clears, query resolves). */
  commandEncoder(): GPUCommandEncoder {
    this.assertAlive();
    this.endPass();
    return this.openEncoder();
  }

  private openEncoder(): GPUCommandEncoder {
    if (!this.encoder) {
      this.device.pushErrorScope('internal');
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
      this.encoder = this.device.createCommandEncoder();
    }
    return this.encoder;
  }

  private computePass(): GPUComputePassEncoder {
    if (!this.pass) {
      const enc = this.openEncoder();
      this.pass = enc.beginComputePass(this.passTimestamps ? { timestampWrites: this.passTimestamps } : {});
      this.passTimestamps = undefined;
    }
    return this.pass;
  }

  // ---------------------------------------------------------------- lifetime

  stats(): { dispatches: number; submits: number; readbacks: number; uploads: number; pool: PoolStats } {
    return { ...this.counters, pool: this.pool.stats() };
  }

  private assertAlive(): void {
    if (this.destroyed) throw new GpuError('device-lost', 'GPU used after destroy()', []);
    if (this.lost) throw new GpuError('device-lost', `GPU device lost (${this.lost})`, []);
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  destroy(): void {
    if (this.destroyed) return;
    if (this.encoder) {
      try {
        this.flush();
      } catch {
        /* destroying anyway */
      }
    }
    this.destroyed = true;
    this.pool.trim();
    for (const b of this.freeUniforms) b.destroy();
    this.device.destroy();
  }
}

/** Dawn's binding accepts only numbers for pipeline constants; booleans become 0 / 1. */
function numericOverrides(o: Overrides): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) out[k] = Number(v);
  return out;
}

function describe(kernels: string[]): string {
  if (kernels.length === 0) return '(no kernels)';
  if (kernels.length <= 6) return kernels.join('; ');
  return `${kernels.slice(0, 3).join('; ')}; ... ${kernels.length - 4} more ...; ${kernels[kernels.length - 1]}`;
}

function padTo4(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  out.set(bytes);
  return out;
}

/** Splits a 1-D launch of `n` workgroups into an x*y grid that respects the 65535 limit. */
export function grid(n: number): [number, number, number] {
  if (n <= 65535) return [Math.max(n, 0), 1, 1];
  const y = Math.ceil(n / 65535);
  return [Math.ceil(n / y), y, 1];
}

// ------------------------------------------------------------------ creation

export async function listAdapters(): Promise<AdapterDescription[]> {
  const g = await gpuApi();
  const out: AdapterDescription[] = [];
  for (const powerPreference of ['high-performance', 'low-power'] as const) {
    const a = await g.requestAdapter({ powerPreference });
    if (a) out.push(describeAdapter(a));
  }
  const fb = await g.requestAdapter({ forceFallbackAdapter: true });
  if (fb) out.push(describeAdapter(fb));
  return out.filter((a, i) => out.findIndex((b) => b.description === a.description && b.device === a.device) === i);
}

function describeAdapter(a: GPUAdapter): AdapterDescription {
  const info = a.info;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isCpu: /llvmpipe|lavapipe|swiftshader|software|cpu/.test(text),
  };
}

export async function createGpu(opts: GpuOptions = {}): Promise<Gpu> {
  const g = await gpuApi();
  const want = (opts.adapter ?? envVar('EXIFLANG_ADAPTER') ?? '').toLowerCase();
  const candidates: GPUAdapter[] = [];
  for (const o of [{ powerPreference: 'high-performance' as const }, { powerPreference: 'low-power' as const }, { forceFallbackAdapter: true }]) {
    const a = await g.requestAdapter(o);
    if (a) candidates.push(a);
  }
  if (candidates.length === 0) {
    throw new Error(
      'No WebGPU adapter found. On a machine without a GPU install Mesa lavapipe from bookworm-backports ' +
        '(bash scripts/setup.sh does this), or point VK_DRIVER_FILES at a Vulkan ICD.',
    );
  }
  let adapter = candidates[0];
  if (want) {
    const hit = candidates.find((a) => {
      const d = describeAdapter(a);
      return `${d.vendor} ${d.architecture} ${d.device} ${d.description}`.toLowerCase().includes(want);
    });
    if (!hit) {
      const names = candidates.map((a) => describeAdapter(a).description || describeAdapter(a).device).join(', ');
      throw new Error(`EXIFLANG_ADAPTER='${want}' matches no adapter; available: ${names}`);
    }
    adapter = hit;
  }
  const desc = describeAdapter(adapter);
  const requiredLimits: Record<string, number> = {};
  const al = adapter.limits as unknown as Record<string, number>;
  for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage', 'maxBindingsPerBindGroup']) {
    if (typeof al[k] === 'number') requiredLimits[k] = al[k];
  }
  const requiredFeatures: GPUFeatureName[] = [];
  for (const f of ['timestamp-query', 'shader-f16', 'subgroups'] as GPUFeatureName[]) if (adapter.features.has(f)) requiredFeatures.push(f);
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'exif-lang' });
  const debug = opts.debug ?? envVar('EXIFLANG_GPU_DEBUG') === '1';
  const gpu = new Gpu(device, desc, debug);
  const quiet = opts.quiet ?? envVar('EXIFLANG_QUIET') === '1';
  if (!quiet) {
    const name = [desc.description, desc.device, desc.vendor].filter(Boolean).join(' / ') || 'unknown adapter';
    notice(`[exif-lang] GPU: ${name}${desc.isCpu ? ' (CPU emulation)' : ''}, timestamps ${gpu.hasTimestamps ? 'on' : 'off'}`);
  }
  return gpu;
}

let shared: Promise<Gpu> | null = null;
let sharedGpu: Gpu | null = null;

/** The process-wide GPU, created on first use and destroyed when the process ends. */
export function getGpu(opts?: GpuOptions): Promise<Gpu> {
  if (!shared) {
    shared = createGpu(opts).then((g) => (sharedGpu = g));
    onProcessExit(() => sharedGpu?.destroy());
  }
  return shared;
}
