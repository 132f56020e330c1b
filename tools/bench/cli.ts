import { Command } from 'commander';
import { policyConfigFor } from '../../policies/config';
import { listEnvironments } from '../../stacks/config/stack-file';
import { parseArgs } from '../lib/args';
import { UsageError } from '../lib/exit-codes';
import { runMain } from '../lib/main';
import { formatMs, textTable } from '../lib/progress';
import { planEnvironment } from '../plan/harness';
import { evaluatePolicies } from '../policy/evaluate';

/**
 * Speed and size targets. A ratio below 1.0 means within target; the bench prints ratios so trends
 * are visible without timed tests (which would be flaky on shared CI machines).
 */
export const TARGETS = {
  /** Planning one environment under mocks. */
  planMsPerEnv: 5000,
  /** Evaluating the whole pack against one environment's plan. */
  policyMsPerEnv: 2000,
  /** Resources per environment before the plan is considered too big to review on a PR. */
  resourcesPerEnv: 1500,
} as const;

interface Row {
  env: string;
  resources: number;
  kubernetesObjects: number;
  planMs: number;
  policyMs: number;
}

export async function main(argv: readonly string[]): Promise<number> {
  const cmd = new Command('bench')
    .description('Measure plan, policy and size against the targets; prints ratios (<1.0 is within target).')
    .option('--runs <n>', 'runs per environment (the best is kept)', '3')
    .option('--json', 'print the result as JSON');
  const opts = parseArgs(cmd, argv).opts<{ runs: string; json?: boolean }>();
  const runs = Number(opts.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) {
    throw new UsageError('--runs', opts.runs, 'an integer between 1 and 20');
  }
  const rows: Row[] = [];
  for (const env of listEnvironments()) {
    let best: Row | undefined;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const plan = await planEnvironment(env);
      const t1 = performance.now();
      await evaluatePolicies(plan.resources, policyConfigFor(plan.config));
      const t2 = performance.now();
      const row = {
        env,
        resources: plan.resources.length,
        kubernetesObjects: plan.resources.filter(
          (r) => r.type.startsWith('kubernetes:') && !r.type.includes('helm'),
        ).length,
        planMs: t1 - t0,
        policyMs: t2 - t1,
      };
      if (!best || row.planMs + row.policyMs < best.planMs + best.policyMs) best = row;
    }
    if (best) rows.push(best);
  }
  const ratio = (v: number, t: number) => (v / t).toFixed(2);
  if (opts.json) {
    console.log(JSON.stringify({ targets: TARGETS, environments: rows }, null, 2));
  } else {
    console.log(
      textTable(
        ['env', 'resources', 'k8s objects', 'plan', 'plan/target', 'policy', 'policy/target', 'size/target'],
        rows.map((r) => [
          r.env,
          String(r.resources),
          String(r.kubernetesObjects),
          formatMs(r.planMs),
          ratio(r.planMs, TARGETS.planMsPerEnv),
          formatMs(r.policyMs),
          ratio(r.policyMs, TARGETS.policyMsPerEnv),
          ratio(r.resources, TARGETS.resourcesPerEnv),
        ]),
      ),
    );
    const total = rows.reduce((a, r) => a + r.planMs + r.policyMs, 0);
    console.log(
      `\nwhole estate: ${formatMs(total)} to plan and policy-check (best of ${runs} per environment)`,
    );
  }
  return 0;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)));
