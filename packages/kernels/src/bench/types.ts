import type { Gpu } from '../runtime/gpu.ts';
import type * as tfcore from '@tensorflow/tfjs-core';

/**
 * The benchmark's contract with a kernel family. Each file in src/bench/cases/ exports
 * `cases: BenchCase[]`; the runner finds them by itself (no registry to edit).
 *
 * `ours` and `peer` do their setup (allocate, upload, build weights) when called and return
 * the function that performs exactly one run, plus a teardown. The runner times `run` many
 * times: ours with GPU timestamps around what it records (so `run` must only record work,
 * never sync or read back), the peer with tfjs' own kernel timing.
 */
export interface BenchCase {
  /** Kernel family and variant, e.g. 'matmul' or 'matmul transB'. Matched by --filter. */
  name: string;
  /** Shape label for the table, e.g. '1024x1024x1024'. Also matched by --filter. */
  shape: string;
  /** Floating-point operations of one run (reported as GFLOP/s). */
  flops?: number;
  /** Bytes moved by one run, for memory-bound kernels (reported as GB/s when flops is absent). */
  bytes?: number;
  ours(gpu: Gpu): BenchRun | Promise<BenchRun>;
  /** The same operation in tfjs-backend-webgpu; omit when tfjs has no equivalent. */
  peer?(tf: Tf): PeerRun | Promise<PeerRun>;
}

export interface BenchRun {
  /** Records one run (dispatches only). */
  run(): void;
  teardown?(): void;
}

export interface PeerRun {
  /** Runs the op once and returns its result(s); the runner syncs and disposes them. */
  run(): tfcore.Tensor | tfcore.Tensor[];
  teardown?(): void;
}

/** The tfjs-core namespace (type only: tfjs is imported dynamically, inside the benchmark). */
export type Tf = typeof tfcore;

/** One row of the results (also what --json writes). */
export interface BenchRow {
  name: string;
  shape: string;
  /** median GPU time of our kernel(s), ms */
  oursMs: number;
  /** all repetitions, ms */
  oursSamples: number[];
  /** GFLOP/s or GB/s (see unit) */
  oursRate: number | null;
  unit: 'GFLOP/s' | 'GB/s' | null;
  /** median tfjs time, ms (method in peerTiming) */
  peerMs: number | null;
  peerSamples: number[];
  peerRate: number | null;
  /** median tfjs wall time of run + `await data()` (includes submit and readback), ms */
  peerWallMs: number | null;
  peerTiming: 'tfjs kernelMs (timestamp queries)' | 'wall clock with sync' | null;
  /** peerMs / oursMs: how many times faster ours is */
  speedup: number | null;
}
