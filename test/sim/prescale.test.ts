import fc from 'fast-check';
import { activeCronTriggers, simulateRegion, TableDemand, WorkloadDemand } from '../../tools/sim/engine';
import { kedaProposal, triggerProposal, Observation } from '../../tools/sim/keda';
import { kedaTrigger } from '../../tools/sim/plan-triggers';
import { traceSchema } from '../../tools/sim/trace';
import type { RegionPlan, Trigger } from '../../tools/sim/types';
import { smallRegion } from './fixtures';
import { weeklyReleaseCronTrigger } from '../helpers/cron-trigger';

const cron: Trigger = {
  type: 'cron',
  name: 'prescale-weekly-release',
  desiredReplicas: 30,
  windowSeconds: 9000,
};
const obs = (over: Partial<Observation> = {}): Observation => ({
  replicas: 4,
  readyPods: 4,
  notReadyPods: 0,
  readyCpuPercent: 20,
  datadogRate: 400,
  cloudwatchValue: 0,
  queueVisible: 0,
  queueInFlight: 0,
  shardCount: 1,
  ...over,
});

describe('the KEDA cron trigger (pkg/scalers/cron_scaler.go at v2.20.2)', () => {
  it('reads the plan object: name, desiredReplicas and the window length from start/end', () => {
    const t = kedaTrigger(weeklyReleaseCronTrigger('100'), 'ScaledObject x');
    expect(t).toEqual({
      type: 'cron',
      name: 'prescale-weekly-release',
      desiredReplicas: 100,
      windowSeconds: 9000,
    });
  });

  it('a cron trigger without parsable start/end is bad input naming the trigger', () => {
    expect(() =>
      kedaTrigger(
        {
          type: 'cron',
          name: 'p',
          metadata: { start: '0 10 1 * *', end: '0 12 * * *', desiredReplicas: '3' },
        },
        'ScaledObject us/x',
      ),
    ).toThrow(/ScaledObject us\/x trigger p metadata/);
  });

  it('inside the window the HPA proposes desiredReplicas (AverageValue target 1)', () => {
    expect(triggerProposal(cron, obs({ cronActive: new Set(['prescale-weekly-release']) }))).toBe(30);
  });

  it('outside the window it proposes 0: nothing above the other triggers and the minimum', () => {
    expect(triggerProposal(cron, obs())).toBe(0);
    const cpu: Trigger = { type: 'cpu', utilizationPercent: 60 };
    expect(kedaProposal([cpu, cron], obs())).toBe(kedaProposal([cpu], obs()));
  });

  it('is a floor, not a cap: a larger load proposal wins inside the window', () => {
    const dd: Trigger = { type: 'datadog', metricType: 'AverageValue', target: 100, activation: 0 };
    const o = obs({ datadogRate: 5000, cronActive: new Set(['prescale-weekly-release']) });
    expect(kedaProposal([dd, cron], o)).toBe(50);
  });

  it('is active from the opening for windowSeconds, and only for its own window', () => {
    const w = { triggers: [cron] };
    const p = { window: 'weekly-release', opensAt: 100 };
    expect([...activeCronTriggers(w, p, 99)]).toEqual([]);
    expect([...activeCronTriggers(w, p, 100)]).toEqual(['prescale-weekly-release']);
    expect([...activeCronTriggers(w, p, 9099)]).toEqual(['prescale-weekly-release']);
    expect([...activeCronTriggers(w, p, 9100)]).toEqual([]);
    expect([...activeCronTriggers(w, { window: 'other', opensAt: 0 }, 500)]).toEqual([]);
  });
});

/** A spike from 800 to `high` rps at `at` over 60 s. */
const spike = (high: number, at: number): WorkloadDemand => ({
  workload: 'scoring-api',
  perPod: 400,
  mode: 'sync',
  demand: (t) => (t < at ? 800 : t < at + 60 ? 800 + ((high - 800) * (t - at)) / 60 : high),
});
const withCron = (desired: number): RegionPlan => {
  const r = smallRegion();
  return {
    ...r,
    workloads: r.workloads.map((w) => ({
      ...w,
      triggers: [...w.triggers, { ...cron, desiredReplicas: desired, windowSeconds: 3600 }],
    })),
    tables: [
      {
        table: 'prod-features',
        dimension: 'read',
        minCapacity: 1000,
        maxCapacity: 20000,
        targetPercent: 70,
        launchFloors: [
          { window: 'weekly-release', minCapacity: 15000, restoreCapacity: 1000, windowSeconds: 3600 },
        ],
      },
    ],
  };
};
const reads = (high: number, at: number): TableDemand => ({
  table: 'prod-features',
  dimension: 'read',
  demand: (t) => (t < at ? 800 : high),
});
const run = (plan: RegionPlan, high: number, at: number, prescale?: { window: string; opensAt: number }) =>
  simulateRegion(plan, [spike(high, at)], [reads(high, at)], { duration: at + 900, dt: 5, prescale });

describe('pre-scaling in the engine', () => {
  it('an announced window opened 30 min ahead meets the spike at once (pods and table)', () => {
    const o = run(withCron(30), 10000, 1800, { window: 'weekly-release', opensAt: 0 });
    expect(o.outcomes.map((x) => [x.name, x.timeToCapacitySeconds])).toEqual([
      ['scoring-api', 0],
      ['dynamodb prod-features reads', 0],
    ]);
    expect(o.prescaled).toEqual({ workloads: ['scoring-api'], tables: ['prod-features:read'] });
  });

  it("a plan with no object of the trace's window gives the reactive figures", () => {
    const reactive = run(smallRegion(), 10000, 1800);
    const unknown = run(withCron(30), 10000, 1800, { window: 'not-planned', opensAt: 0 });
    const none = run(withCron(30), 10000, 1800);
    expect(unknown.outcomes[0]).toEqual(reactive.outcomes[0]);
    expect(none.outcomes[0]).toEqual(reactive.outcomes[0]);
    expect(unknown.prescaled).toEqual({ workloads: [], tables: [] });
    expect(reactive.outcomes[0].timeToCapacitySeconds).toBeGreaterThan(0);
  });

  it('the pre-scale never makes the time to capacity longer (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 14000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 60 }).map((m) => m * 60),
        (high, desired, opensAt) => {
          const at = 1200;
          const without = run(withCron(desired), high, at);
          const withIt = run(withCron(desired), high, at, { window: 'weekly-release', opensAt });
          without.outcomes.forEach((o, i) =>
            expect(withIt.outcomes[i].timeToCapacitySeconds).toBeLessThanOrEqual(o.timeToCapacitySeconds),
          );
        },
      ),
      // The example: a window opening during a reactive scale-up once pushed the in-flight table update back.
      { numRuns: 15, examples: [[2000, 1, 1680]] },
    );
  });

  it('the table floor is restored at the window close (a spike after it is reactive again)', () => {
    const table = (at: number) =>
      simulateRegion(withCron(30), [spike(800, 100000)], [reads(14000, at)], {
        duration: at + 900,
        dt: 5,
        prescale: { window: 'weekly-release', opensAt: 0 },
      }).outcomes[1];
    expect(table(1800).timeToCapacitySeconds).toBe(0); // inside the hour-long window
    expect(table(4800).timeToCapacitySeconds).toBeGreaterThan(120); // after its close and the scale-in
  });
});

describe('trace format', () => {
  it('accepts the announced-launch marker and an advisory budget', () => {
    const base = {
      name: 'x',
      description: 'd',
      kind: 'load',
      durationSeconds: 60,
      unit: 'peak',
      signals: { scoringRps: [[0, 1]] },
    };
    expect(
      traceSchema.safeParse({
        ...base,
        prescale: { window: 'weekly-release', opensAtSeconds: 0 },
        budget: 'advisory',
      }).success,
    ).toBe(true);
    expect(traceSchema.safeParse({ ...base, prescale: { window: 'weekly-release' } }).success).toBe(false);
  });
});
