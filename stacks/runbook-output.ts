import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { heartbeatIntervalSeconds } from './capacity';
import { RegionSite } from './config/load';
import { CanaryOutputs, RegionOutputs, RunbookOutputs } from './outputs';
import { syntheticEndpointUrl, ScoringDns } from './traffic/dns';
import { ClusterEndpoint } from './traffic/traffic-switch';

/**
 * What the runbook output needs of the traffic switch: the global stack's outputs (`traffic`), read
 * by a regional stack through a `StackReference`, or the `TrafficSwitch` itself (see {@link trafficViewOf}).
 */
export interface TrafficView {
  readonly routingControlArns: pulumi.Input<Readonly<Record<string, string>>>;
  readonly healthCheckIds: pulumi.Input<Readonly<Record<string, string>>>;
  readonly clusterEndpoints: pulumi.Input<ClusterEndpoint[]>;
  readonly controlPanelArn: pulumi.Input<string>;
  readonly safetyRuleArn: pulumi.Input<string>;
  readonly recordName: pulumi.Input<string>;
  /** The failover record's TTL (the RTO adds it: resolvers keep the old answer that long). */
  readonly recordTtlSeconds: pulumi.Input<number>;
}

/** The traffic view of a `TrafficSwitch` (what the global stack exports as `traffic`). */
export function trafficViewOf(t: {
  routingControls: Readonly<Record<string, { arn: pulumi.Output<string> }>>;
  healthChecks: Readonly<Record<string, { id: pulumi.Output<string> }>>;
  clusterEndpoints: pulumi.Output<ClusterEndpoint[]>;
  controlPanel: { arn: pulumi.Output<string> };
  safetyRule: { arn: pulumi.Output<string> };
  recordName: string;
  recordTtlSeconds: number;
}): { [K in keyof TrafficView]: pulumi.Output<pulumi.Unwrap<TrafficView[K]>> } {
  const record = <T>(m: Readonly<Record<string, T>>, f: (v: T) => pulumi.Output<string>) =>
    pulumi.all(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, f(v)])));
  return {
    routingControlArns: record(t.routingControls, (c) => c.arn),
    healthCheckIds: record(t.healthChecks, (h) => h.id),
    clusterEndpoints: t.clusterEndpoints,
    controlPanelArn: t.controlPanel.arn,
    safetyRuleArn: t.safetyRule.arn,
    recordName: pulumi.output(t.recordName),
    recordTtlSeconds: pulumi.output(t.recordTtlSeconds),
  };
}

/** The data-plane fields of one region's runbook output (key, stream, consumer, tables, topic, queues). */
export type DataPlaneFields = Pick<
  RegionOutputs,
  'keyArn' | 'stream' | 'streamConsumerArn' | 'tables' | 'topic' | 'queues' | 'tableCapacity'
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
  /** The environment's primary and DR regions. */
  readonly primaryRegion: string;
  readonly drRegion: string;
  /** The regions this stack built, primary first (a regional stack: its own). */
  readonly regions: readonly RegionRunbookSource[];
  /**
   * Region outputs published by other stacks (the peer region's `runbookRegion` stack output), added
   * as they are; a region built here wins.
   * @default - none
   */
  readonly peerRegions?: readonly pulumi.Input<RegionOutputs | undefined>[];
  readonly traffic: TrafficView;
  /** Each built region's runbook notification topic, by region (`RunbookNotifications.topic`). */
  readonly notificationTopics: Readonly<Record<string, Pick<aws.sns.Topic, 'arn'>>>;
  /**
   * Where the runbook reads the canary's metrics (`canaryRunbookOutput`).
   * @default - no `canary` section (the runbook shows `canary: not configured`)
   */
  readonly canary?: CanaryOutputs;
}

/**
 * Checks the regions before assembling: each is the environment's primary or DR region with the
 * role that says so, at most once, and (when given) has a notification topic.
 */
export function validateRunbookRegions(
  regions: readonly RegionRunbookSource[],
  env: { readonly primaryRegion: string; readonly drRegion: string },
  notificationTopics?: RunbookSources['notificationTopics'],
): void {
  const seen = new Set<string>();
  for (const r of regions) {
    const expected = r.site.role === 'primary' ? env.primaryRegion : env.drRegion;
    if (r.site.region !== expected || seen.has(r.site.region)) {
      throw new Error(
        `'regions' has ${r.site.role} region '${r.site.region}'${seen.has(r.site.region) ? ' twice' : ''}; expected the primary ${env.primaryRegion} and the DR ${env.drRegion}, each at most once`,
      );
    }
    seen.add(r.site.region);
    if (notificationTopics && !notificationTopics[r.site.region]) {
      throw new Error(
        `region '${r.site.region}' has no runbook notification topic; expected one per region (the runbook notifies through the target region's)`,
      );
    }
  }
}

/** One built region's runbook output: its data and compute planes, its routing control and health check. */
export function regionRunbookOutput(
  r: RegionRunbookSource,
  src: Pick<RunbookSources, 'dns' | 'traffic' | 'notificationTopics'>,
): pulumi.Output<RegionOutputs> {
  const region = r.site.region;
  const pick = (m: pulumi.Input<Readonly<Record<string, string>>>, what: string) =>
    pulumi.output(m).apply((v) => {
      const found = v[region];
      if (found === undefined) {
        throw new Error(`the traffic switch has no ${what} for region '${region}'; expected one per region`);
      }
      return found;
    });
  return pulumi
    .all([
      pulumi.output(r.dataPlane),
      pulumi.output(r.compute),
      pick(src.traffic.healthCheckIds, 'health check'),
      pick(src.traffic.routingControlArns, 'routing control'),
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
      ...(data.tableCapacity?.length ? { tableCapacity: [...data.tableCapacity] } : {}),
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
}

/**
 * Assembles the `runbook` stack output (the contract in `stacks/outputs.ts`) from the regional components,
 * the traffic switch and the config. Every value is read from a resource or the config, so the runbook
 * acts on exactly what was deployed.
 */
export function runbookOutputs(src: RunbookSources): pulumi.Output<RunbookOutputs> {
  validateRunbookRegions(src.regions, src, src.notificationTopics);
  const built = src.regions.map((r) => regionRunbookOutput(r, src));
  const peers = (src.peerRegions ?? []).map((p) => pulumi.output(p));
  return pulumi
    .all([
      pulumi.all(peers),
      pulumi.all(built),
      src.traffic.clusterEndpoints,
      src.traffic.controlPanelArn,
      src.traffic.safetyRuleArn,
      src.traffic.recordName,
      src.traffic.recordTtlSeconds,
    ])
    .apply(
      ([
        peerOutputs,
        regionOutputs,
        clusterEndpoints,
        controlPanelArn,
        safetyRuleArn,
        recordName,
        recordTtlSeconds,
      ]): RunbookOutputs => {
        const all = [...peerOutputs.filter((p): p is RegionOutputs => p !== undefined), ...regionOutputs];
        // Primary first, as before; a region built here replaces a peer's copy of it.
        const byRegion = new Map(all.map((r) => [r.region, r] as const));
        const ordered = [src.primaryRegion, src.drRegion].flatMap((r) =>
          byRegion.has(r) ? [byRegion.get(r)!] : [],
        );
        return {
          environment: src.environment,
          primaryRegion: src.primaryRegion,
          drRegion: src.drRegion,
          rpoSeconds: src.dr.rpoSeconds,
          heartbeatIntervalSeconds: heartbeatIntervalSeconds(src.dr.rpoSeconds),
          rtoSeconds: src.dr.rtoSeconds,
          standbyFraction: src.dr.standbyFraction,
          regions: Object.fromEntries(ordered.map((r) => [r.region, r])),
          ...(src.canary ? { canary: src.canary } : {}),
          traffic: {
            clusterEndpoints: [...clusterEndpoints],
            controlPanelArn,
            safetyRuleArn,
            recordName,
            recordTtlSeconds,
          },
        };
      },
    );
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
