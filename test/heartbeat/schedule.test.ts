import fc from 'fast-check';
import { nextBeat, observeInbound, parseWrittenAt } from '../../tools/heartbeat/schedule';

describe('nextBeat (drift-free schedule)', () => {
  test('after an on-time beat, the next slot: start + (k + 1) x interval', () => {
    expect(nextBeat(10_000, 1000, 3, 13_040)).toEqual({ index: 4, atMs: 14_000, skipped: 0 });
  });

  test('a beat that overran two slots skips them instead of running them back to back', () => {
    // beat 3 was due at 13 000 and finished at 15 500: slots 4 (14 000) and 5 (15 000) passed
    expect(nextBeat(10_000, 1000, 3, 15_500)).toEqual({ index: 6, atMs: 16_000, skipped: 2 });
  });

  test('a beat finishing exactly on a slot runs that slot at once', () => {
    expect(nextBeat(0, 1000, 0, 2000)).toEqual({ index: 2, atMs: 2000, skipped: 1 });
  });

  test('the first beat (lastIndex -1) is due at the start', () => {
    expect(nextBeat(500, 1000, -1, 500)).toEqual({ index: 0, atMs: 500, skipped: 0 });
  });

  test("refuses a non-positive interval, naming 'intervalMs'", () => {
    expect(() => nextBeat(0, 0, 0, 0)).toThrow("'intervalMs' (0) must be a positive number of milliseconds");
    expect(() => nextBeat(0, 1000, 1.5, 0)).toThrow("'lastIndex' (1.5) must be an integer of at least -1");
  });

  const input = fc.record({
    start: fc.integer({ min: 0, max: 1e9 }),
    interval: fc.integer({ min: 1, max: 10_000 }),
    last: fc.integer({ min: -1, max: 10_000 }),
    // how long after its own slot the last beat finished
    ran: fc.integer({ min: 0, max: 100_000 }),
  });

  test('property: the next beat is on the grid, after the last, not in the past, and within one interval', () => {
    fc.assert(
      fc.property(input, ({ start, interval, last, ran }) => {
        const now = start + Math.max(0, last) * interval + ran;
        const next = nextBeat(start, interval, last, now);
        expect(next.index).toBeGreaterThan(last);
        expect(next.atMs).toBe(start + next.index * interval); // phase kept: no drift
        expect(next.atMs).toBeGreaterThanOrEqual(now);
        expect(next.atMs - now).toBeLessThanOrEqual(interval);
        expect(next.skipped).toBe(next.index - last - 1);
      }),
    );
  });

  test('property: a beat is skipped only if its slot passed before the previous beat finished', () => {
    fc.assert(
      fc.property(input, ({ start, interval, last, ran }) => {
        const now = start + Math.max(0, last) * interval + ran;
        const next = nextBeat(start, interval, last, now);
        // Slots grow with k, so the last skipped slot having passed means every skipped slot had
        // (one check, not up to 100,000 per run).
        if (next.index - 1 > last) expect(start + (next.index - 1) * interval).toBeLessThan(now);
        if (now <= start + (last + 1) * interval) expect(next.skipped).toBe(0);
      }),
    );
  });

  test('property: n on-time beats take exactly n intervals, whatever each beat took', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.double({ min: 0, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (interval, fractions) => {
          let last = 0;
          for (const f of fractions) {
            const now = last * interval + f * interval; // each beat ends within its own interval
            last = nextBeat(0, interval, last, now).index;
          }
          expect(last).toBe(fractions.length);
        },
      ),
    );
  });
});

describe('observeInbound (inbound-lag rule)', () => {
  test('records now - writtenAt when the other region advanced', () => {
    expect(observeInbound(1_000, 1_900, 2_150)).toEqual({
      inbound: { inboundLagMs: 250, inboundWrittenAt: 1_900 },
      lastSeen: 1_900,
    });
  });

  test('records nothing when it did not advance, and remembers the value', () => {
    expect(observeInbound(1_900, 1_900, 5_000)).toEqual({ lastSeen: 1_900 });
  });

  test('records nothing when it could not be read, and keeps the previous value', () => {
    expect(observeInbound(1_900, undefined, 5_000)).toEqual({ lastSeen: 1_900 });
  });

  test('the first read only remembers', () => {
    expect(observeInbound(undefined, 1_900, 2_000)).toEqual({ lastSeen: 1_900 });
  });

  test('a writtenAt ahead of the local clock (skew) records a lag of 0, not a negative one', () => {
    expect(observeInbound(1_000, 2_100, 2_000)?.inbound).toEqual({
      inboundLagMs: 0,
      inboundWrittenAt: 2_100,
    });
  });
});

describe('parseWrittenAt', () => {
  test.each([
    ['1700000000123', 1700000000123],
    ['1.5', undefined],
    ['-5', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p reads as %p', (n, expected) => {
    expect(parseWrittenAt(n)).toBe(expected);
  });
});
