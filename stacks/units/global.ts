import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { EnvironmentConfig } from '../config/load';
import { WorkloadIdentities } from '../data/identities';
import { physicalNames } from '../naming';
import { createObservability } from '../observability/estate';
import { Monitors } from '../observability/monitors';
import { trafficViewOf } from '../runbook-output';
import { TrafficSwitch } from '../traffic/traffic-switch';

/**
 * The `<env>-global` stack: what is global or spans both regions. The workload IAM roles (each trusts
 * both regions' clusters), the ARC cluster, control panel, routing controls and safety rule, the
 * Route 53 failover records and their health checks (the ARC cluster only when `traffic.arcCluster`
 * creates it; otherwise the control panel goes into the account's shared cluster), and the Datadog monitors and SLOs. No AWS
 * resource here lands in the primary or the DR region (IAM and Route 53 are global services; ARC's
 * cluster spans five regions of its own).
 */
export function buildGlobalStack(config: EnvironmentConfig) {
  const accountId = aws.getCallerIdentityOutput().accountId;
  const identities = new WorkloadIdentities('workloads', {
    environment: config.environment,
    accountId,
    clusterRegions: config.sites.map((s) => s.region),
    namespace: config.workloads.namespace,
    tags: config.tags,
  });
  const traffic = new TrafficSwitch('traffic', {
    environment: config.environment,
    sites: config.sites,
    dns: config.traffic,
    tags: config.tags,
    arcCluster: config.traffic.arcCluster,
    accountId,
  });
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
  // SLOs, dashboards, model monitors, the audit trail and the canary (issue 13): the trail and the
  // canary live in the third region (`observability.canaryRegion`), never in a serving one.
  const names = physicalNames(config.environment);
  const tableArns = (name: string) => ({
    arns: config.sites.map(
      (s) => pulumi.interpolate`arn:aws:dynamodb:${s.region}:${accountId}:table/${name}`,
    ),
  });
  const observability = createObservability(config, {
    datadogProvider: monitors.provider,
    routingHealthChecks: traffic.healthChecks,
    tables: {
      features: tableArns(names.featuresTable),
      decisions: tableArns(names.decisionsTable),
      control: tableArns(names.controlTable),
    },
    accountId,
  });
  return {
    environment: config.environment,
    unit: 'global',
    roleArns: identities.roleArns,
    heartbeatRoleArn: identities.heartbeatRole.arn,
    // Read by each regional stack (StackReference) for its runbook parameter.
    traffic: trafficViewOf(traffic),
    // Read by each regional stack (StackReference) to peer its VPC with the canary's (random IDs).
    canaryNetwork: {
      vpcId: observability.canaryNetwork.vpc.id,
      routeTableId: observability.canaryNetwork.routeTable.id,
    },
  };
}
