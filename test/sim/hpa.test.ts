import fc from 'fast-check';
import {
  DEFAULT_BEHAVIOR,
  hpaSync,
  initialHpaState,
  replicasForAverageValue,
  replicasForRatio,
  replicasForUtilization,
  scaleDownLimit,
  scaleUpLimit,
} from '../../tools/sim/hpa';
import type { HpaBehavior } from '../../tools/sim/types';

// Worked examples of https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
describe('HPA algorithm (Kubernetes docs, algorithm details)', () => {
  it('doubles the replicas when the metric is 200m against a 100m target', () => {
    expect(replicasForRatio(4, 200, 100)).toBe(8);
  });
  it('halves the replicas when the metric is 50m against a 100m target', () => {
    expect(replicasForRatio(4, 50, 100)).toBe(2);
  });
  it('skips scaling within the 0.1 tolerance', () => {
    expect(replicasForRatio(10, 109, 100)).toBe(10);
    expect(replicasForRatio(10, 91, 100)).toBe(10);
    expect(replicasForRatio(10, 111, 100)).toBe(12);
  });
  it('computes 50 x 90/75 = 60 (the configurable-tolerance blog example)', () => {
    expect(replicasForUtilization(50, 0, 90, 75)).toBe(60);
  });
  it('counts not-yet-ready pods as 0 % on a scale-up, dampening it', () => {
    // 4 ready at 120 % of a 60 % target would be 8; with 4 not ready: 4*120/(60*8) = 1.0 -> no change.
    expect(replicasForUtilization(4, 0, 120, 60)).toBe(8);
    expect(replicasForUtilization(4, 4, 120, 60)).toBe(8);
    expect(replicasForUtilization(4, 4, 180, 60)).toBe(12);
  });
  it('External AverageValue: ceil(total / target per pod)', () => {
    expect(replicasForAverageValue(13, 40000, 266.667)).toBe(150);
    expect(replicasForAverageValue(10, 1050, 100)).toBe(10); // within tolerance
  });
});

describe('HPA behavior (Kubernetes docs, configurable scaling behavior)', () => {
  const down: HpaBehavior = {
    scaleUp: DEFAULT_BEHAVIOR.scaleUp,
    scaleDown: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 60 },
        { type: 'Percent', value: 10, periodSeconds: 60 },
      ],
    },
  };
  it('scales 80 -> 10 by 8, then 8 (10 % of 72 rounded up), then 4 pods at a time below 40', () => {
    let s = initialHpaState(80);
    const seen: number[] = [];
    for (let t = 0; t <= 60 * 12; t += 60) {
      s = hpaSync(s, t, 10, { min: 1, max: 100 }, down);
      seen.push(s.replicas);
    }
    expect(seen.slice(0, 3)).toEqual([72, 64, 57]);
    expect(seen).toContain(40);
    const below = seen.filter((r) => r < 40);
    expect(below.slice(0, 3)).toEqual([36, 32, 28]);
  });
  it('default scale-up: the larger of 100 % and 4 pods per 15 s', () => {
    expect(scaleUpLimit(2, [], 0, DEFAULT_BEHAVIOR.scaleUp)).toBe(6);
    expect(scaleUpLimit(10, [], 0, DEFAULT_BEHAVIOR.scaleUp)).toBe(20);
    // 10 were added 5 s ago: the period started at 10 -> limit 20 still.
    expect(scaleUpLimit(20, [{ t: 10, delta: 10 }], 15, DEFAULT_BEHAVIOR.scaleUp)).toBe(20);
  });
  it('Min picks the smallest change, Disabled none', () => {
    const rules = { ...DEFAULT_BEHAVIOR.scaleUp, selectPolicy: 'Min' as const };
    expect(scaleUpLimit(10, [], 0, rules)).toBe(14);
    expect(scaleUpLimit(10, [], 0, { ...rules, selectPolicy: 'Disabled' })).toBe(10);
    expect(scaleDownLimit(10, [], 0, { ...DEFAULT_BEHAVIOR.scaleDown, selectPolicy: 'Disabled' })).toBe(10);
  });
  it('holds a scale-down for the stabilization window (300 s by default)', () => {
    let s = initialHpaState(10);
    s = hpaSync(s, 0, 10, { min: 1, max: 20 }, DEFAULT_BEHAVIOR);
    s = hpaSync(s, 15, 2, { min: 1, max: 20 }, DEFAULT_BEHAVIOR);
    expect(s.replicas).toBe(10);
    for (let t = 30; t <= 285; t += 15) s = hpaSync(s, t, 2, { min: 1, max: 20 }, DEFAULT_BEHAVIOR);
    expect(s.replicas).toBe(10);
    // The recommendation of t=0 leaves the window (cutoff now-300, exclusive) at t=300.
    s = hpaSync(s, 300, 2, { min: 1, max: 20 }, DEFAULT_BEHAVIOR);
    expect(s.replicas).toBe(2);
  });
  it('sets the minimum at once when the replicas are below it (a raised minReplicaCount)', () => {
    const s = hpaSync(initialHpaState(13), 0, 13, { min: 50, max: 150 }, DEFAULT_BEHAVIOR);
    expect(s.replicas).toBe(50);
  });
  it('property: never leaves [min, max] once inside, whatever the proposals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 40 }),
        (min, span, proposals) => {
          const max = min + span;
          let s = initialHpaState(min);
          proposals.forEach((p, i) => {
            s = hpaSync(s, i * 15, p, { min, max }, DEFAULT_BEHAVIOR);
            expect(s.replicas).toBeGreaterThanOrEqual(min);
            expect(s.replicas).toBeLessThanOrEqual(max);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
