import * as capacityPlan from '../../tools/dr/steps/capacity-plan';
import { planOf } from '../helpers/plan';
import { modelOf } from '../../tools/sim/model';
import { PlanResource, readSimPlan } from '../../tools/sim/plan-reader';
import { simulateTrace } from '../../tools/sim/run';
import type { Trace } from '../../tools/sim/trace';

/** Issue 12 build 5: the failover trace models the runbook's planned floors, from the runbook's function. */

const atPeak: Trace = {
  name: 'failover-peak',
  description: 'test',
  kind: 'failover',
  durationSeconds: 1200,
  stepSeconds: 5,
  unit: 'peak',
  signals: { scoringRps: [[0, 1]], streamRecordsPerSec: [[0, 1]], feedbackMessagesPerSec: [[0, 1]] },
};

let sim: { plan: ReturnType<typeof readSimPlan>; model: ReturnType<typeof modelOf> };
beforeAll(async () => {
  const p = await planOf('prod');
  sim = { plan: readSimPlan(p.resources as unknown as PlanResource[]), model: modelOf(p.config) };
});

describe('the failover trace', () => {
  it("plans every DR workload and read floor exactly as the runbook's plannedFloor does", () => {
    const r = simulateTrace(sim.plan, sim.model, atPeak);
    const home = sim.plan.regions.find((x) => x.active)!;
    const dr = sim.plan.regions.find((x) => !x.active)!;
    const expected = [
      ...dr.workloads.map((w) => ({ full: w.fullMinReplicas, max: w.maxReplicas, current: w.minReplicas })),
      ...dr.tables
        .filter((t) => t.dimension === 'read')
        .map((t) => ({
          full: home.tables.find((h) => h.table === t.table && h.dimension === 'read')!.minCapacity,
          max: t.maxCapacity,
          current: t.minCapacity,
        })),
    ];
    expect(r.runbookFloors).toHaveLength(expected.length);
    r.runbookFloors?.forEach((f, i) =>
      expect(f.floor).toEqual(capacityPlan.plannedFloor({ ...expected[i], source: f.source })),
    );
  });

  it("raises the DR features read floor to the home copy's provisioned capacity at the peak", () => {
    const r = simulateTrace(sim.plan, sim.model, atPeak);
    const features = r.runbookFloors?.find((f) => f.key === 'prod-features:read');
    // 60,000 reads/s at the peak under a 70 % target: 85,715 provisioned in us-west-2.
    expect(features).toMatchObject({ kind: 'table', current: 7500, source: 85_715 });
    expect(features?.floor).toEqual({ want: 85_715, from: 'source' });
  });

  it('raises the DR pods to the replicas the source runs at the peak, capped at the maximum', () => {
    const r = simulateTrace(sim.plan, sim.model, atPeak);
    const api = r.runbookFloors?.find((f) => f.key === 'scoring-api');
    const plan = sim.plan.regions
      .find((x) => !x.active)!
      .workloads.find((w) => w.workload === 'scoring-api')!;
    expect(api?.floor.want).toBeGreaterThan(plan.fullMinReplicas);
    expect(api?.floor.want).toBeLessThanOrEqual(plan.maxReplicas);
    expect(api?.floor).toEqual(
      capacityPlan.plannedFloor({
        current: plan.minReplicas,
        full: plan.fullMinReplicas,
        max: plan.maxReplicas,
        source: api?.source,
      }),
    );
  });

  it('flips only after the planned floors are Ready and provisioned: no table breach after the flip', () => {
    const r = simulateTrace(sim.plan, sim.model, atPeak);
    for (const t of r.tables) expect(t.breachSeconds).toBe(0);
    expect(r.rtoStages?.[0].seconds).toBeGreaterThanOrEqual(120); // the table update (dynamodbUpdateSeconds)
  });
});
