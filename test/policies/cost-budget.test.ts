import * as fs from 'fs';
import * as path from 'path';
import { policyConfigFor } from '../../policies/config';
import { parseEnvironmentConfig } from '../../stacks/config/load';
import { readStackFile, stackFilePath } from '../../stacks/config/stack-file';
import { PlannedResource } from '../../tools/plan/harness';
import { evaluatePolicies } from '../../tools/policy/evaluate';

const PLAN = path.join(__dirname, '..', 'cost', 'fixtures', 'plan', 'resources.json');
const resources = JSON.parse(fs.readFileSync(PLAN, 'utf8')) as PlannedResource[];
const costViolations = async (config: Record<string, Record<string, unknown>>) =>
  (await evaluatePolicies(resources, config)).filter((v) => v.policy === 'cost-budget');

describe('cost-budget', () => {
  // The fixture plan costs 2,712.77 USD a month (test/cost/cost.test.ts computes it by hand).
  test('an environment above its budget is a finding naming the cost, the budget and the largest items', async () => {
    const v = await costViolations({ 'cost-budget': { monthlyBudgetUsd: 2_000 } });
    expect(v).toHaveLength(1);
    expect(v[0].enforcementLevel).toBe('mandatory');
    expect(v[0].message).toContain(
      'shop costs $2,712.77 a month at list prices, above its budget of $2,000.00 (largest: ARC cluster $1,825.00, EC2 nodes $521.22, EKS control plane $73.00)',
    );
  });

  test('an environment within its budget passes', async () => {
    expect(await costViolations({ 'cost-budget': { monthlyBudgetUsd: 3_000 } })).toEqual([]);
  });

  test('without a configured budget the rule is silent', async () => {
    expect(await costViolations({})).toEqual([]);
  });

  test('dev is advisory, staging and prod mandatory, each with its own budget key', () => {
    const budget = (env: string) => {
      const sc = readStackFile(stackFilePath(env));
      const config = parseEnvironmentConfig(sc.values, {
        stack: env,
        isSecret: (k) => sc.secretKeys.includes(k),
      });
      return policyConfigFor(config)['cost-budget'];
    };
    expect(budget('dev')).toEqual({ enforcementLevel: 'advisory', monthlyBudgetUsd: 5_000 });
    expect(budget('staging')).toEqual({ enforcementLevel: 'mandatory', monthlyBudgetUsd: 7_500 });
    expect(budget('prod')).toEqual({ enforcementLevel: 'mandatory', monthlyBudgetUsd: 60_000 });
  });

  test('an advisory budget reports at advisory level', async () => {
    const v = await costViolations({ 'cost-budget': { enforcementLevel: 'advisory', monthlyBudgetUsd: 1 } });
    expect(v.map((x) => x.enforcementLevel)).toEqual(['advisory']);
  });
});
