import fc from 'fast-check';
import { burnRateAlerts, timeframeHours, windowNotation } from '../../../stacks/observability/burn-rate';
import { InvalidArgumentError } from '../../../stacks/errors';

describe('burnRateAlerts', () => {
  // GIVEN a target and window, THEN the workbook's table 5-8 numbers (30 d: 14.4x and 6x).
  test.each<[number, '7d' | '30d' | '90d', number, number, number, number]>([
    // target, window, fast burn, fast error rate, slow burn, slow error rate
    [99.9, '30d', 14.4, 0.0144, 6, 0.006],
    [99.95, '30d', 14.4, 0.0072, 6, 0.003],
    [99.5, '30d', 14.4, 0.072, 6, 0.03],
    [99, '30d', 14.4, 0.144, 6, 0.06],
    [99.9, '7d', 3.36, 0.00336, 1.4, 0.0014],
    [99.9, '90d', 43.2, 0.0432, 18, 0.018],
    [95, '7d', 3.36, 0.168, 1.4, 0.07],
  ])(
    'target %s %% over %s: fast %sx (error rate %s), slow %sx (error rate %s)',
    (target, tf, fb, fe, sb, se) => {
      const [fast, slow] = burnRateAlerts(target, tf);
      expect(fast).toMatchObject({
        key: 'fast',
        longWindow: '1h',
        shortWindow: '5m',
        burnRate: fb,
        errorRate: fe,
      });
      expect(slow).toMatchObject({
        key: 'slow',
        longWindow: '6h',
        shortWindow: '30m',
        burnRate: sb,
        errorRate: se,
      });
    },
  );

  test('the fast alert exhausts a 30-day budget in 50 hours, the slow in 120', () => {
    expect(burnRateAlerts(99.9, '30d').map((a) => a.hoursToExhaustion)).toEqual([50, 120]);
  });

  test('refuses a target whose fast alert could never fire (error rate above 1)', () => {
    expect(() => burnRateAlerts(90, '30d')).toThrow(
      new InvalidArgumentError(
        "'target' (90) is too low for the fast burn-rate alert: 14.4x its budget is an error rate of 1.44, above 1; expected a target above 93.0555555556 %",
      ),
    );
  });

  test.each([0, 100, -1, Number.NaN])('refuses the target %s', (t) => {
    expect(() => burnRateAlerts(t, '30d')).toThrow(
      `'target' (${t}) must be a percentage greater than 0 and less than 100`,
    );
  });

  test('property: the error rate is the burn rate times the budget, and higher targets alert at lower error rates', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 95, max: 99.999, noNaN: true }),
        fc.double({ min: 95, max: 99.999, noNaN: true }),
        fc.constantFrom<'7d' | '30d' | '90d'>('7d', '30d'),
        (a, b, tf) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const x = burnRateAlerts(lo, tf);
          const y = burnRateAlerts(hi, tf);
          for (const [i, alert] of x.entries()) {
            expect(alert.errorRate).toBeCloseTo(alert.burnRate * (1 - lo / 100), 9);
            expect(y[i].errorRate).toBeLessThanOrEqual(alert.errorRate + 1e-12);
            // Burning at the threshold for the long window spends exactly budgetConsumed of the budget.
            expect((alert.burnRate * alert.longWindowMinutes) / (timeframeHours(tf) * 60)).toBeCloseTo(
              alert.budgetConsumed,
              12,
            );
          }
        },
      ),
    );
  });

  test('each short window is 1/12 of its long window', () => {
    for (const a of burnRateAlerts(99.9, '30d')) expect(a.shortWindowMinutes * 12).toBe(a.longWindowMinutes);
  });
});

describe('windowNotation', () => {
  test.each([
    [5, '5m'],
    [30, '30m'],
    [60, '1h'],
    [360, '6h'],
  ])('%s minutes is %s', (m, s) => expect(windowNotation(m)).toBe(s));
});
