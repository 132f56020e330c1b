import fc from 'fast-check';
import { describeFloor, FloorInput, plannedFloor } from '../../tools/dr/steps/capacity-plan';

/** Issue 12 build 5, issue 15 finding 26: the floors the scale-up plans (runbook and simulator). */

/** A registered scalable thing: current <= max (AWS and the HPA refuse a minimum above the maximum). */
const input = fc
  .record({
    max: fc.integer({ min: 1, max: 200_000 }),
    currentPart: fc.double({ min: 0, max: 1, noNaN: true }),
    fullPart: fc.double({ min: 0, max: 1.5, noNaN: true }),
    source: fc.option(fc.double({ min: 0, max: 400_000, noNaN: true }), { nil: undefined }),
  })
  .map(({ max, currentPart, fullPart, source }): FloorInput => ({
    max,
    current: Math.floor(max * currentPart),
    full: Math.floor(max * fullPart),
    ...(source !== undefined ? { source } : {}),
  }));

describe('plannedFloor', () => {
  test('is the full floor when the source is not read', () => {
    expect(plannedFloor({ current: 7500, full: 30_000, max: 90_000 })).toEqual({
      want: 30_000,
      from: 'full',
    });
  });

  test("is the source's current capacity when larger than the full floor, rounded up", () => {
    expect(plannedFloor({ current: 7500, full: 30_000, max: 90_000, source: 41_234.2 })).toEqual({
      want: 41_235,
      from: 'source',
    });
  });

  test("is the maximum when the source runs more than the target's maximum", () => {
    expect(plannedFloor({ current: 4, full: 15, max: 30, source: 45 })).toEqual({ want: 30, from: 'max' });
  });

  test('keeps a floor an earlier attempt raised higher (never lowers)', () => {
    expect(plannedFloor({ current: 50_000, full: 30_000, max: 90_000, source: 31_000 })).toEqual({
      want: 50_000,
      from: 'current',
    });
  });

  test('caps a full floor above the maximum at the maximum', () => {
    expect(plannedFloor({ current: 1, full: 40, max: 30 })).toEqual({ want: 30, from: 'full' });
  });

  test('refuses a non-finite input, naming it', () => {
    expect(() => plannedFloor({ current: 1, full: Number.NaN, max: 30 })).toThrow(
      "plannedFloor: 'full' must be a finite number >= 0, got NaN",
    );
    expect(() => plannedFloor({ current: -1, full: 2, max: 30 })).toThrow(
      "plannedFloor: 'current' must be a finite number >= 0, got -1",
    );
  });

  test('property: never below the floor set now (the standby floor)', () => {
    fc.assert(fc.property(input, (i) => plannedFloor(i).want >= i.current));
  });

  test("property: never above the scalable target's maximum", () => {
    fc.assert(fc.property(input, (i) => plannedFloor(i).want <= i.max));
  });

  test('property: at least the full floor (capped at the maximum)', () => {
    fc.assert(fc.property(input, (i) => plannedFloor(i).want >= Math.min(i.full, i.max)));
  });

  test('property: monotone in the source capacity', () => {
    fc.assert(
      fc.property(input, fc.double({ min: 0, max: 100_000, noNaN: true }), (i, more) => {
        const base = i.source ?? 0;
        return plannedFloor({ ...i, source: base + more }).want >= plannedFloor({ ...i, source: base }).want;
      }),
    );
  });

  test('property: an integer, so RegisterScalableTarget and the HPA accept it', () => {
    fc.assert(fc.property(input, (i) => Number.isInteger(plannedFloor(i).want)));
  });

  test('property: planning again from the raised floor changes nothing (a resumed run does not raise twice)', () => {
    fc.assert(
      fc.property(input, (i) => {
        const first = plannedFloor(i).want;
        return plannedFloor({ ...i, current: first }).want === first;
      }),
    );
  });
});

describe('describeFloor', () => {
  test('names where each floor comes from', () => {
    expect(describeFloor({ want: 15, from: 'full' })).toBe('15 (full)');
    expect(describeFloor({ want: 40, from: 'source' })).toBe("40 (source's current)");
    expect(describeFloor({ want: 30, from: 'max' }, 45)).toBe('30 (maximum; source runs 45)');
    expect(describeFloor({ want: 50, from: 'current' })).toBe('50 (already)');
  });
});
