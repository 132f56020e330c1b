import fc from 'fast-check';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { capacityPlan } from '../../stacks/capacity';
import { loadEnvironment } from '../../charts/example-props';
import {
  drainMinutes,
  EKS_EVICTION_WINDOW_MINUTES,
  maxUnavailableFor,
  requiredAtMinimum,
} from '../../charts';
import { drProps, find, primaryProps, synth } from './fixtures';

describe('PodDisruptionBudget', () => {
  test('with a minimum of 1 (DR standby) the single pod may be evicted', () => {
    expect(maxUnavailableFor(1)).toBe(1);
    expect(requiredAtMinimum(1)).toBe(0);
  });

  test('with a minimum of 10 one pod at a time may be evicted, 9 required', () => {
    expect(maxUnavailableFor(10)).toBe(1);
    expect(requiredAtMinimum(10)).toBe(9);
  });

  test('with 30 pods three at a time may be evicted; with 150, fifteen', () => {
    expect(maxUnavailableFor(30)).toBe(3);
    expect(maxUnavailableFor(150)).toBe(15);
  });

  test.each(['staging', 'prod'])(
    '%s: a node-group update (33%% of nodes at once) drains every workload at its maximum within EKS’s 15 minutes',
    (env) => {
      // One eviction round: startup budget (120 s) plus the NLB readiness gate (2 x 10 s checks,
      // registration) ~ 180 s.
      const plan = capacityPlan(loadEnvironment(env));
      for (const bounds of Object.values(plan.workloads)) {
        expect(drainMinutes(bounds.maxReplicas, 0.33, 180)).toBeLessThan(EKS_EVICTION_WINDOW_MINUTES);
      }
      // A fixed budget of 1 would not: 150 pods, 50 evicted one at a time.
      expect((Math.ceil(150 * 0.33) * 180) / 60).toBeGreaterThan(EKS_EVICTION_WINDOW_MINUTES);
    },
  );

  test('each workload gets a policy/v1 budget on its own pods, sized from its minimum', () => {
    const objs = synth(primaryProps());
    const pdb = find<IPodDisruptionBudget>(objs, 'PodDisruptionBudget', 'scoring-api');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({
      maxUnavailable: '10%',
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'scoring-api',
          'app.kubernetes.io/part-of': 'risk-platform',
        },
      },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('the DR standby budget of a min=1 workload allows its pod to move', () => {
    const pdb = find<IPodDisruptionBudget>(synth(drProps()), 'PodDisruptionBudget', 'feedback-worker');
    expect(pdb.spec?.maxUnavailable).toBe('10%');
    expect(maxUnavailableFor(1)).toBe(1);
    expect(pdb.spec).not.toHaveProperty('minAvailable');
  });

  test('for any valid minimum the budget never blocks a drain and takes at most 10% (at least 1) at once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (min) => {
        const k = maxUnavailableFor(min);
        const required = requiredAtMinimum(min);
        // At the autoscaler minimum at least one eviction is allowed: fewer pods required than the minimum.
        expect(required).toBeLessThan(min);
        expect(required).toBeGreaterThanOrEqual(0);
        expect(min - required).toBeGreaterThanOrEqual(1);
        // Never more than the minimum, nor more than max(1, 10% of it), down at once.
        expect(k).toBeLessThanOrEqual(min);
        expect(k).toBe(Math.max(1, Math.ceil(min * 0.1)));
      }),
    );
  });
});
