import * as datadog from '@pulumi/datadog';
import * as pulumi from '@pulumi/pulumi';
import { RegionSite } from '../config/load';
import { kclMetadataTableNames, streamScorerLeaseTableName } from '../naming';
import { alertMessage } from './alert-message';
import { scope } from './monitor-specs';

export interface LeaseTableMonitorsArgs {
  readonly environment: string;
  readonly sites: readonly Pick<RegionSite, 'role' | 'region'>[];
  readonly provider: datadog.Provider;
  readonly notify: readonly string[];
  readonly tags?: readonly string[];
  /** @default 'docs/RUNBOOK.md' */
  readonly runbookUrl?: string;
}

/** The throttled-requests query of one region's stream-scorer lease table. */
export function leaseThrottleQuery(
  environment: string,
  region: string,
  table = streamScorerLeaseTableName(environment, region),
): string {
  return `sum(last_10m):sum:aws.dynamodb.throttled_requests${scope({ region, tablename: table })}.as_count() > 0`;
}

/**
 * A monitor per region on the stream scorer's shard-lease table (`monitoring-coverage` found it
 * unwatched): a throttled lease renewal lets a worker lose its shards, and the stream falls behind
 * before the iterator-age monitor sees why.
 */
export class LeaseTableMonitors extends pulumi.ComponentResource {
  readonly monitors: Readonly<Record<string, datadog.Monitor>>;

  constructor(name: string, args: LeaseTableMonitorsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:observability:LeaseTableMonitors', name, {}, opts);
    const env = args.environment;
    const monitors: Record<string, datadog.Monitor> = {};
    for (const site of args.sites) {
      const leaseTable = streamScorerLeaseTableName(env, site.region);
      const kcl = kclMetadataTableNames(leaseTable);
      // The lease table and KCL 3's two metadata tables (worker metrics, coordinator state): a
      // throttled one stalls lease balancing or leader election just the same.
      for (const [suffix, table] of [
        ['', leaseTable],
        ['-worker-metrics', kcl.workerMetrics],
        ['-coordinator-state', kcl.coordinatorState],
      ] as const) {
        monitors[`${site.region}${suffix}`] = new datadog.Monitor(
          `${name}-throttles-${site.region}${suffix}`,
          {
            name: `[${env}] stream-scorer KCL table ${table} throttled (${site.region})`,
            type: 'query alert',
            query: leaseThrottleQuery(env, site.region, table),
            message: alertMessage(
              [
                `Requests to the stream scorer's lease table ${table} are throttled in ${site.region} (${site.role}, ${env}): ` +
                  'workers may lose their shard leases and stop consuming.',
                `Runbook: ${args.runbookUrl ?? 'docs/RUNBOOK.md'}#stream-lag`,
              ],
              args.notify,
            ),
            monitorThresholds: { critical: '0' },
            tags: [
              `env:${env}`,
              'managed-by:pulumi',
              'service:stream-scorer',
              `region:${site.region}`,
              `role:${site.role}`,
              'monitor:lease-table-throttles',
              ...(args.tags ?? []),
            ],
            includeTags: true,
            requireFullWindow: false,
          },
          { parent: this, provider: args.provider },
        );
      }
    }
    this.monitors = monitors;
    this.registerOutputs({
      monitorIds: Object.fromEntries(Object.entries(monitors).map(([k, m]) => [k, m.id])),
    });
  }
}
