import * as datadog from '@pulumi/datadog';
import * as pulumi from '@pulumi/pulumi';
import { EnvironmentConfig } from '../config/load';
import { EnvironmentDashboard } from './dashboards';
import { LeaseTableMonitors } from './lease-monitors';
import { ModelMonitors } from './model-monitors';
import { ScoringSlos } from './slo';
import { AuditTrail, TableArns } from './trail';
import { ScoreCanary } from './canary';
import { CanaryNetwork } from './canary-network';
import { physicalNames, streamScorerLeaseTableName } from '../naming';

/** What the observability of issue 13 needs from the rest of the estate: objects, not ARNs. */
export interface ObservabilityDeps {
  /** The environment's Datadog provider (the one `Monitors` created). */
  readonly datadogProvider: datadog.Provider;
  /** The ARC `RECOVERY_CONTROL` health checks by region (their status is the routing control's state). */
  readonly routingHealthChecks: Readonly<Record<string, { readonly id: pulumi.Input<string> }>>;
  /** The platform's global tables by their copies' ARNs: the trail records their data events. */
  readonly tables: Readonly<Record<'features' | 'decisions' | 'control', TableArns>>;
  /** The environment's AWS account. */
  readonly accountId: pulumi.Input<string>;
}

/** The pieces {@link createObservability} built. */
export interface Observability {
  readonly slos: ScoringSlos;
  readonly dashboard: EnvironmentDashboard;
  readonly modelMonitors: ModelMonitors;
  readonly leaseMonitors: LeaseTableMonitors;
  readonly trail: AuditTrail;
  readonly canary: ScoreCanary;
  /** The canary's VPC: each regional stack peers with it (the global stack exports its IDs). */
  readonly canaryNetwork: CanaryNetwork;
}

/**
 * Issue 13's observability of one environment: the scoring SLOs and their burn-rate pages, the
 * environment's dashboard, the model monitors, the lease-table monitors, the audit trail and the canary. All of it belongs to the environment's global stack (Datadog is global).
 */
export function createObservability(config: EnvironmentConfig, deps: ObservabilityDeps): Observability {
  const obs = config.observability;
  const tags = [`team:${config.tags.owner}`];
  const slos = new ScoringSlos('slos', {
    environment: config.environment,
    slo: obs.slo,
    p99LatencyMs: config.targets.p99LatencyMs,
    provider: deps.datadogProvider,
    notify: obs.notify,
    tags,
  });
  const dashboard = new EnvironmentDashboard('dashboards', {
    environment: config.environment,
    sites: config.sites,
    namespace: config.workloads.namespace,
    p99LatencyMs: config.targets.p99LatencyMs,
    provider: deps.datadogProvider,
    routingHealthCheckIds: Object.fromEntries(
      Object.entries(deps.routingHealthChecks).map(([region, hc]) => [region, hc.id]),
    ),
    sloIds: { availability: slos.availability.id, latency: slos.latency.id },
  });
  const modelMonitors = new ModelMonitors('model', {
    environment: config.environment,
    sites: config.sites,
    model: obs.model,
    provider: deps.datadogProvider,
    notify: obs.notify,
    tags,
  });
  const leaseMonitors = new LeaseTableMonitors('lease-tables', {
    environment: config.environment,
    sites: config.sites,
    provider: deps.datadogProvider,
    notify: obs.notify,
    tags,
  });
  // The trail lives in the canary's region: an outage of either serving region is exactly when the
  // runbook's calls must be recorded and alerted on (docs/ARCHITECTURE.md, "The audit trail").
  const names = physicalNames(config.environment);
  const trail = new AuditTrail('audit', {
    environment: config.environment,
    region: obs.canaryRegion,
    accountId: deps.accountId,
    controlTable: deps.tables.control,
    hotTables: [deps.tables.features, deps.tables.decisions],
    tableNames: [
      names.featuresTable,
      names.decisionsTable,
      names.controlTable,
      ...config.sites.map((s) => streamScorerLeaseTableName(config.environment, s.region)),
    ],
    runbookRoleArns: obs.runbookRoleArns,
    tags: config.tags,
  });
  const canaryNetwork = new CanaryNetwork('canary-network', {
    environment: config.environment,
    region: obs.canaryRegion,
    vpcCidr: obs.canaryNetwork.vpcCidr,
    availabilityZoneIds: obs.canaryNetwork.availabilityZoneIds,
    regionCidrs: Object.fromEntries(config.sites.map((s) => [s.region, s.vpcCidr])),
    tags: config.tags,
  });
  const canary = new ScoreCanary('canary', {
    environment: config.environment,
    region: obs.canaryRegion,
    sites: config.sites,
    dns: config.traffic,
    accountId: deps.accountId,
    network: canaryNetwork,
    // The third region's alarms share one topic for on-call to subscribe to.
    alarmTopic: trail.topic,
    tags: config.tags,
  });
  return { slos, dashboard, modelMonitors, leaseMonitors, trail, canary, canaryNetwork };
}
