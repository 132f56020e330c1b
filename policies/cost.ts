import { StackValidationPolicy } from '@pulumi/policy';
import { estimateCost } from '../tools/cost/estimate';
import { readPriceTable } from '../tools/cost/prices';
import { largestItems, usd } from '../tools/cost/render';
import { regionOf } from './props';

/** Logical names are prefixed by their region (`us-west-2-datadog`): docs/ARCHITECTURE.md, "The region is data". */
const REGION_PREFIX = /^([a-z]{2}-[a-z]+-\d)-/;

/** `cost-budget` config: the environment's monthly budget in USD (policies/config.ts, per environment). */
export interface CostBudgetConfig {
  readonly monthlyBudgetUsd?: number;
}

/**
 * An environment's monthly cost, at the on-demand list prices of `tools/cost/prices.json` (the same
 * estimate as `npm run cost`), must stay within its budget. Without a configured budget the rule
 * does nothing. Note: under `pulumi preview` a stack policy sees one stack; after the split into
 * `<env>-global` and `<env>-<region>` stacks it checks that stack's share, while the offline plan
 * checks the whole environment.
 */
export const costBudget: StackValidationPolicy = {
  name: 'cost-budget',
  description: "An environment's monthly cost at list prices must stay within its configured budget.",
  enforcementLevel: 'mandatory',
  configSchema: { properties: { monthlyBudgetUsd: { type: 'number', minimum: 0 } } },
  validateStack: (args, reportViolation) => {
    const budget = args.getConfig<CostBudgetConfig>()?.monthlyBudgetUsd;
    if (budget === undefined) return;
    const records = args.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      region: regionOf(r) ?? REGION_PREFIX.exec(r.name)?.[1] ?? null,
      parent: null,
      props: r.props as Record<string, unknown>,
    }));
    for (const env of estimateCost(records, readPriceTable()).environments) {
      if (env.monthly <= budget) continue;
      const top = largestItems(env)
        .slice(0, 3)
        .map((i) => `${i.item} ${usd(i.monthly)}`)
        .join(', ');
      reportViolation(
        `${env.env} costs ${usd(env.monthly)} a month at list prices, above its budget of ${usd(budget)} ` +
          `(largest: ${top}); cut the largest items or raise cost-budget.monthlyBudgetUsd for ${env.env} in policies/config.ts.`,
      );
    }
  },
};

export const costPolicies = [costBudget];
