import { InvalidArgumentError } from '../errors';
import type { SloTimeframe } from '../config/observability-schema';

/**
 * Multi-window, multi-burn-rate alerting (Google SRE workbook, "Alerting on SLOs", table 5-8): page
 * when 2 % of the error budget burns in an hour, or 5 % in six hours, each confirmed by a window of
 * 1/12 of its length so the alert resets soon after the burn stops. Pure functions: the burn rates and
 * the error rates they imply are derived from the SLO's target and window, never typed.
 * @see https://sre.google/workbook/alerting-on-slos/
 * @see https://docs.datadoghq.com/service_management/service_level_objectives/burn_rate/
 */

/** One pair of windows and the share of the budget it may burn before it pages. */
export interface BurnRateWindow {
  /** Stable key of the alert: `fast` (1 h / 5 m) or `slow` (6 h / 30 m). */
  readonly key: 'fast' | 'slow';
  readonly longWindowMinutes: number;
  readonly shortWindowMinutes: number;
  /** The share of the whole window's error budget that burning at the threshold spends in the long window. */
  readonly budgetConsumed: number;
}

/** The workbook's two paging pairs (its third, 3 d / 6 h at 1x, is a ticket and not built). */
export const PAGING_WINDOWS: readonly BurnRateWindow[] = [
  { key: 'fast', longWindowMinutes: 60, shortWindowMinutes: 5, budgetConsumed: 0.02 },
  { key: 'slow', longWindowMinutes: 360, shortWindowMinutes: 30, budgetConsumed: 0.05 },
];

/** A derived burn-rate alert. */
export interface BurnRateAlert extends BurnRateWindow {
  /** Budget consumption speed that pages: 1 spends exactly the budget over the SLO window. */
  readonly burnRate: number;
  /** The error rate (bad / total, 0..1) that burns at `burnRate`: `burnRate x (1 - target)`. */
  readonly errorRate: number;
  /** Hours until the whole budget is gone at `burnRate`. */
  readonly hoursToExhaustion: number;
  /** Datadog's window notation, e.g. `1h`, `5m`, `6h`, `30m`. */
  readonly longWindow: string;
  readonly shortWindow: string;
}

/** The SLO window in hours. */
export function timeframeHours(timeframe: SloTimeframe): number {
  const days = { '7d': 7, '30d': 30, '90d': 90 }[timeframe];
  if (days === undefined) {
    throw new InvalidArgumentError(`'timeframe' (${String(timeframe)}) must be one of 7d, 30d, 90d`);
  }
  return days * 24;
}

/** Rounds away binary noise (0.02 * 720) so a threshold prints as the number a reader expects. */
const round = (v: number) => Number(v.toPrecision(12));

/** Minutes in Datadog's notation: whole hours as `<n>h`, else `<n>m`. */
export function windowNotation(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/**
 * The paging burn-rate alerts of an SLO: `burnRate = budgetConsumed x window / longWindow` (14.4 and 6
 * for 30 days), and the error rate each implies for `targetPercent`.
 * @throws InvalidArgumentError when the target is not in (0, 100), or so low that an alert's error
 *   rate would exceed 100 % (it could never fire)
 */
export function burnRateAlerts(
  targetPercent: number,
  timeframe: SloTimeframe,
  windows: readonly BurnRateWindow[] = PAGING_WINDOWS,
): BurnRateAlert[] {
  if (!Number.isFinite(targetPercent) || targetPercent <= 0 || targetPercent >= 100) {
    throw new InvalidArgumentError(
      `'target' (${targetPercent}) must be a percentage greater than 0 and less than 100`,
    );
  }
  const hours = timeframeHours(timeframe);
  const budget = round(1 - targetPercent / 100);
  return windows.map((w) => {
    const burnRate = round((w.budgetConsumed * hours * 60) / w.longWindowMinutes);
    const errorRate = round(burnRate * budget);
    if (errorRate > 1) {
      throw new InvalidArgumentError(
        `'target' (${targetPercent}) is too low for the ${w.key} burn-rate alert: ${burnRate}x its budget is an error rate of ${errorRate}, above 1; ` +
          `expected a target above ${round(100 * (1 - 1 / burnRate))} %`,
      );
    }
    return {
      ...w,
      burnRate,
      errorRate,
      hoursToExhaustion: round(hours / burnRate),
      longWindow: windowNotation(w.longWindowMinutes),
      shortWindow: windowNotation(w.shortWindowMinutes),
    };
  });
}
