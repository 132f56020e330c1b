import { EnvironmentPlan, PlannedResource } from '../../../tools/plan/harness';
import { ofType, planOf } from '../../helpers/plan';
import { modelMonitorSpecs } from '../../../stacks/observability/model-specs';

const MONITOR = 'datadog:index/monitor:Monitor';
let plan: EnvironmentPlan;
beforeAll(async () => {
  plan = await planOf('prod');
});

const monitor = (key: string): PlannedResource => {
  const found = ofType(plan, MONITOR).filter((m) => m.name === `model-${key}`);
  expect(found).toHaveLength(1);
  return found[0];
};

const SITES = [
  { role: 'primary', region: 'us-west-2' },
  { role: 'dr', region: 'us-east-1' },
] as const;
const MODEL = { scoreDriftThreshold: 0.1, featureMaxAgeSeconds: 900, rolloutMinutes: 30 };

describe('modelMonitorSpecs', () => {
  test('per region: three decision-mix anomalies and three score-percentile drifts; then two environment-wide', () => {
    const specs = modelMonitorSpecs({ environment: 'prod', sites: SITES, model: MODEL });
    expect(specs.map((s) => s.key)).toEqual([
      'decision-mix-approve-us-west-2',
      'decision-mix-review-us-west-2',
      'decision-mix-decline-us-west-2',
      'score-drift-p50-us-west-2',
      'score-drift-p90-us-west-2',
      'score-drift-p99-us-west-2',
      'decision-mix-approve-us-east-1',
      'decision-mix-review-us-east-1',
      'decision-mix-decline-us-east-1',
      'score-drift-p50-us-east-1',
      'score-drift-p90-us-east-1',
      'score-drift-p99-us-east-1',
      'feature-freshness',
      'model-version-skew',
    ]);
  });

  test('the drift and freshness thresholds and the rollout window follow the config', () => {
    const specs = modelMonitorSpecs({
      environment: 'dev',
      sites: SITES,
      model: { scoreDriftThreshold: 0.2, featureMaxAgeSeconds: 60, rolloutMinutes: 45 },
    });
    const by = (k: string) => specs.find((s) => s.key === k)!;
    expect(by('score-drift-p99-us-east-1')).toMatchObject({ critical: 0.2, warning: 0.1 });
    expect(by('score-drift-p99-us-east-1').query).toMatch(/\) > 0\.2$/);
    expect(by('feature-freshness').query).toBe(
      'max(last_10m):min:risk.features.last_write_age_seconds{env:dev} > 60',
    );
    expect(by('model-version-skew').query).toBe(
      'min(last_45m):count_nonzero(max:risk.scoring.model.serving{env:dev} by {model_version}) > 1',
    );
  });
});

describe('ModelMonitors in the prod plan', () => {
  test('the approve share of a region is an anomaly monitor on that cluster, with trigger and recovery windows', () => {
    const m = monitor('decision-mix-approve-us-east-1');
    expect(m.props.query).toBe(
      'avg(last_4h):anomalies(sum:risk.scoring.decisions{env:prod,kube_cluster_name:prod-risk-us-east-1,decision:approve}.as_count() / ' +
        "sum:risk.scoring.decisions{env:prod,kube_cluster_name:prod-risk-us-east-1}.as_count(), 'agile', 3, direction='both', " +
        "alert_window='last_30m', interval=300, count_default_zero='true', seasonality='weekly') >= 1",
    );
    expect(m.props.monitorThresholdWindows).toEqual({
      recoveryWindow: 'last_30m',
      triggerWindow: 'last_30m',
    });
    expect(m.props.monitorThresholds).toEqual({ critical: '1' });
    expect(m.props.tags).toEqual(expect.arrayContaining(['region:us-east-1', 'monitor:decision-mix']));
  });

  test('the p90 score is compared with the same hour a week before', () => {
    expect(monitor('score-drift-p90-us-west-2').props.query).toBe(
      'avg(last_1h):abs(p90:risk.scoring.score{env:prod,kube_cluster_name:prod-risk-us-west-2} - ' +
        'week_before(p90:risk.scoring.score{env:prod,kube_cluster_name:prod-risk-us-west-2})) > 0.1',
    );
    expect(monitor('score-drift-p90-us-west-2').props.monitorThresholds).toEqual({
      critical: '0.1',
      warning: '0.05',
    });
  });

  test('feature freshness alerts when the metric goes silent too', () => {
    expect(monitor('feature-freshness').props).toMatchObject({ notifyNoData: true, noDataTimeframe: 20 });
  });

  test('every model monitor notifies the environment and links its runbook section', () => {
    const models = ofType(plan, MONITOR).filter((m) => m.name.startsWith('model-'));
    expect(models).toHaveLength(14);
    for (const m of models) {
      expect(m.props.message).toMatch(
        /Runbook: docs\/RUNBOOK\.md#model-[a-z-]+\n\n@pagerduty-risk-platform$/,
      );
    }
  });
});
