import { EnvironmentPlan, PlannedResource, SECRET_MARKER } from '../../../tools/plan/harness';
import { ofType, planOf } from '../../helpers/plan';
import {
  errorRateThresholds,
  iteratorAgeThresholds,
  latencyThresholds,
  oldestMessageThresholds,
  replicationLatencyThresholds,
} from '../../../stacks/observability/thresholds';
import { monitorSpecs } from '../../../stacks/observability/monitor-specs';

const MONITOR = 'datadog:index/monitor:Monitor';
const SLO = 'datadog:index/serviceLevelObjective:ServiceLevelObjective';
const PROVIDER = 'pulumi:providers:datadog';
const REGIONS = ['us-west-2', 'us-east-1'];

let plan: EnvironmentPlan;
beforeAll(async () => {
  plan = await planOf('prod');
});

function monitor(key: string): PlannedResource {
  const found = ofType(plan, MONITOR).filter((m) => m.name === `observability-${key}`);
  expect(found).toHaveLength(1);
  return found[0];
}

const thresholdsOf = (m: PlannedResource) => m.props.monitorThresholds as Record<string, string>;
const asStrings = (t: { critical: number; warning?: number }) =>
  t.warning === undefined
    ? { critical: String(t.critical) }
    : { critical: String(t.critical), warning: String(t.warning) };

describe('Monitors', () => {
  test('every region gets the same set of monitors', () => {
    const kinds = (region: string) =>
      ofType(plan, MONITOR)
        .filter((m) => m.name.startsWith('observability-')) // this component's (issue 13's live beside them)
        .filter((m) => (m.props.tags as string[]).includes(`region:${region}`))
        .map((m) => (m.props.tags as string[]).find((t) => t.startsWith('monitor:')))
        .sort();
    expect(kinds('us-west-2')).toEqual(kinds('us-east-1'));
    expect(new Set(kinds('us-west-2'))).toEqual(
      new Set([
        'monitor:latency',
        'monitor:error-rate',
        'monitor:iterator-age',
        'monitor:replication-latency',
        'monitor:dlq-depth',
        'monitor:oldest-message',
        'monitor:hpa-at-max',
        'monitor:keda-scaler-errors',
        'monitor:keda-scaler-failed',
        'monitor:heartbeat-interval',
      ]),
    );
  });

  test('registers exactly the monitors the specs derive', () => {
    const expected = monitorSpecs({
      environment: 'prod',
      sites: plan.config.sites,
      targets: plan.config.targets,
      dr: plan.config.dr,
      messaging: plan.config.messaging,
      namespace: plan.config.workloads.namespace,
    });
    expect(
      ofType(plan, MONITOR)
        .map((m) => m.name)
        .filter((n) => n.startsWith('observability-')) // this component's (issue 13's live beside them)
        .sort(),
    ).toEqual(expected.map((s) => `observability-${s.key}`).sort());
  });

  test.each(REGIONS)('the p99 latency monitor of %s pages at the latency target (30 ms)', (region) => {
    const m = monitor(`latency-${region}`);
    expect(thresholdsOf(m)).toEqual(asStrings(latencyThresholds({ p99LatencyMs: 30 })));
    expect(thresholdsOf(m).critical).toBe('0.03');
    expect(m.props.query).toBe(
      `percentile(last_5m):p99:trace.http.request{env:prod,service:scoring-api,kube_cluster_name:prod-risk-${region}} > 0.03`,
    );
  });

  test.each(REGIONS)('the error-rate monitor of %s uses the burn-rate thresholds', (region) => {
    expect(thresholdsOf(monitor(`error-rate-${region}`))).toEqual(asStrings(errorRateThresholds()));
  });

  test.each(REGIONS)(
    'the stream-lag monitor of %s pages at the RPO, on the stream scorer consumer',
    (region) => {
      const m = monitor(`iterator-age-${region}`);
      expect(thresholdsOf(m)).toEqual(asStrings(iteratorAgeThresholds({ rpoSeconds: 5 })));
      expect(m.props.query).toContain(
        `{region:${region},streamname:prod-transactions,consumername:prod-stream-scorer}`,
      );
    },
  );

  test.each([
    ['us-west-2', 'us-east-1'],
    ['us-east-1', 'us-west-2'],
  ])(
    'replication from %s to %s is watched per table at the RPO (5000 ms critical, 2500 ms warning)',
    (from, to) => {
      for (const table of ['prod-features', 'prod-decisions', 'prod-control']) {
        const m = monitor(`replication-latency-${table}-${from}-to-${to}`);
        expect(thresholdsOf(m)).toEqual(asStrings(replicationLatencyThresholds({ rpoSeconds: 5 })));
        expect(thresholdsOf(m)).toEqual({ critical: '5000', warning: '2500' });
        expect(m.props.query).toBe(
          `max(last_5m):max:aws.dynamodb.replication_latency{region:${from},tablename:${table},receivingregion:${to}} > 5000`,
        );
      }
    },
  );

  test.each(REGIONS)('the dead-letter queues of %s alert on any message', (region) => {
    for (const dlq of ['prod-case-review-dlq', 'prod-model-feedback-dlq']) {
      const m = monitor(`dlq-depth-${dlq}-${region}`);
      expect(thresholdsOf(m)).toEqual({ critical: '0' });
      expect(m.props.query).toBe(
        `max(last_5m):max:aws.sqs.approximate_number_of_messages_visible{region:${region},queuename:${dlq}} > 0`,
      );
    }
  });

  test.each(REGIONS)(
    'the oldest-message monitors of %s page after maxReceiveCount visibility timeouts',
    (region) => {
      for (const queue of ['prod-case-review', 'prod-model-feedback']) {
        const m = monitor(`oldest-message-${queue}-${region}`);
        expect(thresholdsOf(m)).toEqual(
          asStrings(oldestMessageThresholds({ maxReceiveCount: 5, consumerProcessingSeconds: 20 })),
        );
        expect(thresholdsOf(m)).toEqual({ critical: '600', warning: '120' });
      }
    },
  );

  test.each(REGIONS)(
    'the autoscaler monitors of %s watch the workloads namespace of its cluster',
    (region) => {
      expect(monitor(`hpa-at-max-${region}`).props.query).toContain(
        `{kube_cluster_name:prod-risk-${region},kube_namespace:risk-scoring}`,
      );
      expect(monitor(`hpa-at-max-${region}`).props.query).toMatch(/ >= 0$/);
      expect(monitor(`keda-scaler-errors-${region}`).props.query).toContain(
        `{kube_cluster_name:prod-risk-${region},namespace:risk-scoring}`,
      );
    },
  );

  test('every monitor is tagged with env and service, and notifies with a runbook link', () => {
    for (const m of ofType(plan, MONITOR)) {
      const tags = m.props.tags as string[];
      expect(tags).toContain('env:prod');
      expect(tags.some((t) => t.startsWith('service:'))).toBe(true);
      expect(tags).toContain('team:trust-and-safety-platform');
      expect(m.props.message).toContain('@pagerduty-risk-platform');
      expect(m.props.message).toMatch(/Runbook: docs\/RUNBOOK\.md#[a-z-]+/);
    }
  });

  test('the latency SLO holds p99 within the target in 99.9 % of 5-minute slices over 30 days', () => {
    const slos = ofType(plan, SLO).filter((r) => r.name.startsWith('observability-'));
    expect(slos).toHaveLength(1);
    const slo = slos[0].props;
    expect(slo.type).toBe('time_slice');
    expect(slo.thresholds).toEqual([{ timeframe: '30d', target: 99.9, warning: 99.95 }]);
    expect(slo.sliSpecification).toMatchObject({
      timeSlice: {
        comparator: '<=',
        threshold: 0.03,
        queryIntervalSeconds: 300,
        query: {
          queries: [{ metricQuery: { query: 'p99:trace.http.request{env:prod,service:scoring-api}' } }],
        },
      },
    });
    expect(slo.tags).toEqual(expect.arrayContaining(['env:prod', 'service:scoring-api']));
  });

  test('the Datadog provider holds the API and application keys as secrets', () => {
    const providers = ofType(plan, PROVIDER);
    expect(providers).toHaveLength(1);
    expect(providers[0].props.apiKey).toBe(SECRET_MARKER);
    expect(providers[0].props.appKey).toBe(SECRET_MARKER);
    expect(providers[0].props.apiUrl).toBe('https://api.datadoghq.com/');
  });

  test('no monitor or SLO carries a key in plain text', () => {
    const text = JSON.stringify(plan.resources);
    expect(text).not.toContain('offline-plan-placeholder');
  });
});
