import { ConfigError, parseEnvironmentConfig } from '../../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../../stacks/config/stack-file';
import { InvalidArgumentError } from '../../../stacks/errors';
import { checkSharedClusterAccount, sharedCluster } from '../../../stacks/traffic/traffic-switch';
import { EnvironmentPlan } from '../../../tools/plan/harness';
import { ofType, planOf } from '../../helpers/plan';

// Issue 15 finding 28: one ARC cluster per account's non-prod environments, a control panel each.
const CLUSTER = 'aws:route53recoverycontrol/cluster:Cluster';
const PANEL = 'aws:route53recoverycontrol/controlPanel:ControlPanel';
const CONTROL = 'aws:route53recoverycontrol/routingControl:RoutingControl';
const RULE = 'aws:route53recoverycontrol/safetyRule:SafetyRule';
/** ARC quota "Number of clusters per account" (routing-control.quotas.html). */
const CLUSTERS_PER_ACCOUNT = 2;
/** ARC quota "Number of control panels per cluster". */
const PANELS_PER_CLUSTER = 50;

const ENVS = ['dev', 'staging', 'prod'] as const;
const plans: Record<string, EnvironmentPlan> = {};
beforeAll(async () => {
  for (const env of ENVS) plans[env] = await planOf(env);
}, 180_000);

interface Endpoint {
  endpoint: string;
  region: string;
}
const globalTraffic = (env: string) =>
  (plans[env].outputs.stacks as Record<string, { traffic: { clusterEndpoints: Endpoint[] } }>)[
    `${env}-global`
  ].traffic;
const runbookTraffic = (env: string) =>
  (plans[env].outputs.runbook as { traffic: { clusterEndpoints: Endpoint[]; controlPanelArn: string } })
    .traffic;
const STAGING_CLUSTER = 'arn:aws:route53-recovery-control::123456789012:cluster/staging-risk-platform';

describe('one ARC cluster shared by dev and staging', () => {
  test('staging and prod each create one cluster; dev creates none', () => {
    expect(ofType(plans.staging, CLUSTER).map((c) => c.props.name)).toEqual(['staging-risk-platform']);
    expect(ofType(plans.prod, CLUSTER).map((c) => c.props.name)).toEqual(['prod-risk-platform']);
    expect(ofType(plans.dev, CLUSTER)).toEqual([]);
  });

  test("dev's control panel and routing controls go into staging's cluster", () => {
    const panels = ofType(plans.dev, PANEL);
    expect(panels.map((p) => [p.props.name, p.props.clusterArn])).toEqual([
      ['dev-scoring-traffic', STAGING_CLUSTER],
    ]);
    const controls = ofType(plans.dev, CONTROL);
    expect(controls).toHaveLength(2);
    for (const c of controls) expect(c.props.clusterArn).toBe(STAGING_CLUSTER);
    // dev keeps its own safety rule, over its own controls only.
    const rules = ofType(plans.dev, RULE);
    expect(rules).toHaveLength(1);
    expect(rules[0].props.controlPanelArn).toBe(runbookTraffic('dev').controlPanelArn);
  });

  test("dev's configured cluster is the one staging's plan creates (ARN and endpoints)", () => {
    const staging = ofType(plans.staging, PANEL)[0].props.clusterArn;
    expect(staging).toBe(STAGING_CLUSTER);
    expect(plans.dev.config.traffic.arcCluster).toEqual({
      arn: staging,
      endpoints: globalTraffic('staging').clusterEndpoints,
    });
  });

  test("dev's runbook parameter publishes the shared cluster's five endpoints, as staging's does", () => {
    const endpoints = runbookTraffic('dev').clusterEndpoints;
    expect(endpoints).toHaveLength(5);
    expect(endpoints).toEqual(runbookTraffic('staging').clusterEndpoints);
    expect(globalTraffic('dev').clusterEndpoints).toEqual(endpoints);
  });

  test("no environment puts its control panel into prod's cluster (blast radius)", () => {
    const prodCluster = ofType(plans.prod, PANEL)[0].props.clusterArn;
    for (const env of ['dev', 'staging'])
      for (const p of ofType(plans[env], PANEL)) expect(p.props.clusterArn).not.toBe(prodCluster);
  });

  test('the account stays within the ARC quotas: 2 clusters, 50 control panels per cluster', () => {
    // All three environments name the same account (123456789012): one cluster each would be 3.
    const clusters = new Set(
      ENVS.flatMap((e) => ofType(plans[e], PANEL).map((p) => String(p.props.clusterArn))),
    );
    expect(clusters.size).toBe(CLUSTERS_PER_ACCOUNT);
    for (const arn of clusters) {
      const panels = ENVS.flatMap((e) => ofType(plans[e], PANEL)).filter((p) => p.props.clusterArn === arn);
      expect(panels.length).toBeLessThanOrEqual(PANELS_PER_CLUSTER);
    }
  });
});

/** Parses dev's committed config with `traffic.arcCluster` replaced. */
function issuesWith(arcCluster: unknown): string[] {
  const { values, secretKeys } = readStackFile(stackFilePath('dev'));
  const traffic = JSON.parse(values['risk-platform:traffic']) as Record<string, unknown>;
  traffic.arcCluster = arcCluster;
  try {
    parseEnvironmentConfig(
      { ...values, 'risk-platform:traffic': JSON.stringify(traffic) },
      { stack: 'dev', isSecret: (k) => secretKeys.includes(k) },
    );
  } catch (e) {
    if (e instanceof ConfigError)
      return e.issues.map((i) => `${i.key}: received ${i.received}, expected ${i.expected}`);
    throw e;
  }
  return [];
}

const ENDPOINT = { endpoint: 'https://host-abc123.us-east-1.example.aws/v1', region: 'us-east-1' };

describe('traffic.arcCluster schema', () => {
  test('accepts create: true and an ARN with endpoints', () => {
    expect(issuesWith({ create: true })).toEqual([]);
    expect(issuesWith({ arn: STAGING_CLUSTER, endpoints: [ENDPOINT] })).toEqual([]);
  });

  test('refuses an ARN of another service, naming key, value and the expected form', () => {
    expect(issuesWith({ arn: 'arn:aws:route53::123456789012:cluster/x', endpoints: [ENDPOINT] })).toEqual([
      'risk-platform:traffic.arcCluster.arn: received "arn:aws:route53::123456789012:cluster/x", expected an ARC cluster ARN such as arn:aws:route53-recovery-control::123456789012:cluster/<id>',
    ]);
  });

  test('refuses a shared cluster without endpoints', () => {
    expect(issuesWith({ arn: STAGING_CLUSTER })).toEqual([
      "risk-platform:traffic.arcCluster.endpoints: received nothing (the key is missing), expected the shared cluster's data-plane endpoints (its owner's traffic.clusterEndpoints output): the runbook flips routing controls through them",
    ]);
  });

  test('refuses create together with an ARN', () => {
    expect(issuesWith({ create: true, arn: STAGING_CLUSTER, endpoints: [ENDPOINT] })).toEqual([
      `risk-platform:traffic.arcCluster.arn: received "${STAGING_CLUSTER}", expected nothing besides create: true (a created cluster has its own ARN and endpoints)`,
    ]);
  });

  test('refuses an empty object', () => {
    expect(issuesWith({})).toEqual([
      'risk-platform:traffic.arcCluster.create: received nothing (the key is missing), expected either create: true (this environment creates the cluster) or arn + endpoints (a cluster another environment created)',
    ]);
  });

  test('refuses a plain-HTTP endpoint and a region listed twice', () => {
    expect(
      issuesWith({
        arn: STAGING_CLUSTER,
        endpoints: [
          ENDPOINT,
          { endpoint: 'http://host-abc123.us-west-2.example.aws/v1', region: 'us-west-2' },
        ],
      }),
    ).toEqual([
      'risk-platform:traffic.arcCluster.endpoints.1.endpoint: received "http://host-abc123.us-west-2.example.aws/v1", expected an ARC cluster endpoint such as https://host-abc123.us-east-1.example.aws/v1 (https://<host>/v1)',
    ]);
    expect(issuesWith({ arn: STAGING_CLUSTER, endpoints: [ENDPOINT, ENDPOINT] })).toEqual([
      'risk-platform:traffic.arcCluster.endpoints.1.region: received "us-east-1", expected a region not listed before (us-east-1 has an endpoint already; a cluster has one endpoint per region)',
    ]);
  });
});

describe('a shared cluster belongs to the deploying account', () => {
  test('passes for the same account', () => {
    expect(() => checkSharedClusterAccount(STAGING_CLUSTER, '123456789012')).not.toThrow();
  });

  test('fails naming the key, the ARN and both accounts', () => {
    expect(() => checkSharedClusterAccount(STAGING_CLUSTER, '210987654321')).toThrow(
      new InvalidArgumentError(
        `'traffic.arcCluster.arn' ("${STAGING_CLUSTER}") must name a cluster of the deploying account 210987654321, not 123456789012: environments share a cluster only within one account`,
      ),
    );
  });

  test('sharedCluster is undefined for create: true and for no setting', () => {
    expect(sharedCluster({ create: true })).toBeUndefined();
    expect(sharedCluster(undefined)).toBeUndefined();
    expect(sharedCluster({ arn: STAGING_CLUSTER, endpoints: [ENDPOINT] })).toEqual({
      arn: STAGING_CLUSTER,
      endpoints: [ENDPOINT],
    });
  });
});
