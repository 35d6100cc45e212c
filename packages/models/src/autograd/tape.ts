import { Tensor } from '../tensor/tensor.ts';
import { keep, scope } from '../tensor/scope.ts';
import { isGradEnabled, withGradMode } from './grad-mode.ts';
import type { Node } from './node.ts';

/**
 * Records `out` as produced by `op` from `inputs` when recording is on and some input requires
 * grad; otherwise returns `out` untouched. `saved` are tensors the backward needs: they are
 * re-shared (not copied) so the caller may dispose its own handles.
 */
export function record(
  op: string,
  inputs: readonly Tensor[],
  out: Tensor,
  saved: readonly Tensor[],
  backward: Node['backward'],
): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return out;
  const savedHandles = saved.map((t) => keep(t.share()));
  out.node = { op, inputs, saved: savedHandles, backward };
  out.requiresGrad = true;
  return out;
}

/** Tensors with nodes reachable from `root`, in topological order (inputs before outputs). */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<number>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (seen.has(t.id) || !t.node) continue;
    seen.add(t.id);
    stack.push([t, true]);
    for (const inp of t.node.inputs) if (inp.node && !seen.has(inp.id)) stack.push([inp, false]);
  }
  return order;
}

function releaseNode(t: Tensor): void {
  if (!t.node) return;
  for (const s of t.node.saved) s.dispose();
  t.node.saved = [];
  t.node = null;
}

export interface BackwardOptions {
  /** Gradient of the root (default: ones, which requires a scalar root). */
  grad?: Tensor;
  /** Keep the graph (saved tensors) for another backward. */
  retainGraph?: boolean;
}

/**
 * Reverse-mode differentiation from `root`. Leaf tensors with requiresGrad get `.grad`
 * (accumulated when it already exists: gradient accumulation over micro-batches). Each node's
 * saved tensors and each intermediate gradient are freed as soon as backward is past them.
 */
export function backward(root: Tensor, opts: BackwardOptions = {}): void {
  if (!root.requiresGrad) throw new Error(`backward(): ${root.describe()} does not require grad (nothing recorded)`);
  if (!opts.grad && root.size !== 1) throw new Error(`backward(): ${root.describe()} is not a scalar; pass opts.grad`);
  const makeOnes = hooks.ones;
  const addFn = hooks.add;
  if (!makeOnes || !addFn) throw new Error('backward(): autograd hooks not installed (import the ops module)');
  const order = topoOrder(root);
  const grads = new Map<number, Tensor>();
  withGradMode(false, () => {
    const seed = opts.grad ? keep(opts.grad.share()) : keep(makeOnes(root));
    if (!root.node) {
      accumulateLeaf(root, seed, addFn);
      return;
    }
    grads.set(root.id, seed);
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const node = t.node!;
      const g = grads.get(t.id);
      grads.delete(t.id);
      if (!g) {
        if (!opts.retainGraph) releaseNode(t);
        continue;
      }
      const inputGrads = scope(() => {
        const r = node.backward(g, node.saved);
        if (r.length !== node.inputs.length) throw new Error(`backward of ${node.op}: ${r.length} grads for ${node.inputs.length} inputs`);
        for (const x of r) if (x) keep(x);
        return r;
      });
      g.dispose();
      if (!opts.retainGraph) releaseNode(t);
      node.inputs.forEach((inp, k) => {
        const gi = inputGrads[k];
        if (!gi) return;
        if (!inp.requiresGrad) {
          gi.dispose();
          return;
        }
        if (gi.size !== inp.size) throw new Error(`backward of ${node.op}: grad for input ${k} has shape [${gi.shape}], input is [${inp.shape}]`);
        const gShaped = gi.shape.length === inp.shape.length && gi.shape.every((d, j) => d === inp.shape[j]) ? gi : reshapeHandle(gi, inp.shape);
        if (inp.node) {
          const prev = grads.get(inp.id);
          if (prev) {
            grads.set(inp.id, keep(addFn(prev, gShaped)));
            prev.dispose();
            gShaped.dispose();
          } else grads.set(inp.id, gShaped);
        } else accumulateLeaf(inp, gShaped, addFn);
      });
    }
  });
  for (const g of grads.values()) g.dispose();
}

function reshapeHandle(t: Tensor, shape: readonly number[]): Tensor {
  const v = keep(t.share(shape));
  t.dispose();
  return v;
}

function accumulateLeaf(leaf: Tensor, g: Tensor, add: (a: Tensor, b: Tensor) => Tensor): void {
  if (leaf.grad) {
    const sum = keep(add(leaf.grad, g));
    leaf.grad.dispose();
    g.dispose();
    leaf.grad = sum;
  } else leaf.grad = g;
}

/** Frees the graph behind `root` without running backward (e.g. a forward whose loss is unused). */
export function releaseGraph(root: Tensor): void {
  for (const t of topoOrder(root)) releaseNode(t);
}

/** Installed by the ops module to avoid an import cycle (tape <- ops). */
export const hooks: { ones?: (like: Tensor) => Tensor; add?: (a: Tensor, b: Tensor) => Tensor } = {};
