import * as datadog from '@pulumi/datadog';
import * as pulumi from '@pulumi/pulumi';
import { MonitorPlanInput, monitorSpecs, MonitorSpec, scope, SCORING_REQUEST_METRIC } from './monitor-specs';
import { LATENCY_SLO, latencyThresholds, Thresholds } from './thresholds';
import { InvalidArgumentError } from '../errors';

/** The Datadog sites the platform may use (config `observability.datadogSite`). */
export type DatadogSite =
  'datadoghq.com' | 'us3.datadoghq.com' | 'us5.datadoghq.com' | 'datadoghq.eu' | 'ap1.datadoghq.com';

export interface MonitorsArgs extends MonitorPlanInput {
  readonly datadog: {
    /** The Datadog site; the API URL is `https://api.<site>/`. */
    readonly site: DatadogSite;
    /** Datadog API key. Wrapped as a secret here whatever the caller passes. */
    readonly apiKey: pulumi.Input<string>;
    /** Datadog application key. Wrapped as a secret here whatever the caller passes. */
    readonly appKey: pulumi.Input<string>;
  };
  /** Handles every monitor notifies, e.g. `@pagerduty-risk-platform`. */
  readonly notify: readonly string[];
  /** Extra tags (`key:value`) on every monitor and SLO, e.g. the owning team. */
  readonly tags?: readonly string[];
  /**
   * Where the runbook lives; each message links to `<runbookUrl>#<section>`.
   * @default 'docs/RUNBOOK.md'
   */
  readonly runbookUrl?: string;
}

/** The Datadog API URL of a site. */
export function datadogApiUrl(site: DatadogSite): string {
  return `https://api.${site}/`;
}

/** A monitor's thresholds as the Datadog provider takes them (strings). */
export function monitorThresholds(t: Thresholds): { critical: string; warning?: string } {
  return t.warning === undefined
    ? { critical: String(t.critical) }
    : { critical: String(t.critical), warning: String(t.warning) };
}

/** The notification text: what fired, where, the runbook section, and who is told. */
export function monitorMessage(
  spec: MonitorSpec,
  env: string,
  notify: readonly string[],
  runbookUrl: string,
): string {
  return [
    `${spec.title} in ${spec.region} (${spec.role}, ${env}).`,
    `Runbook: ${runbookUrl}#${spec.runbookAnchor}`,
    notify.join(' '),
  ]
    .filter((line) => line.length > 0)
    .join('\n\n');
}

/**
 * The Datadog monitors and SLOs of one environment: the same monitors in every region (scoring latency
 * and errors, stream lag, table replication, dead-letter queues, queue backlog, autoscalers at max, KEDA
 * scaler errors) and the latency SLO. Thresholds come from `thresholds.ts`, queries from the resource
 * names (`naming.ts`), so nothing is typed per region.
 */
export class Monitors extends pulumi.ComponentResource {
  readonly provider: datadog.Provider;
  /** Monitors by spec key. */
  readonly monitors: Readonly<Record<string, datadog.Monitor>>;
  readonly specs: readonly MonitorSpec[];
  readonly latencySlo: datadog.ServiceLevelObjective;

  constructor(name: string, args: MonitorsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:observability:Monitors', name, {}, opts);
    if (args.notify.length === 0) {
      throw new InvalidArgumentError(
        `'notify' is empty; expected at least one Datadog handle such as @pagerduty-risk-platform`,
      );
    }
    this.specs = monitorSpecs(args);
    const env = args.environment;
    const runbookUrl = args.runbookUrl ?? 'docs/RUNBOOK.md';

    this.provider = new datadog.Provider(
      `${name}-datadog`,
      {
        apiKey: pulumi.secret(args.datadog.apiKey),
        appKey: pulumi.secret(args.datadog.appKey),
        apiUrl: datadogApiUrl(args.datadog.site),
      },
      { parent: this },
    );
    const opt = { parent: this, provider: this.provider };
    const baseTags = [`env:${env}`, 'managed-by:pulumi', ...(args.tags ?? [])];

    const monitors: Record<string, datadog.Monitor> = {};
    for (const spec of this.specs) {
      monitors[spec.key] = new datadog.Monitor(
        `${name}-${spec.key}`,
        {
          name: `[${env}] ${spec.title} (${spec.region})`,
          type: spec.type ?? 'query alert',
          query: spec.query,
          ...(spec.evaluationDelaySeconds !== undefined
            ? { evaluationDelay: spec.evaluationDelaySeconds }
            : {}),
          ...(spec.noDataMinutes !== undefined
            ? { notifyNoData: true, noDataTimeframe: spec.noDataMinutes }
            : {}),
          message: monitorMessage(spec, env, args.notify, runbookUrl),
          monitorThresholds: monitorThresholds(spec.thresholds),
          tags: [
            ...baseTags,
            `service:${spec.service}`,
            `region:${spec.region}`,
            `role:${spec.role}`,
            `monitor:${spec.kind}`,
          ],
          includeTags: true,
          requireFullWindow: false,
        },
        opt,
      );
    }
    this.monitors = monitors;

    const latency = latencyThresholds(args.targets);
    this.latencySlo = new datadog.ServiceLevelObjective(
      `${name}-latency-slo`,
      {
        name: `[${env}] scoring-api p99 latency within ${args.targets.p99LatencyMs} ms`,
        description:
          `Share of ${LATENCY_SLO.sliceSeconds / 60}-minute slices in which the scoring API's p99 latency, ` +
          `across all regions, stays within ${args.targets.p99LatencyMs} ms. Runbook: ${runbookUrl}#scoring-latency`,
        type: 'time_slice',
        sliSpecification: {
          timeSlice: {
            comparator: '<=',
            threshold: latency.critical,
            queryIntervalSeconds: LATENCY_SLO.sliceSeconds,
            query: {
              formula: { formulaExpression: 'p99' },
              queries: [
                {
                  metricQuery: {
                    name: 'p99',
                    dataSource: 'metrics',
                    query: `p99:${SCORING_REQUEST_METRIC}${scope({ env, service: 'scoring-api' })}`,
                  },
                },
              ],
            },
          },
        },
        thresholds: [
          { timeframe: LATENCY_SLO.timeframe, target: LATENCY_SLO.target, warning: LATENCY_SLO.warning },
        ],
        tags: [...baseTags, 'service:scoring-api'],
      },
      opt,
    );

    this.registerOutputs({
      monitorIds: Object.fromEntries(Object.entries(monitors).map(([k, m]) => [k, m.id])),
      latencySloId: this.latencySlo.id,
    });
  }
}
