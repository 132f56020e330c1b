import { EnvironmentPlan, PlannedResource } from '../../../tools/plan/harness';
import { ofType, planOf } from '../../helpers/plan';
import { burnRateQuery } from '../../../stacks/observability/slo';
import { burnRateAlerts } from '../../../stacks/observability/burn-rate';
import { dashboardDefinition } from '../../../stacks/observability/dashboards';

const MONITOR = 'datadog:index/monitor:Monitor';
const SLO = 'datadog:index/serviceLevelObjective:ServiceLevelObjective';
const DASHBOARD = 'datadog:index/dashboardJson:DashboardJson';

let prod: EnvironmentPlan;
let dev: EnvironmentPlan;
beforeAll(async () => {
  prod = await planOf('prod');
  dev = await planOf('dev');
});

const named = (plan: EnvironmentPlan, type: string, name: string): PlannedResource => {
  const found = ofType(plan, type).filter((r) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('ScoringSlos', () => {
  test('the availability SLO counts good requests over all requests, at the configured target', () => {
    const slo = named(prod, SLO, 'slos-availability');
    expect(slo.props.type).toBe('metric');
    expect(slo.props.query).toEqual({
      numerator:
        'sum:trace.http.request.hits{env:prod,service:scoring-api}.as_count() - sum:trace.http.request.errors{env:prod,service:scoring-api}.as_count()',
      denominator: 'sum:trace.http.request.hits{env:prod,service:scoring-api}.as_count()',
    });
    expect(slo.props.thresholds).toEqual([{ target: 99.95, timeframe: '30d' }]);
  });

  test('the latency SLO counts 1-minute slices whose p99 is within targets.p99LatencyMs', () => {
    const slo = named(prod, SLO, 'slos-latency');
    expect(slo.props.type).toBe('time_slice');
    const ts = (slo.props.sliSpecification as { timeSlice: Record<string, unknown> }).timeSlice;
    expect(ts).toMatchObject({ comparator: '<=', threshold: 0.03, queryIntervalSeconds: 60 });
    expect(slo.props.thresholds).toEqual([{ target: 99.9, timeframe: '30d' }]);
  });

  test.each([
    ['availability', 'fast', '1h', '5m', '14.4'],
    ['availability', 'slow', '6h', '30m', '6'],
    ['latency', 'fast', '1h', '5m', '14.4'],
    ['latency', 'slow', '6h', '30m', '6'],
  ])('the %s SLO pages on a %s burn: %s / %s above %sx', (slo, speed, long, short, rate) => {
    const m = named(prod, MONITOR, `slos-${slo}-burn-${speed}`);
    expect(m.props.type).toBe('slo alert');
    expect(m.props.query).toBe(
      `burn_rate("slos-${slo}-id").over("30d").long_window("${long}").short_window("${short}") > ${rate}`,
    );
    expect(m.props.monitorThresholds).toEqual({ critical: rate });
    expect(m.props.message).toMatch(/@pagerduty-risk-platform$/);
  });

  test("the alert text states the error rate derived from the environment's own target", () => {
    // dev: availability 99.5 % -> the fast page is an error rate of 14.4 x 0.005 = 0.072.
    expect(named(dev, MONITOR, 'slos-availability-burn-fast').props.message).toContain(
      '(error rate above 0.072)',
    );
    expect(named(prod, MONITOR, 'slos-availability-burn-fast').props.message).toContain(
      '(error rate above 0.0072)',
    );
  });

  test('burnRateQuery follows the SLO alert grammar', () => {
    const [fast] = burnRateAlerts(99.9, '7d');
    expect(burnRateQuery('abc123', '7d', fast)).toBe(
      'burn_rate("abc123").over("7d").long_window("1h").short_window("5m") > 3.36',
    );
  });
});

describe('EnvironmentDashboard', () => {
  const json = (plan: EnvironmentPlan) =>
    JSON.parse(named(plan, DASHBOARD, 'dashboards-dashboard').props.dashboard as string) as {
      title: string;
      widgets: { definition: Record<string, unknown>; layout: Record<string, number> }[];
    };

  test('one dashboard per environment, titled with it', () => {
    expect(ofType(prod, DASHBOARD)).toHaveLength(1);
    expect(json(prod).title).toBe('[prod] risk scoring: both regions');
  });

  test('both regions side by side: a half-width column each, primary on the left', () => {
    const groups = json(prod).widgets.filter((w) => w.definition.type === 'group');
    expect(groups.map((g) => [g.definition.title, g.layout.x, g.layout.width])).toEqual([
      ['us-west-2 (primary)', 0, 6],
      ['us-east-1 (dr)', 6, 6],
    ]);
  });

  test("each column shows the DR signals: heartbeat table lag, its routing control's health check, standby capacity", () => {
    const text = JSON.stringify(json(prod));
    expect(text).toContain(
      'max:aws.dynamodb.replication_latency{region:us-east-1,tablename:prod-control,receivingregion:us-west-2}',
    );
    expect(text).toContain('min:aws.route53.health_check_status{healthcheckid:hc-traffic-us-east-1-health}');
    expect(text).toContain(
      'sum:kubernetes_state.deployment.replicas_available{kube_cluster_name:prod-risk-us-east-1,kube_namespace:risk-scoring} by {kube_deployment}',
    );
    expect(text).toContain('"slo_id":"slos-availability-id"');
  });

  test('the latency widget marks the SLO in seconds', () => {
    const def = dashboardDefinition({
      environment: 'x',
      sites: [
        { role: 'primary', region: 'us-west-2' },
        { role: 'dr', region: 'us-east-1' },
      ],
      namespace: 'ns',
      p99LatencyMs: 50,
      routingHealthCheckIds: { 'us-west-2': 'a', 'us-east-1': 'b' },
      sloIds: { availability: 's1', latency: 's2' },
    });
    expect(JSON.stringify(def)).toContain(
      '"markers":[{"value":"y = 0.05","display_type":"error dashed","label":"p99 SLO"}]',
    );
  });
});
