import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { capacityPlan } from './capacity';
import { createDataFoundation } from './data/regional';
import { WorkloadPermissions } from './data/permissions';
import { EnvironmentConfig, parseEnvironmentConfig } from './config/load';
import { RegionalPlatform } from './region';
import { Monitors } from './observability/monitors';
import { TrafficSwitch } from './traffic/traffic-switch';
import { RunbookNotifications } from './traffic/notifications';
import { runbookOutputs, runbookRegionOf } from './runbook-output';

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
  const data = createDataFoundation(config, capacity, aws.getCallerIdentityOutput().accountId);
  const regions = config.sites.map((site) => new RegionalPlatform(site.region, { site, config, data }));
  new WorkloadPermissions('workloads', {
    identities: data.identities,
    keys: data.keys,
    tables: data.tables,
    streams: regions.flatMap((r) => (r.data ? [r.data.stream] : [])),
    fanouts: regions.flatMap((r) => (r.data ? [r.data.fanout] : [])),
  });
  const traffic = new TrafficSwitch('traffic', {
    environment: config.environment,
    sites: config.sites,
    dns: config.traffic,
    tags: config.tags,
  });
  const notifications = new RunbookNotifications('runbook', {
    environment: config.environment,
    region: config.regions.dr.region,
    key: data.keys.keyIn(config.regions.dr.region),
    tags: config.tags,
  });
  new Monitors('observability', {
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
  return {
    environment: config.environment,
    regions: Object.fromEntries(
      regions.map((r) => [
        r.site.region,
        { role: r.site.role, vpcId: r.network.vpcId, data: r.data?.outputs },
      ]),
    ),
    roleArns: data.identities.roleArns,
    runbook: runbookOutputs({
      environment: config.environment,
      dr: config.dr,
      dns: config.traffic,
      regions: regions.map(runbookRegionOf),
      traffic,
      notificationTopicArn: notifications.topic.arn,
    }),
  };
}

/** The whole program: parse config first (nothing registered if it is invalid), then build. */
export function program() {
  return buildEstate(loadConfig());
}
