import { prescaleWindows } from './prescale';
import * as pulumi from '@pulumi/pulumi';
import { heartbeatIntervalSeconds } from './capacity';
import { EnvironmentConfig, RegionSite } from './config/load';
import { RegionalCompute } from './compute';
import { clusterName, physicalNames } from './naming';
import { createRegionalData, DataFoundation, RegionalData } from './data/regional';
import { Network, NetworkPeer } from './network/network';
import { regionalEndpointName } from './traffic/dns';

/** What the estate hands each region to publish its scoring endpoint. */
export interface RegionalEndpointArgs {
  /** The hosted zone (the traffic switch's lookup). */
  readonly zone: { readonly id: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** This region's validated ACM certificate for the scoring API's NLB. */
  readonly certificateArn: pulumi.Input<string>;
}

export interface RegionalPlatformArgs {
  /** The region and its role (primary or DR); the same component serves both. */
  readonly site: RegionSite;
  /** The environment's validated config; the component hands plain parts of it to its children. */
  readonly config: EnvironmentConfig;
  /**
   * The cross-region data plane (capacity plan, keys, global tables, workload roles), created by the
   * estate before the regions; the region adds its stream and decision fan-out.
   * @default - no data plane in this region
   */
  readonly data?: DataFoundation;
  /** The zone and certificate of this region's scoring endpoint (`score-<region>.<zone>`). */
  readonly endpoint: RegionalEndpointArgs;
  /**
   * VPCs in other regions this region's network peers with (the canary's, issue 13).
   * @default - none
   */
  readonly peers?: readonly NetworkPeer[];
}

/**
 * Everything one region of an environment runs. Instantiated once per region from the same code:
 * the region is data. Cross-region pieces (global tables' replicas, ARC) are wired by the estate.
 */
export class RegionalPlatform extends pulumi.ComponentResource {
  readonly site: RegionSite;
  readonly network: Network;
  /** This region's data plane: key, stream, fan-out, table handles and outputs (undefined without `data`). */
  readonly data?: RegionalData;
  /** This region's EKS cluster, add-ons and scoring workloads (undefined without `data`). */
  readonly compute?: RegionalCompute;

  constructor(name: string, args: RegionalPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:platform:Region', name, {}, opts);
    const { site, config } = args;
    this.site = site;
    this.network = new Network(
      `${site.region}`,
      {
        region: site.region,
        vpcCidr: site.vpcCidr,
        availabilityZoneIds: site.availabilityZoneIds,
        natGateways: config.network.natGateways,
        clusterName: clusterName(config.environment, site.region),
        tags: config.tags,
        peers: args.peers,
      },
      { parent: this },
    );
    this.data = args.data ? createRegionalData(site, config, args.data, this) : undefined;
    this.compute =
      this.data && args.data
        ? this.createCompute(site, config, args.data, this.data, args.endpoint)
        : undefined;
    this.registerOutputs({ vpcId: this.network.vpcId, data: this.data?.outputs });
  }
  /** The compute plane on top of this region's network and data plane. */
  private createCompute(
    site: RegionSite,
    config: EnvironmentConfig,
    foundation: DataFoundation,
    data: RegionalData,
    endpoint: RegionalEndpointArgs,
  ) {
    const names = physicalNames(config.environment);
    return new RegionalCompute(
      site.region,
      {
        site,
        activeRegion: config.activeRegion,
        replicationHeartbeat: {
          intervalSeconds: heartbeatIntervalSeconds(config.dr.rpoSeconds),
          peerRegion: config.sites.find((s) => s.region !== site.region)?.region ?? site.region,
        },
        environment: config.environment,
        cluster: config.cluster,
        workloads: config.workloads,
        observability: config.observability,
        p99LatencyMs: config.targets.p99LatencyMs,
        standbyFraction: config.dr.standbyFraction,
        prescale: prescaleWindows(config),
        capacity: foundation.capacity,
        datadog: {
          apiKey: pulumi.secret(config.secrets.datadogApiKey),
          appKey: pulumi.secret(config.secrets.datadogAppKey),
        },
        privateSubnets: this.network.privateSubnets,
        loadBalancerSubnets: this.network.loadBalancerSubnets,
        vpcCidr: site.vpcCidr,
        vpc: { id: this.network.vpc.id, arn: this.network.vpc.arn },
        scoringEndpoint: {
          hostname: regionalEndpointName(config.traffic, site.region),
          certificateArn: endpoint.certificateArn,
          zone: { ...endpoint.zone, name: config.traffic.hostedZoneName },
        },
        dataPlane: {
          keyArn: data.key.arn,
          // Physical names are plan-time values (stacks/naming); ARNs and URLs are the resources' outputs.
          names: {
            stream: names.stream,
            streamArn: data.stream.arn,
            featuresTable: names.featuresTable,
            decisionsTable: names.decisionsTable,
            controlTable: names.controlTable,
            decisionsTopicArn: data.fanout.topic.arn,
            caseReviewQueueUrl: data.fanout.queues.caseReview.queue.url,
            modelFeedbackQueueUrl: data.fanout.queues.modelFeedback.queue.url,
            modelFeedbackQueueName: names.modelFeedbackQueue,
            streamConsumerName: names.streamScorerConsumer,
            streamConsumerArn: data.stream.consumerArn,
            streamScorerLeaseTable: data.leaseTable.name,
            streamScorerMetricsNamespace: names.streamScorerMetricsNamespace,
          },
          roles: foundation.identities.roles,
          scalerRoles: foundation.identities.scalerRoles,
          heartbeatRole: foundation.identities.heartbeatRole,
        },
        tags: config.tags,
      },
      { parent: this },
    );
  }
}
