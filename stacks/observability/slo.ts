import * as datadog from '@pulumi/datadog';
import * as pulumi from '@pulumi/pulumi';
import type { SloTimeframe } from '../config/observability-schema';
import { InvalidArgumentError } from '../errors';
import { BurnRateAlert, burnRateAlerts } from './burn-rate';
import { scope, SCORING_REQUEST_METRIC } from './monitor-specs';
import { alertMessage } from './alert-message';

/** Where the scoring SLOs come from: the environment, its config targets and who is paged. */
export interface ScoringSlosArgs {
  readonly environment: string;
  /** `observability.slo`: the targets in percent and the window. */
  readonly slo: {
    readonly availabilityTarget: number;
    readonly latencyTarget: number;
    readonly timeframe: SloTimeframe;
  };
  /** `targets.p99LatencyMs`: a 1-minute slice is good when the p99 stays within it. */
  readonly p99LatencyMs: number;
  /** The Datadog provider the SLOs and their monitors are created with. */
  readonly provider: datadog.Provider;
  /** Handles every burn-rate alert notifies, e.g. `@pagerduty-risk-platform`. */
  readonly notify: readonly string[];
  /** Tags (`key:value`) on every SLO and monitor, e.g. `team:<owner>`. */
  readonly tags?: readonly string[];
  /** @default 'docs/RUNBOOK.md' */
  readonly runbookUrl?: string;
}

/** Seconds per time slice of the latency SLO: 1 minute, so the 5-minute window holds 5 slices. */
export const LATENCY_SLICE_SECONDS = 60;

/** The Datadog SLO-alert query of a burn-rate alert on one SLO. */
export function burnRateQuery(sloId: string, timeframe: SloTimeframe, alert: BurnRateAlert): string {
  return (
    `burn_rate("${sloId}").over("${timeframe}").long_window("${alert.longWindow}")` +
    `.short_window("${alert.shortWindow}") > ${alert.burnRate}`
  );
}

/**
 * The scoring API's two SLOs for one environment, across both regions, and their multi-window
 * multi-burn-rate pages: availability (metric-based: requests that did not fail over all requests,
 * from APM's `trace.http.request.hits` and `.errors`) and latency (time-slice: the 1-minute slices
 * whose p99 is within `targets.p99LatencyMs`). Each SLO has a fast (1 h / 5 m) and a slow (6 h / 30 m)
 * `slo alert` monitor whose burn rates `burn-rate.ts` derives from the target and window.
 * @see https://docs.datadoghq.com/monitors/types/slo/ (burn-rate alerts on metric and time-slice SLOs)
 */
export class ScoringSlos extends pulumi.ComponentResource {
  readonly availability: datadog.ServiceLevelObjective;
  readonly latency: datadog.ServiceLevelObjective;
  /** Burn-rate monitors by `<slo>-burn-<fast|slow>`. */
  readonly burnRateMonitors: Readonly<Record<string, datadog.Monitor>>;

  constructor(name: string, args: ScoringSlosArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:observability:ScoringSlos', name, {}, opts);
    if (args.notify.length === 0) {
      throw new InvalidArgumentError(
        `'notify' is empty; expected at least one Datadog handle such as @pagerduty-risk`,
      );
    }
    const env = args.environment;
    const runbook = `${args.runbookUrl ?? 'docs/RUNBOOK.md'}#slo-burn-rate`;
    const opt = { parent: this, provider: args.provider };
    const tags = [`env:${env}`, 'managed-by:pulumi', 'service:scoring-api', ...(args.tags ?? [])];
    const { timeframe } = args.slo;
    const s = scope({ env, service: 'scoring-api' });

    this.availability = new datadog.ServiceLevelObjective(
      `${name}-availability`,
      {
        name: `[${env}] scoring-api availability ${args.slo.availabilityTarget} %`,
        description:
          `Share of scoring requests, both regions together, that do not fail (APM errors), over ${timeframe}. ` +
          `Runbook: ${runbook}`,
        type: 'metric',
        query: {
          numerator: `sum:${SCORING_REQUEST_METRIC}.hits${s}.as_count() - sum:${SCORING_REQUEST_METRIC}.errors${s}.as_count()`,
          denominator: `sum:${SCORING_REQUEST_METRIC}.hits${s}.as_count()`,
        },
        thresholds: [{ timeframe, target: args.slo.availabilityTarget }],
        tags: [...tags, 'slo:availability'],
      },
      opt,
    );

    this.latency = new datadog.ServiceLevelObjective(
      `${name}-latency`,
      {
        name: `[${env}] scoring-api p99 within ${args.p99LatencyMs} ms, ${args.slo.latencyTarget} % of minutes`,
        description:
          `Share of 1-minute slices in which the scoring API's p99 latency, both regions together, stays within ` +
          `${args.p99LatencyMs} ms (targets.p99LatencyMs), over ${timeframe}. Runbook: ${runbook}`,
        type: 'time_slice',
        sliSpecification: {
          timeSlice: {
            comparator: '<=',
            // APM's trace.http.request is in seconds.
            threshold: args.p99LatencyMs / 1000,
            queryIntervalSeconds: LATENCY_SLICE_SECONDS,
            query: {
              formula: { formulaExpression: 'p99' },
              queries: [
                {
                  metricQuery: {
                    name: 'p99',
                    dataSource: 'metrics',
                    query: `p99:${SCORING_REQUEST_METRIC}${s}`,
                  },
                },
              ],
            },
          },
        },
        thresholds: [{ timeframe, target: args.slo.latencyTarget }],
        tags: [...tags, 'slo:latency'],
      },
      opt,
    );

    const monitors: Record<string, datadog.Monitor> = {};
    const slos = [
      { key: 'availability', slo: this.availability, target: args.slo.availabilityTarget },
      { key: 'latency', slo: this.latency, target: args.slo.latencyTarget },
    ] as const;
    for (const { key, slo, target } of slos) {
      for (const alert of burnRateAlerts(target, timeframe)) {
        const k = `${key}-burn-${alert.key}`;
        monitors[k] = new datadog.Monitor(
          `${name}-${k}`,
          {
            name: `[${env}] scoring-api ${key} SLO burning ${alert.burnRate}x its budget (${alert.longWindow}/${alert.shortWindow})`,
            type: 'slo alert',
            query: slo.id.apply((id) => burnRateQuery(id, timeframe, alert)),
            message: alertMessage(
              [
                `The scoring API's ${key} SLO (${target} % over ${timeframe}) is burning its error budget ${alert.burnRate}x too fast ` +
                  `over both the last ${alert.longWindow} and the last ${alert.shortWindow} (error rate above ${alert.errorRate}): ` +
                  `${alert.budgetConsumed * 100} % of the budget is gone, all of it in ${alert.hoursToExhaustion} h at this pace (${env}).`,
                `Runbook: ${runbook}`,
              ],
              args.notify,
            ),
            monitorThresholds: { critical: String(alert.burnRate) },
            tags: [...tags, `slo:${key}`, `burn-rate:${alert.key}`, 'monitor:slo-burn-rate'],
            includeTags: true,
          },
          opt,
        );
      }
    }
    this.burnRateMonitors = monitors;
    this.registerOutputs({
      availabilitySloId: this.availability.id,
      latencySloId: this.latency.id,
      burnRateMonitorIds: Object.fromEntries(Object.entries(monitors).map(([k, m]) => [k, m.id])),
    });
  }
}
