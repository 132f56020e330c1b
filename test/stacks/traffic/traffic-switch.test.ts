import { EnvironmentPlan, PlannedResource } from '../../../tools/plan/harness';
import { ofType, planOf } from '../../helpers/plan';
import { validateSites } from '../../../stacks/traffic/traffic-switch';

const CLUSTER = 'aws:route53recoverycontrol/cluster:Cluster';
const PANEL = 'aws:route53recoverycontrol/controlPanel:ControlPanel';
const CONTROL = 'aws:route53recoverycontrol/routingControl:RoutingControl';
const SAFETY_RULE = 'aws:route53recoverycontrol/safetyRule:SafetyRule';
const HEALTH_CHECK = 'aws:route53/healthCheck:HealthCheck';
const RECORD = 'aws:route53/record:Record';

let plan: EnvironmentPlan;
beforeAll(async () => {
  plan = await planOf('prod');
});

/** The ARN the mocks give a routing control (echoed into every resource that references it). */
function controlArn(control: PlannedResource): string {
  return `${String(control.props.controlPanelArn)}/routingcontrol/${String(control.props.name)}`;
}

function controlOf(region: string): PlannedResource {
  const found = ofType(plan, CONTROL).filter((c) => c.props.name === `prod-scoring-${region}`);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('TrafficSwitch', () => {
  test('creates one ARC cluster and one control panel in that cluster per environment', () => {
    const clusters = ofType(plan, CLUSTER);
    const panels = ofType(plan, PANEL);
    expect(clusters.map((c) => c.props.name)).toEqual(['prod-risk-platform']);
    expect(panels.map((p) => p.props.name)).toEqual(['prod-scoring-traffic']);
    expect(panels[0].props.clusterArn).toBe(
      'arn:aws:route53-recovery-control::123456789012:cluster/prod-risk-platform',
    );
  });

  test('creates one routing control per region, in the control panel', () => {
    const controls = ofType(plan, CONTROL);
    expect(controls.map((c) => c.props.name).sort()).toEqual([
      'prod-scoring-us-east-1',
      'prod-scoring-us-west-2',
    ]);
    for (const c of controls) {
      expect(c.props.controlPanelArn).toBe(
        'arn:aws:route53-recovery-control::123456789012:controlpanel/prod-scoring-traffic',
      );
    }
  });

  test('the safety rule asserts that at least one of both routing controls is on', () => {
    const rules = ofType(plan, SAFETY_RULE);
    expect(rules).toHaveLength(1);
    const rule = rules[0].props;
    expect(rule.ruleConfig).toEqual({ type: 'ATLEAST', threshold: 1, inverted: false });
    expect([...(rule.assertedControls as string[])].sort()).toEqual(
      [controlArn(controlOf('us-east-1')), controlArn(controlOf('us-west-2'))].sort(),
    );
    expect(rule.gatingControls).toBeUndefined();
    expect(rule.waitPeriodMs).toBe(5000);
  });

  test.each(['us-west-2', 'us-east-1'])(
    'binds one RECOVERY_CONTROL health check to the routing control of %s',
    (region) => {
      const checks = ofType(plan, HEALTH_CHECK).filter(
        (h) => h.props.routingControlArn === controlArn(controlOf(region)),
      );
      expect(checks).toHaveLength(1);
      expect(checks[0].props.type).toBe('RECOVERY_CONTROL');
      expect(checks[0].name).toBe(`traffic-${region}-health`);
    },
  );

  test('tags every health check with the required tags', () => {
    for (const h of ofType(plan, HEALTH_CHECK)) {
      expect(h.props.tags).toMatchObject({
        owner: 'trust-and-safety-platform',
        'cost-centre': 'cc-4411',
        'data-classification': 'confidential',
        environment: 'prod',
      });
    }
  });

  test.each([
    ['us-west-2', 'PRIMARY'],
    ['us-east-1', 'SECONDARY'],
  ])('the failover record of %s is %s, health-checked by its routing control', (region, failover) => {
    const records = ofType(plan, RECORD).filter((r) => r.name === `traffic-${region}-record`);
    expect(records).toHaveLength(1);
    const r = records[0].props;
    expect(r.name).toBe('score.risk.example.com');
    expect(r.type).toBe('CNAME');
    expect(r.failoverRoutingPolicies).toEqual([{ type: failover }]);
    expect(r.records).toEqual([`score-${region}.risk.example.com`]);
    expect(r.healthCheckId).toBe(`hc-traffic-${region}-health`);
    expect(r.setIdentifier).toBe(`prod-scoring-${region}`);
    expect(r.zoneId).toBe('ZRISKEXAMPLECOM');
  });

  test('places the ARC and Route 53 resources in no region (global services)', () => {
    for (const type of [CLUSTER, PANEL, CONTROL, SAFETY_RULE, HEALTH_CHECK, RECORD]) {
      for (const r of ofType(plan, type)) expect(r.region).toBeNull();
    }
  });
});

describe('validateSites', () => {
  test('refuses two primaries', () => {
    expect(() =>
      validateSites([
        { role: 'primary', region: 'us-west-2' },
        { role: 'primary', region: 'us-east-1' },
      ]),
    ).toThrow("'sites' has 2 primary region(s); expected exactly 1");
  });

  test('refuses a primary alone', () => {
    expect(() => validateSites([{ role: 'primary', region: 'us-west-2' }])).toThrow(
      "'sites' has 1 region(s); expected a primary and at least one DR region",
    );
  });

  test('refuses a region listed twice', () => {
    expect(() =>
      validateSites([
        { role: 'primary', region: 'us-west-2' },
        { role: 'dr', region: 'us-west-2' },
      ]),
    ).toThrow("'sites' lists region 'us-west-2' twice; expected each region once");
  });
});
