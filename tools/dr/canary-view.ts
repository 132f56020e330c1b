/**
 * The canary's view of one region, judged from its CloudWatch datapoints (pure: no I/O, no clock).
 * The I/O is tools/dr/canary.ts; preflight and status read the judgement.
 */

/** A metric's datapoints: timestamps (epoch ms) and values, in any order (paired by index). */
export interface Series {
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
}

/** What the canary published about one region over the look-back window. */
export interface CanaryRegionData {
  /** `ScoreProbeHealthy` (Maximum per period): 1 scored within budget, 0 failed. */
  readonly healthy: Series;
  /** `ScoreProbeLatency` (Maximum per period), ms. */
  readonly latency: Series;
  /** `ScoreProbeError` (Sum per period) by its `Reason`. */
  readonly errors: Readonly<Record<string, Series>>;
}

export interface CanaryJudgement {
  /** The reading's time (epoch ms): ages are measured from it. */
  readonly nowMs: number;
  /** Consecutive failed probes that make a region `failing` (the alarm's count). */
  readonly failingAfter: number;
  /** The probes' period (ms). */
  readonly periodMs: number;
  /** The look-back window (ms): `failureRate` is over it. */
  readonly windowMs: number;
  /**
   * A newest datapoint older than this is `stale` (the canary stopped publishing): its evidence is old.
   * @default 3 periods + 2 min (CloudWatch makes a minute's datapoint readable within about 2 min)
   */
  readonly staleAfterMs?: number;
}

/** Read and judged: the fields every datapoint-backed state carries. */
export interface CanaryEvidence {
  readonly region: string;
  /** Datapoints of `ScoreProbeHealthy` in the window. */
  readonly samples: number;
  /** The newest datapoint and its age. */
  readonly lastAt: string;
  readonly lastAgeMs: number;
  /** The newest healthy datapoint and its age, or null when none in the window. */
  readonly lastSuccessAt: string | null;
  readonly lastSuccessAgeMs: number | null;
  /** The latency at the newest datapoint (ms), or null when none was published with it. */
  readonly lastLatencyMs: number | null;
  /** Failed probes / probes, over the window (0..1). */
  readonly failureRate: number;
  readonly failures: number;
  /** Failed probes in a row, from the newest back. */
  readonly consecutiveFailures: number;
  /** The reason of the newest failed probe (`timeout`, `tls`, ...), when published. */
  readonly lastFailureReason?: string;
}

export type CanaryRegionView =
  /** The last `failingAfter` probes all failed (fresh): the canary sees the region down. */
  | (CanaryEvidence & { readonly state: 'failing' })
  /** Some probes failed in the window, but not the last `failingAfter` in a row. */
  | (CanaryEvidence & { readonly state: 'flapping' })
  /** Every probe in the window passed. */
  | (CanaryEvidence & { readonly state: 'healthy' })
  /** The newest datapoint is older than `staleAfterMs`: the canary stopped publishing. */
  | (CanaryEvidence & { readonly state: 'stale' })
  /** No datapoint in the window (canary never ran, or silent for the whole window). */
  | { readonly state: 'no-data'; readonly region: string; readonly windowMs: number }
  /** The canary region's CloudWatch did not answer (error, throttling, deadline). */
  | { readonly state: 'unreachable'; readonly region: string; readonly error: string };

/** Datapoints sorted newest first (ties keep the smallest value first: a failure is not hidden). */
export function newestFirst(s: Series): { t: number; v: number }[] {
  const n = Math.min(s.timestamps.length, s.values.length);
  const points = Array.from({ length: n }, (_, i) => ({ t: s.timestamps[i], v: s.values[i] }));
  return points
    .filter((p) => Number.isFinite(p.t) && Number.isFinite(p.v))
    .sort((a, b) => b.t - a.t || a.v - b.v);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Judges one region from its datapoints. */
export function judgeRegion(region: string, data: CanaryRegionData, j: CanaryJudgement): CanaryRegionView {
  const inWindow = (p: { t: number }) => p.t > j.nowMs - j.windowMs && p.t <= j.nowMs;
  const healthy = newestFirst(data.healthy).filter(inWindow);
  if (healthy.length === 0) return { state: 'no-data', region, windowMs: j.windowMs };
  const ok = (v: number) => v >= 1;
  const last = healthy[0];
  const success = healthy.find((p) => ok(p.v));
  let consecutiveFailures = 0;
  while (consecutiveFailures < healthy.length && !ok(healthy[consecutiveFailures].v)) consecutiveFailures++;
  const failures = healthy.filter((p) => !ok(p.v)).length;
  const latency = newestFirst(data.latency).filter(inWindow);
  const lastLatency = latency.find((p) => p.t === last.t) ?? latency[0];
  const lastFailed = healthy.find((p) => !ok(p.v));
  const reason = lastFailed
    ? Object.entries(data.errors)
        .flatMap(([r, s]) => newestFirst(s).map((p) => ({ r, ...p })))
        .filter((p) => p.v > 0 && p.t === lastFailed.t)
        .map((p) => p.r)
        .sort()[0]
    : undefined;
  const evidence: CanaryEvidence = {
    region,
    samples: healthy.length,
    lastAt: iso(last.t),
    lastAgeMs: j.nowMs - last.t,
    lastSuccessAt: success ? iso(success.t) : null,
    lastSuccessAgeMs: success ? j.nowMs - success.t : null,
    lastLatencyMs: lastLatency ? lastLatency.v : null,
    failureRate: failures / healthy.length,
    failures,
    consecutiveFailures,
    ...(reason ? { lastFailureReason: reason } : {}),
  };
  const staleAfterMs = j.staleAfterMs ?? 3 * j.periodMs + 120_000;
  const state =
    evidence.lastAgeMs > staleAfterMs
      ? 'stale'
      : consecutiveFailures >= j.failingAfter
        ? 'failing'
        : failures > 0
          ? 'flapping'
          : 'healthy';
  return { state, ...evidence };
}

/** `42 s`, `3 min 30 s`, `2 h 5 min`. */
export function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round(s / 60);
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`;
}

/** One line of evidence for the operator: `healthy: last success ... (42 s ago), latency 180 ms, ...`. */
export function describeView(v: CanaryRegionView): string {
  switch (v.state) {
    case 'unreachable':
      return `unreachable (${v.error})`;
    case 'no-data':
      return `no data (no datapoint in the last ${seconds(v.windowMs)})`;
    default: {
      const success =
        v.lastSuccessAt === null
          ? `no success in the last ${v.samples} probes`
          : `last success ${v.lastSuccessAt} (${seconds(v.lastSuccessAgeMs ?? 0)} ago)`;
      const latency = v.lastLatencyMs === null ? 'latency n/a' : `latency ${v.lastLatencyMs} ms`;
      const streak =
        v.consecutiveFailures > 0
          ? `, failed the last ${v.consecutiveFailures} probe(s)${v.lastFailureReason ? ` (${v.lastFailureReason})` : ''}`
          : '';
      const stale =
        v.state === 'stale'
          ? `, newest datapoint ${seconds(v.lastAgeMs)} old: the canary stopped publishing`
          : '';
      return `${v.state}: ${success}, ${latency}${streak}, ${v.failures}/${v.samples} failed${stale}`;
    }
  }
}
