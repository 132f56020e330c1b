import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { capacityPlan } from '../capacity';
import { EnvironmentConfig, RegionSite } from '../config/load';
import { ImageReplication } from '../compute/image-replication';
import { createDataFoundation } from '../data/regional';
import { WorkloadPermissions } from '../data/permissions';
import { physicalNames } from '../naming';
import { RegionOutputs } from '../outputs';
import { RegionalPlatform } from '../region';
import { regionRunbookOutput, runbookOutputs, runbookRegionOf, TrafficView } from '../runbook-output';
import { RunbookPublication } from '../runbook-publication';
import { EndpointCertificates } from '../traffic/certificates';
import { RunbookNotifications } from '../traffic/notifications';
import { CanaryNetworkView, canaryPeer, CanaryPeering, CANARY_PEER } from '../observability/canary-peering';
import {
  GLOBAL_CANARY_NETWORK_OUTPUT,
  GLOBAL_TRAFFIC_OUTPUT,
  PRIMARY_KEY_OUTPUT,
  unitStackReference,
} from './references';

/**
 * The `<env>-<region>` stack: everything of one region, and nothing of the other. Network, cluster,
 * add-ons and workloads, stream, queues and topics, the lease table, the endpoint certificate, the
 * runbook topic and SSM parameter, the region's KMS key (the multi-region primary in the primary
 * region, its replica in DR), the global tables' home copies (primary) or their `TableReplica`s (DR),
 * and the region's grants on the global stack's workload roles.
 */
export function buildRegionStack(config: EnvironmentConfig, site: RegionSite) {
  const capacity = capacityPlan(config);
  const accountId = aws.getCallerIdentityOutput().accountId;
  const global = unitStackReference(config, 'global');
  const primaryRef =
    site.role === 'dr' ? unitStackReference(config, config.regions.primary.region) : undefined;
  const data = createDataFoundation(
    config,
    capacity,
    accountId,
    site,
    primaryRef?.requireOutput(PRIMARY_KEY_OUTPUT),
  );
  // The zone is owned outside the environment and looked up by name (as the traffic switch does).
  const zone = aws.route53.getZoneOutput({ name: config.traffic.hostedZoneName, privateZone: false });
  const certificates = new EndpointCertificates(`${site.region}-endpoints`, {
    sites: [site],
    dns: config.traffic,
    zoneId: zone.zoneId,
    tags: config.tags,
  });
  if (site.role === 'primary') {
    // The DR region pulls its private images from its own registry (static stability): the source
    // registry's replication rule lives with the source region.
    new ImageReplication('images', {
      sourceRegion: site.region,
      destinationRegions: [config.regions.dr.region],
      registryAccountId: config.workloads.registryAccountId,
      callerAccountId: accountId,
    });
  }
  // Issue 13: this region's VPC peers with the canary's (global stack, third region; its IDs are random,
  // so they are a StackReference). The requester is in this region's Network; the accepter and the
  // canary-side route are this stack's too, in the canary region.
  const canaryView = global.requireOutput(GLOBAL_CANARY_NETWORK_OUTPUT) as pulumi.Output<
    pulumi.Unwrap<CanaryNetworkView>
  >;
  const canaryNetwork: CanaryNetworkView = {
    vpcId: canaryView.apply((c) => c.vpcId),
    routeTableId: canaryView.apply((c) => c.routeTableId),
  };
  const obs = config.observability;
  const region = new RegionalPlatform(site.region, {
    site,
    config,
    data,
    endpoint: {
      zone: { id: zone.zoneId, arn: zone.arn },
      certificateArn: certificates.certificateArns[site.region],
    },
    peers: [canaryPeer({ region: obs.canaryRegion, vpcCidr: obs.canaryNetwork.vpcCidr }, canaryNetwork)],
  });
  new CanaryPeering(`${site.region}-canary-peering`, {
    environment: config.environment,
    region: site.region,
    regionCidr: site.vpcCidr,
    canaryRegion: obs.canaryRegion,
    connection: region.network.peeringConnections[CANARY_PEER],
    canaryNetwork,
    tags: config.tags,
  });
  const regional = region.data!;
  new WorkloadPermissions(`${site.region}-workloads`, {
    identities: data.identities,
    regions: [site.region],
    environmentRegions: config.sites.map((s) => s.region),
    keys: data.keys,
    tables: data.tables,
    streams: [regional.stream],
    fanouts: [regional.fanout],
    leaseTables: [regional.leaseTable],
    streamScorerMetricsNamespace: physicalNames(config.environment).streamScorerMetricsNamespace,
  });
  const topic = new RunbookNotifications(`${site.region}-runbook`, {
    environment: config.environment,
    region: site.region,
    key: data.keys.keyIn(site.region),
    accountId,
    tags: config.tags,
  }).topic;
  const traffic = global.requireOutput(GLOBAL_TRAFFIC_OUTPUT) as pulumi.Output<pulumi.Unwrap<TrafficView>>;
  const trafficView: TrafficView = {
    routingControlArns: traffic.apply((t) => t.routingControlArns),
    healthCheckIds: traffic.apply((t) => t.healthCheckIds),
    clusterEndpoints: traffic.apply((t) => t.clusterEndpoints),
    controlPanelArn: traffic.apply((t) => t.controlPanelArn),
    safetyRuleArn: traffic.apply((t) => t.safetyRuleArn),
    recordName: traffic.apply((t) => t.recordName),
    recordTtlSeconds: traffic.apply((t) => t.recordTtlSeconds),
  };
  const source = runbookRegionOf(region);
  const notificationTopics = { [site.region]: topic };
  const own = regionRunbookOutput(source, { dns: config.traffic, traffic: trafficView, notificationTopics });
  // The DR region deploys after the primary and adds the primary's part to its parameter; the primary's
  // parameter holds itself, and the runbook completes it from the other region's (tools/dr/outputs.ts).
  const peer = primaryRef?.getOutput('runbookRegion') as pulumi.Output<RegionOutputs | undefined> | undefined;
  const runbook = runbookOutputs({
    environment: config.environment,
    dr: config.dr,
    dns: config.traffic,
    primaryRegion: config.regions.primary.region,
    drRegion: config.regions.dr.region,
    regions: [source],
    peerRegions: peer ? [peer] : [],
    traffic: trafficView,
    notificationTopics,
  });
  new RunbookPublication('runbook-outputs', {
    environment: config.environment,
    regions: [site.region],
    outputs: runbook,
    tags: config.tags,
  });
  return {
    environment: config.environment,
    unit: site.region,
    role: site.role,
    vpcId: region.network.vpcId,
    data: regional.outputs,
    keyArn: data.keys.keyIn(site.region).arn,
    runbookRegion: own,
    runbook,
  };
}
