import fc from 'fast-check';
import {
  atMaxReplicasThresholds,
  dlqDepthThresholds,
  errorRateThresholds,
  iteratorAgeThresholds,
  kedaScalerErrorThresholds,
  latencyThresholds,
  oldestMessageThresholds,
  replicationLatencyThresholds,
} from '../../../stacks/observability/thresholds';

describe('latencyThresholds', () => {
  test.each([
    // p99LatencyMs, critical (s), warning (s): the environments' targets
    [50, 0.05, 0.04],
    [40, 0.04, 0.032],
    [30, 0.03, 0.024],
  ])('p99 %d ms -> critical %d s, warning %d s', (p99LatencyMs, critical, warning) => {
    expect(latencyThresholds({ p99LatencyMs })).toEqual({ critical, warning });
  });

  test('warns before it pages, and pages exactly at the SLO', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60_000 }), (p99LatencyMs) => {
        const t = latencyThresholds({ p99LatencyMs });
        expect(t.critical * 1000).toBeCloseTo(p99LatencyMs, 6);
        expect(t.warning).toBeLessThan(t.critical);
        expect(t.warning).toBeGreaterThan(0);
      }),
    );
  });

  test('refuses a latency target that is not positive', () => {
    expect(() => latencyThresholds({ p99LatencyMs: 0 })).toThrow(
      "'targets.p99LatencyMs' (0) must be a finite number greater than 0",
    );
  });
});

describe('errorRateThresholds', () => {
  test.each([
    [0.999, 0.01, 0.005],
    [0.99, 0.1, 0.05],
    [0.9999, 0.001, 0.0005],
  ])('objective %d -> critical %d, warning %d (burn rates 10x and 5x)', (objective, critical, warning) => {
    expect(errorRateThresholds(objective)).toEqual({ critical, warning });
  });

  test('never exceeds 100 % of requests', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.0001, max: 0.9999, noNaN: true }), (objective) => {
        const t = errorRateThresholds(objective);
        expect(t.critical).toBeLessThanOrEqual(1);
        expect(t.warning!).toBeLessThanOrEqual(t.critical);
      }),
    );
  });

  test('refuses an objective of 1 (no error budget)', () => {
    expect(() => errorRateThresholds(1)).toThrow("'objective' (1) must be greater than 0 and less than 1");
  });
});

describe('replicationLatencyThresholds and iteratorAgeThresholds', () => {
  test.each([
    // rpoSeconds, critical (ms), warning (ms)
    [60, 60_000, 30_000],
    [15, 15_000, 7_500],
    [5, 5_000, 2_500],
  ])('RPO %d s -> critical %d ms, warning %d ms', (rpoSeconds, critical, warning) => {
    expect(replicationLatencyThresholds({ rpoSeconds })).toEqual({ critical, warning });
    expect(iteratorAgeThresholds({ rpoSeconds })).toEqual({ critical, warning });
  });

  test('pages exactly at the RPO and warns at half of it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 86_400 }), (rpoSeconds) => {
        const t = replicationLatencyThresholds({ rpoSeconds });
        expect(t.critical).toBe(rpoSeconds * 1000);
        expect(t.warning).toBe(rpoSeconds * 500);
      }),
    );
  });

  test('refuses a negative RPO', () => {
    expect(() => replicationLatencyThresholds({ rpoSeconds: -1 })).toThrow(
      "'dr.rpoSeconds' (-1) must be a finite number greater than 0",
    );
  });
});

describe('oldestMessageThresholds', () => {
  test.each([
    // maxReceiveCount, consumerProcessingSeconds, critical (s), warning (s): visibility = 6 x processing
    [5, 20, 600, 120],
    [3, 10, 180, 60],
    [10, 1.5, 90, 9],
  ])(
    '%d receives of %d s processing -> critical %d s, warning %d s',
    (maxReceiveCount, consumerProcessingSeconds, critical, warning) => {
      expect(oldestMessageThresholds({ maxReceiveCount, consumerProcessingSeconds })).toEqual({
        critical,
        warning,
      });
    },
  );

  test('the critical age is the time a failing message takes to reach the DLQ', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 7200 }),
        (maxReceiveCount, processing) => {
          const t = oldestMessageThresholds({ maxReceiveCount, consumerProcessingSeconds: processing });
          expect(t.critical).toBe(t.warning! * maxReceiveCount);
          expect(t.warning).toBeGreaterThanOrEqual(processing);
        },
      ),
    );
  });
});

describe('zero-tolerance thresholds', () => {
  test('a DLQ alerts on any message, an autoscaler at max, and any KEDA scaler error', () => {
    expect(dlqDepthThresholds()).toEqual({ critical: 0 });
    expect(atMaxReplicasThresholds()).toEqual({ critical: 0 });
    expect(kedaScalerErrorThresholds()).toEqual({ critical: 0 });
  });
});
