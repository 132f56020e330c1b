import { planOf } from '../helpers/plan';
import { DEFAULT_ASSUMPTIONS } from '../../tools/sim/assumptions';
import { modelOf } from '../../tools/sim/model';
import { PlanResource, readSimPlan } from '../../tools/sim/plan-reader';
import { simulateTrace, trafficStages } from '../../tools/sim/run';
import type { Trace } from '../../tools/sim/trace';

/** The whole load lands on the DR region at once, at a quarter of the declared peak. */
const quarterPeak: Trace = {
  name: 'failover-quarter',
  description: 'test',
  kind: 'failover',
  durationSeconds: 900,
  stepSeconds: 5,
  unit: 'peak',
  signals: { scoringRps: [[0, 0.25]], streamRecordsPerSec: [[0, 0.25]], feedbackMessagesPerSec: [[0, 0.25]] },
};

const TRAFFIC_SECONDS =
  DEFAULT_ASSUMPTIONS.arcUpdateSeconds + DEFAULT_ASSUMPTIONS.recoveryControlPropagationSeconds + 60;

describe('failover traces', () => {
  it('the traffic stages are the ARC flip, the RECOVERY_CONTROL health check and the record TTL of the plan', () => {
    expect(
      trafficStages({ ttlSeconds: 60, healthCheckType: 'RECOVERY_CONTROL' }, DEFAULT_ASSUMPTIONS),
    ).toEqual([
      { stage: 'ARC fence and flip', seconds: 5 },
      { stage: 'health check follows the routing control (RECOVERY_CONTROL)', seconds: 10 },
      { stage: 'DNS TTL of the failover record', seconds: 60 },
    ]);
    expect(
      trafficStages(
        { ttlSeconds: 30, healthCheckType: 'HTTPS', requestIntervalSeconds: 10, failureThreshold: 3 },
        DEFAULT_ASSUMPTIONS,
      )[1],
    ).toEqual({
      stage: 'health check (10 s x 3)',
      seconds: 30,
    });
  });

  it('with standby fraction 1 the DR region needs no scale-up: the RTO is the traffic stages alone', async () => {
    const plan = await planOf('prod', {
      'risk-platform:dr': JSON.stringify({ rpoSeconds: 5, rtoSeconds: 300, standbyFraction: 1 }),
    });
    const r = simulateTrace(
      readSimPlan(plan.resources as unknown as PlanResource[]),
      modelOf(plan.config),
      quarterPeak,
    );
    expect(r.rtoStages?.[0]).toEqual({
      stage: "runbook scale-up: to the planned floors (full, or the source's current), Ready",
      seconds: 0,
    });
    expect(r.rtoStages?.[4].seconds).toBe(0);
    expect(r.rtoSeconds).toBe(TRAFFIC_SECONDS);
    for (const w of r.workloads) {
      expect(w.region).toBe('us-east-1');
      expect(w.timeToCapacitySeconds).toBe(0);
      expect(w.breachSeconds).toBe(0);
    }
    expect(r.workloads.find((w) => w.workload === 'scoring-api')?.peakPods).toBe(50);
    expect(r.verdict).toBe('pass');
  });

  it('with prod standby fraction 0.25 the runbook waits for the full minimums before the flip', async () => {
    const plan = await planOf('prod');
    const r = simulateTrace(
      readSimPlan(plan.resources as unknown as PlanResource[]),
      modelOf(plan.config),
      quarterPeak,
    );
    expect(r.rtoStages?.[0].seconds).toBeGreaterThan(0);
    expect(r.rtoSeconds).toBeGreaterThan(TRAFFIC_SECONDS);
    expect(r.rtoSeconds).toBe(r.rtoStages!.reduce((a, s) => a + s.seconds, 0));
  });
});

describe('failover traces that end too early', () => {
  it('says so instead of passing', async () => {
    const plan = await planOf('prod');
    const short: Trace = { ...quarterPeak, durationSeconds: 60 };
    const r = simulateTrace(
      readSimPlan(plan.resources as unknown as PlanResource[]),
      modelOf(plan.config),
      short,
    );
    expect(r.verdict).toBe('fail');
    expect(r.findings).toContain(
      'us-east-1: the runbook never saw every workload Ready at its planned minimum (and every raised table floor provisioned) within 60 s',
    );
  });
});
