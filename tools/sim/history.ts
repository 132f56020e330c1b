/**
 * A series sampled every `dt` seconds from t = 0, and the lagged readings the autoscalers' metric
 * sources give of it. Before t = 0 the series holds its first value (the steady state the trace
 * starts from).
 */
export class History {
  private readonly values: number[] = [];
  constructor(readonly dt: number) {}

  push(v: number): void {
    this.values.push(v);
  }

  private at(i: number): number {
    if (this.values.length === 0) return 0;
    return this.values[Math.max(0, Math.min(i, this.values.length - 1))];
  }

  /** Integral over [from, to) (value x seconds). */
  sum(from: number, to: number): number {
    let total = 0;
    for (let t = Math.floor(from / this.dt) * this.dt; t < to; t += this.dt)
      total += this.at(Math.floor(t / this.dt)) * this.dt;
    return total;
  }

  /** Mean over [from, to). */
  mean(from: number, to: number): number {
    return to > from ? this.sum(from, to) / (to - from) : this.at(Math.floor(from / this.dt));
  }
}

/**
 * A source refreshed every `refresh` seconds that sees the mean of the `window` seconds ending
 * `delay` seconds before the refresh (metrics-server CPU; the Datadog Cluster Agent).
 */
export function refreshedMean(
  h: History,
  now: number,
  refresh: number,
  delay: number,
  window: number,
): number {
  const r = Math.floor(now / refresh) * refresh;
  return h.mean(r - delay - window, r - delay);
}

/**
 * KEDA's aws-cloudwatch reading: the newest complete datapoint of `period` seconds that ends at
 * least `endOffset` seconds ago (CloudWatch publishes per period; the scaler reads `Values[0]`).
 * `Sum` integrates the rate over the period; `Average` is its mean.
 */
export function cloudwatchDatapoint(
  h: History,
  now: number,
  period: number,
  endOffset: number,
  stat: 'Sum' | 'Average',
): number {
  const end = Math.floor((now - endOffset) / period) * period;
  return stat === 'Sum' ? h.sum(end - period, end) : h.mean(end - period, end);
}
