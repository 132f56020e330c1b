import fc from 'fast-check';
import { heartbeatIntervalSeconds } from '../../../stacks/capacity';
import {
  HEARTBEAT_INTERVAL_METRIC,
  heartbeatIntervalThresholds,
} from '../../../stacks/observability/heartbeat-monitor';
import { monitorSpecs } from '../../../stacks/observability/monitor-specs';
import { HEARTBEAT_METRICS } from '../../../tools/heartbeat/statsd';
import type { PolicyResource } from '@pulumi/policy';
import { monitoringCoverage, monitorView } from '../../../policies/monitoring-coverage';
import { EnvironmentPlan } from '../../../tools/plan/harness';
import { evaluatePolicies } from '../../../tools/policy/evaluate';
import { ofType, planOf } from '../../helpers/plan';
import { PROD_MONITOR_INPUT } from './monitor-input';

const input = PROD_MONITOR_INPUT;

describe('heartbeat-interval monitor (issue 15 finding 17)', () => {
  test('reads the metric the writer emits', () => {
    expect(HEARTBEAT_INTERVAL_METRIC).toBe(HEARTBEAT_METRICS.intervalMs);
  });

  test.each([
    [5, { warning: 1500, critical: 3500 }],
    [15, { warning: 4500, critical: 10500 }],
    [60, { warning: 7500, critical: 35000 }],
  ])('RPO %i s: thresholds %p ms', (rpoSeconds, expected) => {
    expect(heartbeatIntervalThresholds({ rpoSeconds })).toEqual(expected);
  });

  test('property: a healthy writer (one interval) never warns, and the warning comes before the critical, below the RPO', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 3600 }), (rpoSeconds) => {
        const t = heartbeatIntervalThresholds({ rpoSeconds });
        const interval = heartbeatIntervalSeconds(rpoSeconds) * 1000;
        expect(t.warning).toBeGreaterThan(interval);
        expect(t.critical).toBeGreaterThan(t.warning ?? 0);
        expect(t.critical).toBeLessThan(interval + rpoSeconds * 1000);
      }),
    );
  });

  test.each(['us-west-2', 'us-east-1'])(
    '%s: the average measured interval over 5 minutes, no evaluation delay, no data after 10 minutes',
    (region) => {
      const spec = monitorSpecs(input).find((s) => s.key === `heartbeat-interval-${region}`);
      expect(spec).toMatchObject({
        kind: 'heartbeat-interval',
        region,
        service: 'risk-platform',
        query: `avg(last_5m):avg:risk_platform.heartbeat.interval_ms{env:prod,region:${region}} > 3500`,
        thresholds: { warning: 1500, critical: 3500 },
        evaluationDelaySeconds: 0,
        noDataMinutes: 10,
        runbookAnchor: 'heartbeat-interval',
      });
    },
  );

  describe('in the prod plan', () => {
    let plan: EnvironmentPlan;
    beforeAll(async () => {
      plan = await planOf('prod');
    });

    test('registers one per region with evaluationDelay 0 and the no-data alert', () => {
      const monitors = ofType(plan, 'datadog:index/monitor:Monitor').filter((m) =>
        String(m.props.query).includes(HEARTBEAT_INTERVAL_METRIC),
      );
      expect(monitors.map((m) => m.name).sort()).toEqual([
        'observability-heartbeat-interval-us-east-1',
        'observability-heartbeat-interval-us-west-2',
      ]);
      for (const m of monitors) {
        expect(m.props).toMatchObject({
          evaluationDelay: 0,
          notifyNoData: true,
          noDataTimeframe: 10,
          monitorThresholds: { critical: '3500', warning: '1500' },
        });
        expect(String(m.props.message)).toContain('docs/RUNBOOK.md#heartbeat-interval');
      }
    });

    test('the monitoring-coverage policy still passes, and reads each monitor as its own region', async () => {
      expect(await evaluatePolicies(plan.resources, {}, [monitoringCoverage])).toEqual([]);
      for (const m of ofType(plan, 'datadog:index/monitor:Monitor').filter((r) =>
        r.name.startsWith('observability-heartbeat-interval-'),
      )) {
        const region = m.name.replace('observability-heartbeat-interval-', '');
        expect([...monitorView(m as unknown as PolicyResource, ['us-west-2', 'us-east-1']).regions]).toEqual([
          region,
        ]);
      }
    });
  });
});
