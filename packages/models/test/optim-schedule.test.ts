import { describe, it, expect } from 'vitest';
import { lrAt, paperSchedule, parseSchedule, validateSchedule, type ScheduleSpec } from '../src/optim/index.ts';

describe('schedules (pure functions of the step)', () => {
  it("warm-up + cosine: the paper's corners", () => {
    const s = paperSchedule(1000, 100); // lr 1e-4 -> 1e-7
    expect(lrAt(s, 0)).toBeCloseTo(1e-6, 18); // (0 + 1) / 100 of the rate: the first update moves
    expect(lrAt(s, 49)).toBeCloseTo(0.5e-4, 18);
    expect(lrAt(s, 99)).toBe(1e-4); // last warm-up update at the full rate
    expect(lrAt(s, 100)).toBe(1e-4); // cosine starts at the top
    expect(lrAt(s, 550)).toBeCloseTo((1e-4 + 1e-7) / 2, 18); // half way
    expect(lrAt(s, 999)).toBeGreaterThan(1e-7);
    expect(lrAt(s, 999)).toBeLessThan(1.01e-7);
    expect(lrAt(s, 1000)).toBe(1e-7); // floor at and after the end
    expect(lrAt(s, 10_000_000)).toBe(1e-7);
    for (let t = 100; t < 1000; t++) expect(lrAt(s, t + 1)).toBeLessThanOrEqual(lrAt(s, t));
    for (let t = 0; t < 99; t++) expect(lrAt(s, t + 1)).toBeGreaterThan(lrAt(s, t));
  });

  it('cosine edge cases: no warm-up, warm-up filling the run, zero floor', () => {
    const noWarm: ScheduleSpec = { kind: 'cosine', lr: 1, totalSteps: 4 };
    expect([0, 1, 2, 3, 4].map((t) => lrAt(noWarm, t))).toEqual([1, (1 + Math.cos(Math.PI / 4)) / 2, 0.5, (1 + Math.cos((3 * Math.PI) / 4)) / 2, 0]);
    const allWarm: ScheduleSpec = { kind: 'cosine', lr: 2, totalSteps: 2, warmupSteps: 2, minLr: 0.5 };
    expect([0, 1, 2, 3].map((t) => lrAt(allWarm, t))).toEqual([1, 2, 0.5, 0.5]);
    expect(lrAt({ kind: 'cosine', lr: 1, totalSteps: 0 }, 0)).toBe(0);
  });

  it('constant, constant with warm-up, step decay', () => {
    expect(lrAt({ kind: 'constant', lr: 0.3 }, 0)).toBe(0.3);
    expect(lrAt({ kind: 'constant', lr: 0.3 }, 123456)).toBe(0.3);
    const cw: ScheduleSpec = { kind: 'constant', lr: 0.4, warmupSteps: 4 };
    expect([0, 1, 2, 3, 4, 99].map((t) => lrAt(cw, t))).toEqual([0.1, 0.2, 0.30000000000000004, 0.4, 0.4, 0.4]);
    const sd: ScheduleSpec = { kind: 'step', lr: 1, stepSize: 3, gamma: 0.1, warmupSteps: 1 };
    expect([0, 1, 3, 4, 6, 7].map((t) => lrAt(sd, t))).toEqual([1, 1, 1, 0.1, 0.1, 0.1 ** 2]);
  });

  it('is pure: the same step gives the same rate, in any order', () => {
    const s = paperSchedule(500, 25);
    const forward = Array.from({ length: 600 }, (_, t) => lrAt(s, t));
    const backward = Array.from({ length: 600 }, (_, t) => lrAt(s, 599 - t)).reverse();
    expect(backward).toEqual(forward);
  });

  it('rejects bad specs and steps with a message naming the field', () => {
    expect(() => lrAt({ kind: 'constant', lr: 1 }, -1)).toThrow(/step must be an integer >= 0/);
    expect(() => lrAt({ kind: 'constant', lr: 1 }, 1.5)).toThrow(/step/);
    expect(() => validateSchedule({ kind: 'constant', lr: -1 })).toThrow(/lr must be/);
    expect(() => validateSchedule({ kind: 'constant', lr: 1, warmupSteps: 2.5 })).toThrow(/warmupSteps/);
    expect(() => validateSchedule({ kind: 'cosine', lr: 1, totalSteps: 5, warmupSteps: 10 })).toThrow(/totalSteps/);
    expect(() => validateSchedule({ kind: 'cosine', lr: 1e-4, totalSteps: 5, minLr: 1e-3 })).toThrow(/minLr/);
    expect(() => validateSchedule({ kind: 'step', lr: 1, stepSize: 0, gamma: 0.5 })).toThrow(/stepSize/);
    expect(() => validateSchedule({ kind: 'step', lr: 1, stepSize: 2, gamma: Number.NaN })).toThrow(/gamma/);
    expect(() => parseSchedule({ kind: 'linear', lr: 1 })).toThrow(/unknown kind "linear"/);
    expect(() => parseSchedule('cosine')).toThrow(/expected an object/);
    expect(parseSchedule(JSON.parse(JSON.stringify(paperSchedule(10, 2))))).toEqual(paperSchedule(10, 2));
  });
});
