import { RegionSite } from '../config/load';
import { heartbeatIntervalSeconds } from '../capacity';
import { REPLICATION_HEARTBEAT_WORKLOAD } from '../naming';
import type { MonitorSpec } from './monitor-specs';
import { Thresholds } from './thresholds';

/**
 * The replication heartbeat writer's measured interval (tools/heartbeat/statsd.ts `HEARTBEAT_METRICS`):
 * ms between the `writtenAt` of two successive successful writes, a DogStatsD distribution tagged
 * `env` and `region`.
 */
export const HEARTBEAT_INTERVAL_METRIC = 'risk_platform.heartbeat.interval_ms';

/** The monitor's window: 300 beats in prod, so one slow beat (a network blip) moves the average by 1 %. */
export const HEARTBEAT_MONITOR_WINDOW_MINUTES = 5;

/**
 * Minutes without a single point before the monitor alerts: twice the window (Datadog's guidance for
 * no-data timeframes). The writer emits the interval only after a successful write, so silence means
 * it writes nothing (crashed, throttled, denied) or cannot reach the agent: either way the RPO
 * evidence is going stale.
 */
export const HEARTBEAT_NO_DATA_MINUTES = 2 * HEARTBEAT_MONITOR_WINDOW_MINUTES;

/**
 * Thresholds on the average measured interval, ms, from the RPO. The runbook estimates replication lag
 * as `age - interval` (tools/dr/steps/preflight.ts), so every ms the writer's real interval runs above
 * the nominal one (`heartbeatIntervalSeconds(rpo)`) is counted as lag against the RPO:
 * - warning at 1.5 intervals: the writer skips one beat in two on average (drift-free schedule: a
 *   healthy writer averages exactly one interval);
 * - critical at one interval plus half the RPO: the writer's excess then takes half the RPO, leaving
 *   half for replication itself, and preflight starts to refuse healthy failovers as stale. prod (RPO
 *   5 s, 1 s interval): warning 1 500 ms, critical 3 500 ms; the former CLI loop, at 3.2 s a beat,
 *   sat just below it.
 */
export function heartbeatIntervalThresholds(dr: { readonly rpoSeconds: number }): Thresholds {
  const intervalMs = heartbeatIntervalSeconds(dr.rpoSeconds) * 1000;
  return { warning: 1.5 * intervalMs, critical: intervalMs + (dr.rpoSeconds * 1000) / 2 };
}

/**
 * The heartbeat-interval monitor of one region. DogStatsD metrics reach Datadog within seconds (the
 * agent flushes every 10 s); only crawled metrics need an evaluation delay (Datadog: "crucial for
 * metrics that report with a delay, such as cloud provider metrics"), so the delay is 0: a delay here
 * would only page later.
 * @see https://docs.datadoghq.com/monitors/guide/troubleshooting-no-data/
 * @see https://docs.datadoghq.com/developers/dogstatsd/
 */
export function heartbeatIntervalMonitor(
  environment: string,
  site: Pick<RegionSite, 'region'>,
  dr: { readonly rpoSeconds: number },
  scope: (tags: Readonly<Record<string, string>>) => string,
): Omit<MonitorSpec, 'region' | 'role'> {
  const thresholds = heartbeatIntervalThresholds(dr);
  const w = HEARTBEAT_MONITOR_WINDOW_MINUTES;
  return {
    key: `heartbeat-interval-${site.region}`,
    kind: 'heartbeat-interval',
    service: 'risk-platform',
    title: `${REPLICATION_HEARTBEAT_WORKLOAD} misses its ${heartbeatIntervalSeconds(dr.rpoSeconds)} s interval (RPO evidence, RPO ${dr.rpoSeconds} s)`,
    query: `avg(last_${w}m):avg:${HEARTBEAT_INTERVAL_METRIC}${scope({ env: environment, region: site.region })} > ${thresholds.critical}`,
    thresholds,
    runbookAnchor: 'heartbeat-interval',
    evaluationDelaySeconds: 0,
    noDataMinutes: HEARTBEAT_NO_DATA_MINUTES,
  };
}
