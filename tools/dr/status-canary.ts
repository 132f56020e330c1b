import { textTable } from '../lib/progress';
import { CanaryReading } from './canary';
import { CanaryRegionView, seconds } from './canary-view';

/**
 * `dr status`'s canary section (issue 13): per region, what the canary in the third region last saw.
 * Best-effort like CloudWatch's `ReplicationLatency`: unreachable or not configured never changes the
 * exit code (the canary is evidence, not the switch).
 */
export function renderCanaryStatus(c: CanaryReading): string {
  if (!c.configured) return `canary: ${c.detail}`;
  const rows = Object.values(c.regions).map((v) => [v.region, ...cells(v)]);
  return [
    `canary (from ${c.region}, ${c.namespace}; failing = last ${c.failingAfter} probes failed):`,
    textTable(['region', 'canary', 'last success', 'age', 'latency', 'failed (15 min)'], rows),
  ].join('\n');
}

function cells(v: CanaryRegionView): string[] {
  switch (v.state) {
    case 'unreachable':
      return [`unreachable (${v.error})`, '-', '-', '-', '-'];
    case 'no-data':
      return ['no data', '-', '-', '-', '-'];
    default:
      return [
        v.state === 'failing'
          ? `FAILING${v.lastFailureReason ? ` (${v.lastFailureReason})` : ''}`
          : v.state === 'stale'
            ? `stale (newest ${seconds(v.lastAgeMs)} old)`
            : v.state,
        v.lastSuccessAt ?? 'none',
        v.lastSuccessAgeMs === null ? '-' : seconds(v.lastSuccessAgeMs),
        v.lastLatencyMs === null ? 'n/a' : `${v.lastLatencyMs} ms`,
        `${v.failures}/${v.samples}`,
      ];
  }
}
