import type { Tensor } from './tensor.ts';

/**
 * Explicit GPU memory lifetimes without the garbage collector (tfjs' `tidy`, made explicit):
 * every tensor created inside `scope(fn)` is disposed when fn returns, except the tensors fn
 * returns (handed to the enclosing scope) and tensors marked with `keep` (parameters,
 * optimizer state, gradients). Tensors created outside any scope are the caller's to dispose.
 *
 * The scope stack is global, so do not interleave two scopes across `await`s.
 */

const stack: Set<Tensor>[] = [];

/** Called by the Tensor constructor. */
export function track(t: Tensor): void {
  if (stack.length) stack[stack.length - 1].add(t);
}

/** Exempts `t` from disposal by every enclosing scope (it becomes the caller's to dispose). */
export function keep<T extends Tensor>(t: T): T {
  for (const s of stack) s.delete(t);
  return t;
}

function isTensorLike(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && (v as { isTensor?: unknown }).isTensor === true;
}

/** Tensors reachable from a scope's result (a tensor, or arrays/plain objects of them). */
function collect(v: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 4 || v === null || typeof v !== 'object') return;
  if (isTensorLike(v)) {
    out.add(v);
    return;
  }
  if (Array.isArray(v)) for (const x of v) collect(x, out, depth + 1);
  else if (Object.getPrototypeOf(v) === Object.prototype) for (const x of Object.values(v as object)) collect(x, out, depth + 1);
}

function close(created: Set<Tensor>, result: unknown): void {
  const returned = new Set<Tensor>();
  collect(result, returned);
  const parent = stack.length ? stack[stack.length - 1] : null;
  for (const t of created) {
    if (returned.has(t)) parent?.add(t);
    else t.dispose();
  }
}

/** Runs fn; disposes every tensor it created except the ones it returns. */
export function scope<T>(fn: () => T): T {
  stack.push(new Set());
  let result: T;
  try {
    result = fn();
  } catch (e) {
    close(stack.pop()!, undefined);
    throw e;
  }
  close(stack.pop()!, result);
  return result;
}

/** Async scope: same contract; don't run two concurrently. */
export async function scopeAsync<T>(fn: () => Promise<T>): Promise<T> {
  stack.push(new Set());
  const mine = stack[stack.length - 1];
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    stack.splice(stack.indexOf(mine), 1);
    close(mine, undefined);
    throw e;
  }
  if (stack[stack.length - 1] !== mine) throw new Error('scopeAsync: scopes were interleaved across awaits');
  stack.pop();
  close(mine, result);
  return result;
}

export function scopeDepth(): number {
  return stack.length;
}
