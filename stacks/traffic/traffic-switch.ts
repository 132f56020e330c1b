import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { RegionSite } from '../config/load';
import { regionalEndpointName, ScoringDns, scoringRecordName } from './dns';
import { InvalidArgumentError } from '../errors';
import { accountOfArcClusterArn, ArcClusterConfig } from '../config/arc-cluster-schema';

export interface TrafficSwitchArgs {
  /** The environment name, the prefix of every ARC resource's name. */
  readonly environment: string;
  /** The regions, primary first; each gets a routing control, a health check and a failover record. */
  readonly sites: readonly Pick<RegionSite, 'role' | 'region'>[];
  /** The hosted zone and the scoring API's label in it. The zone must already exist (it is looked up by name). */
  readonly dns: ScoringDns;
  /** Tags for every taggable resource (health checks and the ARC cluster, control panel and safety rule). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * How long ARC waits after a routing-control change before it evaluates the safety rule again.
   * @default 5000
   * @see https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.safety-rules.html
   */
  readonly safetyRuleWaitPeriodMs?: number;
  /**
   * TTL of the failover records in seconds: the tail of a failover while resolvers still hold the old answer.
   * @default 60
   */
  readonly recordTtlSeconds?: number;
  /**
   * The ARC cluster the control panel goes into: `{ create: true }` creates one (this environment owns
   * it), `{ arn, endpoints }` uses the cluster another environment of the same account created.
   * @default - `{ create: true }`
   * @see https://docs.aws.amazon.com/r53recovery/latest/dg/routing-control.quotas.html
   */
  readonly arcCluster?: ArcClusterConfig;
  /**
   * The deploying account: a shared cluster's ARN must name it (a control panel cannot go into
   * another account's cluster without RAM sharing, which this platform does not set up).
   * Note: only checked when `arcCluster` is `{ arn, endpoints }`.
   */
  readonly accountId?: pulumi.Input<string>;
}

import { DEFAULT_RECORD_TTL_SECONDS } from './record-defaults';

export { DEFAULT_RECORD_TTL_SECONDS };

/** The failover role Route 53 gives each region's record. */
export const FAILOVER_TYPE = { primary: 'PRIMARY', dr: 'SECONDARY' } as const;

/** One ARC cluster data-plane endpoint; the runbook tries each in turn. */
export interface ClusterEndpoint {
  readonly endpoint: string;
  readonly region: string;
}

/** Checks the sites before anything is registered: exactly one primary, at least one DR, no region twice. */
export function validateSites(sites: readonly Pick<RegionSite, 'role' | 'region'>[]): void {
  const primaries = sites.filter((s) => s.role === 'primary').length;
  if (primaries !== 1) {
    throw new InvalidArgumentError(`'sites' has ${primaries} primary region(s); expected exactly 1`);
  }
  if (sites.length < 2) {
    throw new InvalidArgumentError(
      `'sites' has ${sites.length} region(s); expected a primary and at least one DR region`,
    );
  }
  const seen = new Set<string>();
  for (const s of sites) {
    if (seen.has(s.region))
      throw new InvalidArgumentError(`'sites' lists region '${s.region}' twice; expected each region once`);
    seen.add(s.region);
  }
}

/** The shared cluster of `arcCluster`, or undefined when this environment creates its own. */
export function sharedCluster(
  arcCluster: ArcClusterConfig | undefined,
): { arn: string; endpoints: readonly ClusterEndpoint[] } | undefined {
  if (arcCluster?.arn === undefined) return undefined;
  if (!arcCluster.endpoints || arcCluster.endpoints.length === 0) {
    throw new InvalidArgumentError(
      `'traffic.arcCluster.endpoints' (${JSON.stringify(arcCluster.endpoints)}) must list the shared cluster's data-plane endpoints`,
    );
  }
  return { arn: arcCluster.arn, endpoints: arcCluster.endpoints };
}

/** A shared cluster must be in the deploying account (`accountId`, from the caller identity). */
export function checkSharedClusterAccount(arn: string, accountId: string): void {
  const account = accountOfArcClusterArn(arn);
  if (account === undefined) {
    throw new InvalidArgumentError(
      `'traffic.arcCluster.arn' (${JSON.stringify(arn)}) must be an ARC cluster ARN such as arn:aws:route53-recovery-control::123456789012:cluster/<id>`,
    );
  }
  if (accountId !== '' && account !== accountId) {
    throw new InvalidArgumentError(
      `'traffic.arcCluster.arn' (${JSON.stringify(arn)}) must name a cluster of the deploying account ${accountId}, not ${account}: environments share a cluster only within one account`,
    );
  }
}

/**
 * The traffic switch of one environment: a Route 53 Application Recovery Controller cluster (its own,
 * or one shared with the other environments of its account: `arcCluster`) and control
 * panel, one routing control per region, a safety rule that keeps at least one region on, a
 * `RECOVERY_CONTROL` health check per routing control, and failover records for the scoring API.
 *
 * ARC's control configuration and Route 53 are global services, so the component is instantiated
 * once per environment, not per region. The runbook flips the routing controls through the cluster's
 * data-plane endpoints (statically stable: no Pulumi, no control plane).
 */
export class TrafficSwitch extends pulumi.ComponentResource {
  /** The ARC cluster, when this environment creates it (`arcCluster: { create: true }`); else undefined. */
  readonly cluster?: aws.route53recoverycontrol.Cluster;
  /** The ARN of the cluster holding the control panel: the created one's, or the shared one's. */
  readonly clusterArn: pulumi.Output<string>;
  readonly controlPanel: aws.route53recoverycontrol.ControlPanel;
  /** Routing controls by region. */
  readonly routingControls: Readonly<Record<string, aws.route53recoverycontrol.RoutingControl>>;
  readonly safetyRule: aws.route53recoverycontrol.SafetyRule;
  /** `RECOVERY_CONTROL` health checks by region, each bound to that region's routing control. */
  readonly healthChecks: Readonly<Record<string, aws.route53.HealthCheck>>;
  /** Failover records by region. */
  readonly records: Readonly<Record<string, aws.route53.Record>>;
  /** The ARC cluster's data-plane endpoints. */
  readonly clusterEndpoints: pulumi.Output<ClusterEndpoint[]>;
  /** The fully-qualified failover record name, e.g. `score.risk.example.com`. */
  readonly recordName: string;
  /** TTL of the failover records (s); the runbook adds it to the time-to-flip for the RTO. */
  readonly recordTtlSeconds: number;
  /** The hosted zone's ID. */
  readonly zoneId: pulumi.Output<string>;
  /** The hosted zone's ARN (`arn:aws:route53:::hostedzone/<id>`), for IAM statements scoped to it. */
  readonly zoneArn: pulumi.Output<string>;

  constructor(name: string, args: TrafficSwitchArgs, opts?: pulumi.ComponentResourceOptions) {
    super('risk-platform:traffic:TrafficSwitch', name, {}, opts);
    validateSites(args.sites);
    const parent = { parent: this };
    const env = args.environment;
    const tags = (extra: Record<string, string>) => ({ ...args.tags, ...extra });

    const shared = sharedCluster(args.arcCluster);
    if (shared) {
      this.clusterArn = pulumi.output(args.accountId ?? '').apply((account) => {
        checkSharedClusterAccount(shared.arn, account);
        return shared.arn;
      });
      this.clusterEndpoints = pulumi.output(
        shared.endpoints.map((e) => ({ endpoint: e.endpoint, region: e.region })),
      );
    } else {
      this.cluster = new aws.route53recoverycontrol.Cluster(
        `${name}-cluster`,
        { name: `${env}-risk-platform`, tags: tags({ Name: `${env}-risk-platform` }) },
        parent,
      );
      this.clusterArn = this.cluster.arn;
      this.clusterEndpoints = this.cluster.clusterEndpoints.apply((eps) =>
        (eps ?? []).map((e) => ({ endpoint: e.endpoint, region: e.region })),
      );
    }
    this.controlPanel = new aws.route53recoverycontrol.ControlPanel(
      `${name}-panel`,
      {
        name: `${env}-scoring-traffic`,
        clusterArn: this.clusterArn,
        tags: tags({ Name: `${env}-scoring-traffic` }),
      },
      parent,
    );

    const routingControls: Record<string, aws.route53recoverycontrol.RoutingControl> = {};
    const healthChecks: Record<string, aws.route53.HealthCheck> = {};
    for (const site of args.sites) {
      routingControls[site.region] = new aws.route53recoverycontrol.RoutingControl(
        `${name}-${site.region}-control`,
        {
          name: `${env}-scoring-${site.region}`,
          clusterArn: this.clusterArn,
          controlPanelArn: this.controlPanel.arn,
        },
        parent,
      );
      healthChecks[site.region] = new aws.route53.HealthCheck(
        `${name}-${site.region}-health`,
        {
          type: 'RECOVERY_CONTROL',
          routingControlArn: routingControls[site.region].arn,
          tags: tags({ Name: `${env}-scoring-${site.region}`, region: site.region, role: site.role }),
        },
        parent,
      );
    }
    this.routingControls = routingControls;
    this.healthChecks = healthChecks;

    const controls = args.sites.map((s) => routingControls[s.region]);
    this.safetyRule = new aws.route53recoverycontrol.SafetyRule(
      `${name}-at-least-one-on`,
      {
        name: `${env}-at-least-one-region-on`,
        controlPanelArn: this.controlPanel.arn,
        assertedControls: controls.map((c) => c.arn),
        ruleConfig: { type: 'ATLEAST', threshold: 1, inverted: false },
        waitPeriodMs: args.safetyRuleWaitPeriodMs ?? 5000,
        tags: tags({ Name: `${env}-at-least-one-region-on` }),
      },
      // ARC rejects a safety rule over controls that do not exist yet.
      { parent: this, dependsOn: controls },
    );

    // The zone is owned outside this stack (delegation is an organisation-level decision that must
    // outlive any one stack); it is looked up by name, so a missing zone fails the preview.
    const zone = aws.route53.getZoneOutput({ name: args.dns.hostedZoneName, privateZone: false }, parent);
    this.zoneId = zone.zoneId;
    this.zoneArn = zone.arn;
    this.recordName = scoringRecordName(args.dns);
    this.recordTtlSeconds = args.recordTtlSeconds ?? DEFAULT_RECORD_TTL_SECONDS;

    const records: Record<string, aws.route53.Record> = {};
    for (const site of args.sites) {
      records[site.region] = new aws.route53.Record(
        `${name}-${site.region}-record`,
        {
          zoneId: this.zoneId,
          name: this.recordName,
          type: 'CNAME',
          ttl: this.recordTtlSeconds,
          records: [regionalEndpointName(args.dns, site.region)],
          setIdentifier: `${env}-scoring-${site.region}`,
          failoverRoutingPolicies: [{ type: FAILOVER_TYPE[site.role] }],
          healthCheckId: healthChecks[site.region].id,
        },
        parent,
      );
    }
    this.records = records;

    this.registerOutputs({
      clusterArn: this.clusterArn,
      clusterEndpoints: this.clusterEndpoints,
      controlPanelArn: this.controlPanel.arn,
      safetyRuleArn: this.safetyRule.arn,
      routingControlArns: Object.fromEntries(Object.entries(routingControls).map(([r, c]) => [r, c.arn])),
      healthCheckIds: Object.fromEntries(Object.entries(healthChecks).map(([r, h]) => [r, h.id])),
      recordName: this.recordName,
    });
  }
}
