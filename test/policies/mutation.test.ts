/**
 * Mutation test: the real prod plan is clean, and each single-property mutation is caught by its
 * rule and only by the rules expected (set equality of the violated policy names).
 */
import { policyConfigFor } from '../../policies/config';
import { policies } from '../../policies/pack';
import { PolicyPackConfig } from '../../policies/types';
import { EnvironmentPlan } from '../../tools/plan/harness';
import { planOf } from '../helpers/plan';
import { evaluatePolicies } from '../../tools/policy/evaluate';
import { applyMutation, MUTATIONS } from './mutations';

let plan: EnvironmentPlan;
let config: PolicyPackConfig;

beforeAll(async () => {
  plan = await planOf('prod');
  config = policyConfigFor(plan.config);
});

/**
 * The policies a mutated plan violates. The baseline is clean (first test), and resource policies are
 * per-resource, so only the edited resources are re-run through them; stack policies see the whole
 * mutated graph. Same verdicts as a full evaluation, in a fraction of the time.
 */
let before: Map<string, string>;
const violatedNames = async (resources: EnvironmentPlan['resources']) => {
  before ??= new Map(plan.resources.map((r) => [r.urn, JSON.stringify(r)]));
  const edited = new Set(resources.filter((r) => before.get(r.urn) !== JSON.stringify(r)).map((r) => r.urn));
  const verdicts = await evaluatePolicies(resources, config, undefined, { resourceUrns: edited });
  return [...new Set(verdicts.map((v) => v.policy))].sort();
};

test('the prod plan violates no policy (mandatory or advisory)', async () => {
  expect(await evaluatePolicies(plan.resources, config)).toEqual([]);
});

test('every rule class has a mutation', () => {
  expect([...new Set(MUTATIONS.map((m) => m.policy))].sort()).toEqual(policies.map((p) => p.name).sort());
});

describe.each(MUTATIONS.map((m) => [m.policy, m] as const))('%s', (_policy, m) => {
  test(`is caught when ${m.resource} changes ${m.property}`, async () => {
    expect(await violatedNames(applyMutation(plan.resources, m))).toEqual([...m.expect].sort());
  });
});
