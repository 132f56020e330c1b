/**
 * How long to wait between the write fence and the flip, so the source's last writes reach the
 * target before it takes them over (issue 16 finding 5). Pure.
 *
 * AWS's evacuation guidance for global tables (write-to-one-Region mode): pause writes in the Region
 * being evacuated, then wait; "waiting for 10 times the recent maximum of the ReplicationLatency
 * metric is typically sufficient" when it is healthy, a larger multiple when it is not. No metric
 * proves replication complete.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-global-table-design.prescriptive-guidance.evacuation.html
 */
export interface DrainPolicy {
  /** Multiple of the recent `ReplicationLatency`. @default 10 (AWS) */
  readonly factor: number;
  /**
   * At least this long: writers re-read the fence at most every second (docs/ARCHITECTURE.md, the
   * write-fence contract), so two re-read periods. @default 2 000
   */
  readonly floorMs: number;
  /** At most this long (a forced run with a large lag must still flip). @default 60 000 */
  readonly maxMs: number;
}

export const DEFAULT_DRAIN: DrainPolicy = { factor: 10, floorMs: 2_000, maxMs: 60_000 };

export interface DrainPlan {
  readonly waitMs: number;
  /** Why this long, for the progress line and the audit. */
  readonly reason: string;
}

/**
 * The drain wait for a recent `ReplicationLatency` of `latencyMs` (null: no datapoint, so the
 * maximum: nothing says replication is fast). Always within [floorMs, maxMs].
 */
export function drainWait(latencyMs: number | null, p: DrainPolicy = DEFAULT_DRAIN): DrainPlan {
  if (latencyMs === null)
    return { waitMs: p.maxMs, reason: `no ReplicationLatency datapoint: the maximum ${p.maxMs} ms` };
  const want = p.factor * latencyMs;
  const waitMs = Math.min(p.maxMs, Math.max(p.floorMs, Math.ceil(want)));
  const why = `${p.factor} x ReplicationLatency ${latencyMs} ms = ${Math.ceil(want)} ms`;
  return {
    waitMs,
    reason:
      waitMs === p.maxMs && want > p.maxMs
        ? `${why}, capped at ${p.maxMs} ms`
        : waitMs === p.floorMs && want < p.floorMs
          ? `${why}, raised to the writers' fence re-read floor ${p.floorMs} ms`
          : why,
  };
}
