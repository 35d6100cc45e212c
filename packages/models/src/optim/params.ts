import type { Tensor } from '../tensor/tensor.ts';
import { Module } from '../nn/module.ts';

/**
 * Where an optimizer's parameters come from: a Module (its namedParameters(), so optimizer
 * state gets the state-dict names), explicit [name, tensor] pairs, or bare tensors (named
 * p0, p1, ... in order: stable only as long as the list is).
 */
export type ParamSource = Module | Iterable<readonly [string, Tensor]> | readonly Tensor[];

/** A parameter group: its own learning rate and weight decay (default: the optimizer's). */
export interface ParamGroupSpec {
  params: ParamSource;
  /** This group's rate; a schedule (or setLr) scales it in proportion to the optimizer's lr. */
  lr?: number;
  weightDecay?: number;
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && (v as { isTensor?: unknown }).isTensor === true;
}

/** [name, tensor] pairs of a source; bare tensors are named p<index> from `offset`. */
export function namedParams(src: ParamSource, offset = 0): [string, Tensor][] {
  if (src instanceof Module) return [...src.namedParameters()];
  const list = [...(src as Iterable<unknown>)];
  return list.map((item, i): [string, Tensor] => {
    if (isTensor(item)) return [`p${offset + i}`, item];
    if (Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && isTensor(item[1])) return [item[0], item[1]];
    throw new Error(`optimizer: parameter ${offset + i} is neither a tensor nor a [name, tensor] pair`);
  });
}

/** True when `v` is a list of group specs rather than a parameter source. */
export function isGroupList(v: ParamSource | readonly ParamGroupSpec[]): v is readonly ParamGroupSpec[] {
  if (v instanceof Module || !Array.isArray(v) || v.length === 0) return false;
  const first: unknown = v[0];
  return typeof first === 'object' && first !== null && !isTensor(first) && !Array.isArray(first) && 'params' in first;
}

export interface WeightDecayGroupsOptions {
  /**
   * Which parameters get no weight decay. Default: tensors of rank <= 1, i.e. BatchNorm and
   * LayerNorm weights and biases, every bias and a learned logit scale (CLIP's exclusion).
   */
  exclude?: (name: string, t: Tensor) => boolean;
}

export const isNormOrBias = (_name: string, t: Tensor): boolean => t.rank <= 1;

/**
 * Two groups over `src`: the parameters that decay with `weightDecay` and the excluded ones
 * with weight decay 0 (an empty group is left out).
 */
export function weightDecayGroups(src: ParamSource, weightDecay: number, opts: WeightDecayGroupsOptions = {}): ParamGroupSpec[] {
  const exclude = opts.exclude ?? isNormOrBias;
  const decay: [string, Tensor][] = [];
  const keep: [string, Tensor][] = [];
  for (const [n, t] of namedParams(src)) (exclude(n, t) ? keep : decay).push([n, t]);
  const groups: ParamGroupSpec[] = [];
  if (decay.length) groups.push({ params: decay, weightDecay });
  if (keep.length) groups.push({ params: keep, weightDecay: 0 });
  return groups;
}
