import * as datadog from '@pulumi/datadog';
import * as pulumi from '@pulumi/pulumi';
import { alertMessage } from './alert-message';
import { ModelMonitorInput, ModelMonitorSpec, modelMonitorSpecs } from './model-specs';

export interface ModelMonitorsArgs extends ModelMonitorInput {
  readonly provider: datadog.Provider;
  /** Handles every monitor notifies. */
  readonly notify: readonly string[];
  /** Tags (`key:value`) on every monitor. */
  readonly tags?: readonly string[];
  /** @default 'docs/RUNBOOK.md' */
  readonly runbookUrl?: string;
}

/** The Datadog thresholds of a spec (the provider takes strings). */
export function specThresholds(spec: ModelMonitorSpec): { critical: string; warning?: string } {
  return spec.warning === undefined
    ? { critical: String(spec.critical) }
    : { critical: String(spec.critical), warning: String(spec.warning) };
}

/**
 * The model monitors of one environment in Datadog (see `model-specs.ts`): the decision mix per
 * region (anomaly), the score percentiles against the same hour a week before (drift), feature
 * freshness and model-version skew between the regions (environment-wide).
 */
export class ModelMonitors extends pulumi.ComponentResource {
  readonly specs: readonly ModelMonitorSpec[];
  readonly monitors: Readonly<Record<string, datadog.Monitor>>;

  constructor(name: string, args: ModelMonitorsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:observability:ModelMonitors', name, {}, opts);
    const env = args.environment;
    const runbookUrl = args.runbookUrl ?? 'docs/RUNBOOK.md';
    this.specs = modelMonitorSpecs(args);
    const monitors: Record<string, datadog.Monitor> = {};
    for (const spec of this.specs) {
      const where = spec.region ? `${spec.region}, ${env}` : `every region of ${env}`;
      monitors[spec.key] = new datadog.Monitor(
        `${name}-${spec.key}`,
        {
          name: `[${env}] model: ${spec.title}${spec.region ? ` (${spec.region})` : ''}`,
          type: 'query alert',
          query: spec.query,
          message: alertMessage(
            [`Model monitoring: ${spec.title} (${where}).`, `Runbook: ${runbookUrl}#${spec.runbookAnchor}`],
            args.notify,
          ),
          monitorThresholds: specThresholds(spec),
          ...(spec.anomalyWindow
            ? {
                monitorThresholdWindows: {
                  triggerWindow: spec.anomalyWindow,
                  recoveryWindow: spec.anomalyWindow,
                },
              }
            : {}),
          ...(spec.noDataMinutes ? { notifyNoData: true, noDataTimeframe: spec.noDataMinutes } : {}),
          tags: [
            `env:${env}`,
            'managed-by:pulumi',
            'service:scoring-api',
            ...(spec.region ? [`region:${spec.region}`] : []),
            `monitor:${spec.kind}`,
            ...(args.tags ?? []),
          ],
          includeTags: true,
          requireFullWindow: false,
        },
        { parent: this, provider: args.provider },
      );
    }
    this.monitors = monitors;
    this.registerOutputs({
      monitorIds: Object.fromEntries(Object.entries(monitors).map(([k, m]) => [k, m.id])),
    });
  }
}
