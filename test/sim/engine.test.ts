import fc from 'fast-check';
import { simulateRegion, WorkloadDemand } from '../../tools/sim/engine';
import { smallRegion } from './fixtures';

/** A spike from `low` to `high` requests/s at t=120 over `ramp` seconds. */
const spike = (low: number, high: number, ramp: number): WorkloadDemand => ({
  workload: 'scoring-api',
  perPod: 400,
  mode: 'sync',
  demand: (t) => (t < 120 ? low : t < 120 + ramp ? low + ((high - low) * (t - 120)) / ramp : high),
});

const run = (region = smallRegion(), load = spike(800, 8000, 60), extra = 0, duration = 900) =>
  simulateRegion(region, [load], [], { duration, dt: 5, extraNodesPerGroup: extra });

describe('simulateRegion', () => {
  it('a spike beyond the ready nodes waits for the cluster autoscaler and node launch', () => {
    const o = run();
    const api = o.outcomes[0];
    expect(api.recovered).toBe(true);
    // 8,000 rps at the autoscaler's 266.667 per pod is 30 pods: more than 3 nodes hold (7 each).
    expect(o.peakNodes).toBeGreaterThan(3);
    expect(api.timeToCapacitySeconds).toBeGreaterThan(90); // at least one node launch
    expect(api.timeToCapacitySeconds).toBeLessThan(400);
    expect(api.breachSeconds).toBeGreaterThanOrEqual(api.timeToCapacitySeconds);
  });

  it('with enough spare nodes the same spike is met by the HPA alone (no node launch)', () => {
    const o = run(smallRegion(), spike(800, 12000, 60), 3);
    expect(o.peakNodes).toBe(12);
    expect(o.outcomes[0].timeToCapacitySeconds).toBeLessThan(
      run(smallRegion(), spike(800, 12000, 60)).outcomes[0].timeToCapacitySeconds,
    );
  });

  it('never exceeds maxReplicas nor the node groups maximums', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 40000 }),
        (min, span, maxNodes, high) => {
          const region = smallRegion(
            { minReplicas: min, maxReplicas: min + span, fullMinReplicas: min },
            { min: 1, max: maxNodes },
          );
          const o = run(region, spike(100, high, 30), 0, 600);
          expect(o.outcomes[0].peakPods).toBeLessThanOrEqual(min + span);
          expect(o.peakNodes).toBeLessThanOrEqual(3 * maxNodes);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('more headroom (spare nodes, a higher minimum) never lengthens the time to capacity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 14000 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 8 }),
        (high, extra, moreMin) => {
          const base = run(smallRegion(), spike(500, high, 60), 0, 900).outcomes[0].timeToCapacitySeconds;
          const spare = run(smallRegion(), spike(500, high, 60), extra, 900).outcomes[0]
            .timeToCapacitySeconds;
          const higherMin = run(
            smallRegion({ minReplicas: 4 + moreMin, fullMinReplicas: 4 + moreMin }),
            spike(500, high, 60),
            0,
            900,
          ).outcomes[0].timeToCapacitySeconds;
          expect(spare).toBeLessThanOrEqual(base);
          expect(higherMin).toBeLessThanOrEqual(base);
        },
      ),
      // Counterexample once found: min 4 met 2,253 rps for one step mid-ramp (two episodes of 15 s and
      // 10 s) while min 5 had one of 20 s; an episode now ends only when capacity holds (./tracker.ts).
      { numRuns: 15, examples: [[2604, 0, 1]] },
    );
  });

  it('capacity met for one step while demand still climbs is not a recovery: one episode', () => {
    const o = run(smallRegion(), spike(500, 2604, 60), 0, 900).outcomes[0];
    // Short 155-170 s, met at 170 s (7 pods, 2,400 > 2,253 rps), short again 175-185 s.
    expect(o.breachSeconds).toBe(25);
    expect(o.timeToCapacitySeconds).toBe(30); // 155 s to 185 s, not the longer of 15 s and 10 s
    expect(o.recovered).toBe(true);
  });

  it('a flat trace at the minimum load never scales up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.double({ min: 0, max: 0.5, noNaN: true }), (min, f) => {
        // At most half of what the minimum carries at the autoscaler's target: no metric is above target.
        const level = f * min * 266.667 * 0.9;
        const o = run(
          smallRegion({ minReplicas: min, fullMinReplicas: min }),
          spike(level, level, 1),
          0,
          600,
        );
        expect(o.outcomes[0].peakPods).toBe(min);
        expect(o.peakNodes).toBe(3);
        expect(o.outcomes[0].breachSeconds).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it('a stream consumer uses at most one pod per shard and the stream accepts 1,000 records/s per shard', () => {
    const region = {
      ...smallRegion({
        workload: 'stream-scorer',
        triggers: [{ type: 'aws-kinesis-stream', shardCount: 1, activation: 0 }],
      }),
      shardCount: 4,
    };
    const o = simulateRegion(
      region,
      [{ workload: 'stream-scorer', perPod: 1000, mode: 'stream', demand: () => 6000 }],
      [],
      { duration: 300, dt: 5 },
    );
    const s = o.outcomes[0];
    expect(s.peakPods).toBe(4); // 4 shards / shardCount 1
    expect(s.recovered).toBe(false); // 6,000 records/s offered, 4,000 accepted
    expect(s.unitsAboveCapacity).toBe(2000 * 300);
  });
});
