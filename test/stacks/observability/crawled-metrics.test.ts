import fc from 'fast-check';
import {
  AWS_CRAWL,
  cloudMetricEvaluationDelaySeconds,
  cloudMetricNoDataMinutes,
  monitorSpecs,
} from '../../../stacks/observability/monitor-specs';
import { ofType, planOf } from '../../helpers/plan';
import { PROD_MONITOR_INPUT } from './monitor-input';

const input = PROD_MONITOR_INPUT;

describe('monitors on CloudWatch-crawled metrics (issue 15 finding 8)', () => {
  it("waits 17 minutes: the 10-minute crawl, 2 minutes of CloudWatch availability, 5 of queueing (Datadog's cloud metric delay guide)", () => {
    expect(cloudMetricEvaluationDelaySeconds()).toBe(1020);
  });

  it('never evaluates before a crawl has delivered the window (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 3600 }), (intervalSeconds) => {
        const crawl = { ...AWS_CRAWL, intervalSeconds } as unknown as typeof AWS_CRAWL;
        expect(cloudMetricEvaluationDelaySeconds(crawl)).toBeGreaterThan(intervalSeconds);
        expect(cloudMetricNoDataMinutes(5, crawl) * 60).toBeGreaterThanOrEqual(2 * intervalSeconds);
      }),
    );
  });

  it('delays every CloudWatch monitor and no agent or APM monitor', () => {
    const specs = monitorSpecs(input);
    const crawledKinds = ['iterator-age', 'replication-latency', 'dlq-depth', 'oldest-message'];
    for (const spec of specs) {
      if (crawledKinds.includes(spec.kind)) expect(spec.evaluationDelaySeconds).toBe(1020);
      // DogStatsD, stated explicitly (test/stacks/observability/heartbeat-monitor.test.ts)
      else if (spec.kind === 'heartbeat-interval') expect(spec.evaluationDelaySeconds).toBe(0);
      else expect(spec.evaluationDelaySeconds).toBeUndefined();
    }
  });

  it('alerts on no data for the RPO evidence only: iterator age, the control table replicating both ways, the heartbeat interval', () => {
    const noData = monitorSpecs(input)
      .filter((s) => s.noDataMinutes !== undefined)
      .map((s) => [s.key, s.noDataMinutes]);
    expect(noData).toEqual([
      ['iterator-age-us-west-2', 20],
      ['replication-latency-prod-control-us-west-2-to-us-east-1', 20],
      ['heartbeat-interval-us-west-2', 10],
      ['iterator-age-us-east-1', 20],
      ['replication-latency-prod-control-us-east-1-to-us-west-2', 20],
      ['heartbeat-interval-us-east-1', 10],
    ]);
  });

  it('watches KEDAScalerFailed events per cluster (finding 18)', () => {
    const spec = monitorSpecs(input).find((s) => s.key === 'keda-scaler-failed-us-west-2');
    expect(spec).toMatchObject({
      type: 'event-v2 alert',
      query:
        'events("source:kubernetes KEDAScalerFailed kube_cluster_name:prod-risk-us-west-2 kube_namespace:risk-scoring").rollup("count").by("kube_cluster_name").last("10m") > 0',
    });
  });

  it('registers the delay and the no-data alert on the Datadog monitors', async () => {
    const plan = await planOf('prod');
    const monitors = ofType(plan, 'datadog:index/monitor:Monitor');
    const byQuery = (needle: string) => monitors.filter((m) => String(m.props.query).includes(needle));
    for (const m of byQuery('aws.dynamodb.replication_latency{region:us-west-2,tablename:prod-control'))
      expect(m.props).toMatchObject({ evaluationDelay: 1020, notifyNoData: true, noDataTimeframe: 20 });
    for (const m of byQuery('aws.sqs.approximate_number_of_messages_visible')) {
      expect(m.props.evaluationDelay).toBe(1020);
      expect(m.props.notifyNoData).toBeUndefined();
    }
    expect(byQuery('KEDAScalerFailed').map((m) => m.props.type)).toEqual([
      'event-v2 alert',
      'event-v2 alert',
    ]);
  });
});
