import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { capacityPlan } from './capacity';
import { createDataFoundation } from './data/regional';
import { WorkloadPermissions } from './data/permissions';
import { EnvironmentConfig, parseEnvironmentConfig } from './config/load';
import { physicalNames } from './naming';
import { RegionalPlatform } from './region';
import { Monitors } from './observability/monitors';
import { createObservability } from './observability/estate';
import { TrafficSwitch } from './traffic/traffic-switch';
import { EndpointCertificates } from './traffic/certificates';
import { RunbookNotifications } from './traffic/notifications';
import { runbookOutputs, runbookRegionOf } from './runbook-output';
import { RunbookPublication } from './runbook-publication';
import { ImageReplication } from './compute/image-replication';

/** Reads and validates the stack config from the Pulumi runtime: the only place config is read. */
export function loadConfig(): EnvironmentConfig {
  return parseEnvironmentConfig(pulumi.runtime.allConfig(), {
    stack: pulumi.getStack(),
    // isConfigSecret is exported at run time but missing from the typings.
    isSecret: (key) =>
      (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(key),
  });
}

/** Builds one environment: the same regional component per region, then the cross-region pieces. */
export function buildEstate(config: EnvironmentConfig) {
  // The capacity model runs once; the data plane's cross-region pieces exist before the regions.
  const capacity = capacityPlan(config);
  const accountId = aws.getCallerIdentityOutput().accountId;
  const data = createDataFoundation(config, capacity, accountId);
  // The traffic switch first: its zone lookup and the endpoint certificates feed each region's
  // ingress (external-dns's zone, the NLB's TLS certificate).
  const traffic = new TrafficSwitch('traffic', {
    environment: config.environment,
    sites: config.sites,
    dns: config.traffic,
    tags: config.tags,
  });
  const certificates = new EndpointCertificates('endpoints', {
    sites: config.sites,
    dns: config.traffic,
    zoneId: traffic.zoneId,
    tags: config.tags,
  });
  // The DR region pulls its private images from its own registry: replicate them there (static stability).
  new ImageReplication('images', {
    sourceRegion: config.regions.primary.region,
    destinationRegions: [config.regions.dr.region],
    registryAccountId: config.workloads.registryAccountId,
    callerAccountId: accountId,
  });
  const regions = config.sites.map(
    (site) =>
      new RegionalPlatform(site.region, {
        site,
        config,
        data,
        endpoint: {
          zone: { id: traffic.zoneId, arn: traffic.zoneArn },
          certificateArn: certificates.certificateArns[site.region],
        },
      }),
  );
  new WorkloadPermissions('workloads', {
    identities: data.identities,
    keys: data.keys,
    tables: data.tables,
    streams: regions.flatMap((r) => (r.data ? [r.data.stream] : [])),
    fanouts: regions.flatMap((r) => (r.data ? [r.data.fanout] : [])),
    leaseTables: regions.flatMap((r) => (r.data ? [r.data.leaseTable] : [])),
    streamScorerMetricsNamespace: physicalNames(config.environment).streamScorerMetricsNamespace,
  });
  // One runbook topic per region: the runbook notifies through the target (healthy) region's.
  const notifications = Object.fromEntries(
    config.sites.map((site) => [
      site.region,
      new RunbookNotifications(`${site.region}-runbook`, {
        environment: config.environment,
        region: site.region,
        key: data.keys.keyIn(site.region),
        accountId,
        tags: config.tags,
      }).topic,
    ]),
  );
  const monitors = new Monitors('observability', {
    environment: config.environment,
    sites: config.sites,
    targets: config.targets,
    dr: config.dr,
    messaging: config.messaging,
    namespace: config.workloads.namespace,
    datadog: {
      site: config.observability.datadogSite,
      apiKey: pulumi.secret(config.secrets.datadogApiKey),
      appKey: pulumi.secret(config.secrets.datadogAppKey),
    },
    notify: config.observability.notify,
    tags: [`team:${config.tags.owner}`],
  });
  // --- issue 13: SLOs, dashboards, model monitors, audit trail, canary (stacks/observability/estate.ts) ---
  createObservability(config, {
    datadogProvider: monitors.provider,
    routingHealthChecks: traffic.healthChecks,
    tables: data.tables,
    accountId,
  });
  // --- end issue 13 ---
  const runbook = runbookOutputs({
    environment: config.environment,
    dr: config.dr,
    dns: config.traffic,
    regions: regions.map(runbookRegionOf),
    traffic,
    notificationTopics: notifications,
  });
  // The runbook reads its outputs from SSM in the healthy region, not from Pulumi.
  new RunbookPublication('runbook-outputs', {
    environment: config.environment,
    regions: config.sites.map((s) => s.region),
    outputs: runbook,
    tags: config.tags,
  });
  return {
    environment: config.environment,
    regions: Object.fromEntries(
      regions.map((r) => [
        r.site.region,
        { role: r.site.role, vpcId: r.network.vpcId, data: r.data?.outputs },
      ]),
    ),
    roleArns: data.identities.roleArns,
    runbook,
  };
}

/** The whole program: parse config first (nothing registered if it is invalid), then build. */
export function program() {
  return buildEstate(loadConfig());
}
