import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { heartbeatIntervalSeconds } from './capacity';
import { RegionSite } from './config/load';
import { RegionOutputs, RunbookOutputs } from './outputs';
import { syntheticEndpointUrl, ScoringDns } from './traffic/dns';
import { TrafficSwitch } from './traffic/traffic-switch';

/** The data-plane fields of one region's runbook output (key, stream, consumer, tables, topic, queues). */
export type DataPlaneFields = Pick<
  RegionOutputs,
  'keyArn' | 'stream' | 'streamConsumerArn' | 'tables' | 'topic' | 'queues'
>;

/** The cluster and workloads of one region, as the runbook needs them. */
export interface ComputeSource {
  readonly cluster: {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
    readonly endpoint: pulumi.Input<string>;
    readonly certificateAuthority: pulumi.Input<string>;
    readonly kubeContext: pulumi.Input<string>;
  };
  readonly workloads: {
    readonly namespace: pulumi.Input<string>;
    readonly deployments: pulumi.Input<readonly RegionOutputs['workloads']['deployments'][number][]>;
  };
}

/** One region's contribution to the runbook output. */
export interface RegionRunbookSource {
  readonly site: Pick<RegionSite, 'role' | 'region'>;
  /** The data plane's resolved fields (`RegionalData.outputs`). */
  readonly dataPlane: pulumi.Input<DataPlaneFields>;
  /** The compute plane's fields (`RegionalCompute.outputs`). */
  readonly compute: ComputeSource;
}

/** Everything the runbook output is assembled from: components and config, never hand-typed ARNs. */
export interface RunbookSources {
  readonly environment: string;
  readonly dr: { readonly rpoSeconds: number; readonly rtoSeconds: number; readonly standbyFraction: number };
  readonly dns: ScoringDns;
  /** The regions, primary first. */
  readonly regions: readonly RegionRunbookSource[];
  readonly traffic: TrafficSwitch;
  /** Each region's runbook notification topic, by region (`RunbookNotifications.topic`). */
  readonly notificationTopics: Readonly<Record<string, Pick<aws.sns.Topic, 'arn'>>>;
}

/**
 * Checks the regions before assembling: exactly one primary, a DR region, each with a routing control
 * (and, when given, a notification topic).
 */
export function validateRunbookRegions(
  regions: readonly RegionRunbookSource[],
  traffic: Pick<TrafficSwitch, 'routingControls' | 'healthChecks'>,
  notificationTopics?: RunbookSources['notificationTopics'],
): void {
  const roles = regions.map((r) => r.site.role);
  if (roles.filter((r) => r === 'primary').length !== 1 || !roles.includes('dr')) {
    throw new Error(
      `'regions' has roles [${roles.join(', ')}]; expected exactly one primary and at least one dr`,
    );
  }
  for (const r of regions) {
    if (!traffic.routingControls[r.site.region] || !traffic.healthChecks[r.site.region]) {
      throw new Error(
        `region '${r.site.region}' has no routing control or health check in the traffic switch; expected one per region`,
      );
    }
    if (notificationTopics && !notificationTopics[r.site.region]) {
      throw new Error(
        `region '${r.site.region}' has no runbook notification topic; expected one per region (the runbook notifies through the target region's)`,
      );
    }
  }
}

/**
 * Assembles the `runbook` stack output (the contract in `stacks/outputs.ts`) from the regional components,
 * the traffic switch and the config. Every value is read from a resource or the config, so the runbook
 * acts on exactly what was deployed.
 */
export function runbookOutputs(src: RunbookSources): pulumi.Output<RunbookOutputs> {
  validateRunbookRegions(src.regions, src.traffic, src.notificationTopics);
  const primary = src.regions.find((r) => r.site.role === 'primary')!;
  const dr = src.regions.find((r) => r.site.role === 'dr')!;

  const regions = src.regions.map((r) => {
    const region = r.site.region;
    return pulumi
      .all([
        pulumi.output(r.dataPlane),
        pulumi.output(r.compute),
        src.traffic.healthChecks[region].id,
        src.traffic.routingControls[region].arn,
        src.notificationTopics[region].arn,
      ])
      .apply(([data, compute, healthCheckId, routingControlArn, notificationTopicArn]): RegionOutputs => ({
        role: r.site.role,
        region,
        keyArn: data.keyArn,
        stream: data.stream,
        streamConsumerArn: data.streamConsumerArn,
        tables: data.tables,
        topic: data.topic,
        queues: data.queues,
        cluster: compute.cluster,
        workloads: {
          namespace: compute.workloads.namespace,
          deployments: [...compute.workloads.deployments],
        },
        healthCheckId,
        routingControlArn,
        syntheticEndpoint: syntheticEndpointUrl(src.dns, region),
        notificationTopicArn,
      }));
  });

  return pulumi
    .all([
      pulumi.all(regions),
      src.traffic.clusterEndpoints,
      src.traffic.controlPanel.arn,
      src.traffic.safetyRule.arn,
    ])
    .apply(([regionOutputs, clusterEndpoints, controlPanelArn, safetyRuleArn]): RunbookOutputs => ({
      environment: src.environment,
      primaryRegion: primary.site.region,
      drRegion: dr.site.region,
      rpoSeconds: src.dr.rpoSeconds,
      heartbeatIntervalSeconds: heartbeatIntervalSeconds(src.dr.rpoSeconds),
      rtoSeconds: src.dr.rtoSeconds,
      standbyFraction: src.dr.standbyFraction,
      regions: Object.fromEntries(regionOutputs.map((r) => [r.region, r])),
      traffic: {
        clusterEndpoints,
        controlPanelArn,
        safetyRuleArn,
        recordName: src.traffic.recordName,
        recordTtlSeconds: src.traffic.recordTtlSeconds,
      },
    }));
}

/** What a regional platform offers the runbook output: its site, data plane and compute plane. */
export interface RegionalPlatformView {
  readonly site: Pick<RegionSite, 'role' | 'region'>;
  readonly data?: { readonly outputs: pulumi.Input<DataPlaneFields> };
  readonly compute?: { readonly outputs: ComputeSource };
}

/** One region's runbook source from its `RegionalPlatform`; refuses a region built without its data or compute plane. */
export function runbookRegionOf(platform: RegionalPlatformView): RegionRunbookSource {
  const { site, data, compute } = platform;
  if (!data || !compute) {
    const missing = [data ? undefined : 'data', compute ? undefined : 'compute'].filter(
      (x) => x !== undefined,
    );
    throw new Error(
      `region '${site.region}' has no ${missing.join(' or ')} plane; the runbook output needs both (pass 'data' to RegionalPlatform)`,
    );
  }
  return { site, dataPlane: data.outputs, compute: compute.outputs };
}
