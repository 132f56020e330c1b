import fc from 'fast-check';
import { CanaryRegionData, describeView, judgeRegion, seconds, Series } from '../../tools/dr/canary-view';

const NOW = Date.parse('2026-12-08T03:00:00.000Z');
const MIN = 60_000;
const J = { nowMs: NOW, failingAfter: 3, periodMs: MIN, windowMs: 15 * MIN };

/** `values[0]` is the newest probe, `ageMs` old; each further one a minute older. */
function series(values: readonly number[], ageMs = 30_000): Series {
  return { timestamps: values.map((_, i) => NOW - ageMs - i * MIN), values };
}
function data(healthy: number[], latency?: number[], errors: Record<string, number[]> = {}, ageMs = 30_000) {
  return {
    healthy: series(healthy, ageMs),
    latency: series(latency ?? healthy.map(() => 180), ageMs),
    errors: Object.fromEntries(Object.entries(errors).map(([r, v]) => [r, series(v, ageMs)])),
  } satisfies CanaryRegionData;
}

describe('judgeRegion: table', () => {
  test.each([
    ['all healthy', [1, 1, 1, 1, 1], 'healthy', 0, 0],
    ['one old failure', [1, 1, 1, 0, 1], 'flapping', 0, 1],
    ['two recent failures (below the alarm count)', [0, 0, 1, 1], 'flapping', 2, 2],
    ['the last three failed', [0, 0, 0, 1, 1], 'failing', 3, 3],
    ['every probe failed', [0, 0, 0, 0, 0, 0], 'failing', 6, 6],
  ])('%s -> %s', (_, healthy, state, streak, failures) => {
    const v = judgeRegion('us-east-1', data(healthy), J);
    expect(v.state).toBe(state);
    if (v.state === 'no-data' || v.state === 'unreachable') throw new Error('unexpected');
    expect(v.consecutiveFailures).toBe(streak);
    expect(v.failures).toBe(failures);
    expect(v.samples).toBe(healthy.length);
    expect(v.failureRate).toBeCloseTo(failures / healthy.length, 10);
  });

  test('last success, its age, and the latency at the newest datapoint', () => {
    const v = judgeRegion(
      'us-east-1',
      data([0, 0, 1, 1], [5000, 5000, 212, 190], { timeout: [1, 1, 0, 0] }),
      J,
    );
    expect(v).toMatchObject({
      state: 'flapping',
      lastAt: '2026-12-08T02:59:30.000Z',
      lastAgeMs: 30_000,
      lastSuccessAt: '2026-12-08T02:57:30.000Z',
      lastSuccessAgeMs: 150_000,
      lastLatencyMs: 5000,
      lastFailureReason: 'timeout',
    });
  });

  test('no datapoint in the window is no-data', () => {
    expect(judgeRegion('us-east-1', data([]), J)).toEqual({
      state: 'no-data',
      region: 'us-east-1',
      windowMs: 15 * MIN,
    });
    // Datapoints older than the window do not count either.
    expect(judgeRegion('us-east-1', data([0, 0, 0], [], {}, 16 * MIN), J).state).toBe('no-data');
  });

  test('a newest datapoint older than 3 periods + 2 min is stale, even when it failed', () => {
    const v = judgeRegion('us-east-1', data([0, 0, 0], undefined, {}, 6 * MIN), J);
    expect(v.state).toBe('stale');
    expect(describeView(v)).toBe(
      'stale: no success in the last 3 probes, latency 180 ms, failed the last 3 probe(s), 3/3 failed, newest datapoint 6 min old: the canary stopped publishing',
    );
  });

  test('describeView names the evidence', () => {
    expect(
      describeView(
        judgeRegion('us-east-1', data([0, 0, 0, 1], [5000, 5000, 5000, 200], { timeout: [1, 1, 1, 0] }), J),
      ),
    ).toBe(
      'failing: last success 2026-12-08T02:56:30.000Z (3 min 30 s ago), latency 5000 ms, failed the last 3 probe(s) (timeout), 3/4 failed',
    );
    expect(describeView(judgeRegion('us-west-2', data([1, 1]), J))).toBe(
      'healthy: last success 2026-12-08T02:59:30.000Z (30 s ago), latency 180 ms, 0/2 failed',
    );
    expect(describeView({ state: 'no-data', region: 'x', windowMs: 15 * MIN })).toBe(
      'no data (no datapoint in the last 15 min)',
    );
    expect(describeView({ state: 'unreachable', region: 'x', error: 'DeadlineExceeded: late' })).toBe(
      'unreachable (DeadlineExceeded: late)',
    );
  });
});

describe('judgeRegion: properties', () => {
  const probes = fc.array(fc.constantFrom(0, 1), { minLength: 1, maxLength: 15 });

  test('failing exactly when the newest failingAfter probes all failed', () => {
    fc.assert(
      fc.property(probes, fc.integer({ min: 1, max: 5 }), (h, n) => {
        const v = judgeRegion('r', data(h), { ...J, failingAfter: n });
        const expected = h.length >= n && h.slice(0, n).every((x) => x === 0);
        return (v.state === 'failing') === expected;
      }),
    );
  });

  test('the input order does not matter', () => {
    fc.assert(
      fc.property(probes, fc.integer(), (h, seed) => {
        const s = series(h);
        const idx = s.values
          .map((_, i) => i)
          .sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
        const shuffled = { timestamps: idx.map((i) => s.timestamps[i]), values: idx.map((i) => s.values[i]) };
        const a = judgeRegion('r', { ...data(h), healthy: s }, J);
        const b = judgeRegion('r', { ...data(h), healthy: shuffled }, J);
        expect(b).toEqual(a);
      }),
    );
  });

  test('counts are consistent: streak <= failures <= samples, rate in [0, 1], ages match their times', () => {
    fc.assert(
      fc.property(probes, fc.integer({ min: 0, max: 5 * MIN }), (h, age) => {
        const v = judgeRegion('r', data(h, undefined, {}, age), J);
        if (v.state === 'no-data' || v.state === 'unreachable') return false;
        expect(v.consecutiveFailures).toBeLessThanOrEqual(v.failures);
        expect(v.failures).toBeLessThanOrEqual(v.samples);
        expect(v.failureRate).toBeGreaterThanOrEqual(0);
        expect(v.failureRate).toBeLessThanOrEqual(1);
        if (v.lastSuccessAt !== null) expect(v.lastSuccessAgeMs).toBe(NOW - Date.parse(v.lastSuccessAt));
        else expect(h.every((x) => x === 0)).toBe(true);
        return true;
      }),
    );
  });

  test('a fresh healthy probe newer than the rest ends any failing state', () => {
    fc.assert(
      fc.property(probes, (h) => {
        const v = judgeRegion('r', data([1, ...h]), J);
        return (v.state === 'healthy' || v.state === 'flapping') && v.lastSuccessAgeMs === 30_000;
      }),
    );
  });
});

test.each([
  [42_000, '42 s'],
  [119_400, '119 s'],
  [210_000, '3 min 30 s'],
  [360_000, '6 min'],
  [7_500_000, '2 h 5 min'],
  [7_200_000, '2 h'],
])('seconds(%d) is %s', (ms, text) => expect(seconds(ms)).toBe(text));
